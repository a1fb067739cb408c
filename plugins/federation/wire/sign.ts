// Signs one outgoing message: a fresh jti, iat now and a short exp, the whole payload under the signature.
import { CompactSign } from "jose";
import type { Signer } from "../identity/key-store";
import { JWS_TYPE, MESSAGE_LIFETIME_S, type MessageType, nowSeconds } from "./constants";

export interface Outgoing {
  iss: string;
  aud: string;
  type: MessageType;
  body: object;
}

export interface Signed {
  jws: string;
  jti: string;
}

const encoder = new TextEncoder();

export const signMessage = async (signer: Signer, message: Outgoing): Promise<Signed> => {
  const iat = nowSeconds();
  const jti = crypto.randomUUID();
  const payload = {
    iss: message.iss,
    aud: message.aud,
    jti,
    iat,
    exp: iat + MESSAGE_LIFETIME_S,
    type: message.type,
    body: message.body,
  };
  const jws = await new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: "EdDSA", typ: JWS_TYPE, kid: signer.kid })
    .sign(signer.key);
  return { jws, jti };
};
