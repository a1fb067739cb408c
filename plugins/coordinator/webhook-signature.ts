// The stitcher webhook's signature, Stripe-style: `X-Tessera-Signature: t=<unix seconds>,v1=<hex>` where
// v1 is HMAC-SHA256 of "<t>.<raw body>" under the sending key's webhook secret. The timestamp bounds how
// long a captured request stays usable, and each signature is accepted once, so a leaked API key alone
// can't forge a delivery and a captured one can't be replayed.
import { createHmac, timingSafeEqual } from "node:crypto";
import { t } from "elysia";
import { type SingleUse, TesseraError } from "tessera/plugin";
import type { Service } from "./require-service";

export const SIGNATURE_HEADER = "x-tessera-signature";
/** How far a signature's timestamp may be from now, either way (clock skew included). */
export const TOLERANCE_SECONDS = 300;

const MAX_HEADER_LENGTH = 1024;
const MAX_SIGNATURES = 4;
const TIMESTAMP = /^\d{1,12}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

export const WebhookSecrets = t.Record(
  t.String({ pattern: "^[A-Za-z0-9][\\w.-]{0,63}$" }),
  t.String({
    minLength: 32,
    description: "At least 32 characters; set it from the environment (CHAT_WEBHOOK_SECRET, say) to keep it out of the file.",
  }),
  {
    default: {},
    description:
      "API key name → HMAC secret for POST /stitcher/webhook. A key listed here must sign every delivery (X-Tessera-Signature); an unlisted key sends none.",
  },
);

const refused = (message: string) =>
  new TesseraError("ERR_WEBHOOK_SIGNATURE", message, { status: 401, path: "X-Tessera-Signature" });

interface Signature {
  timestamp: number;
  signatures: Buffer[];
}

const FORMAT = 'expected t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">';

const parseHeader = (header: string): Signature => {
  if (header.length > MAX_HEADER_LENGTH) throw refused(`X-Tessera-Signature is too long: ${FORMAT}`);
  let timestamp: number | undefined;
  const signatures: Buffer[] = [];
  for (const part of header.split(",")) {
    const at = part.indexOf("=");
    if (at < 0) throw refused(`X-Tessera-Signature is malformed: ${FORMAT}`);
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === "t") {
      if (timestamp !== undefined || !TIMESTAMP.test(value)) throw refused(`X-Tessera-Signature needs one t: ${FORMAT}`);
      timestamp = Number(value);
    } else if (name === "v1") {
      if (!HEX_SHA256.test(value)) throw refused(`X-Tessera-Signature's v1 is not 64 lower-case hex digits: ${FORMAT}`);
      signatures.push(Buffer.from(value, "hex"));
    }
    // Other schemes (a future v2) are ignored, so a sender can send both during a change-over.
  }
  if (timestamp === undefined || signatures.length === 0 || signatures.length > MAX_SIGNATURES) {
    throw refused(`X-Tessera-Signature is malformed: ${FORMAT}`);
  }
  return { timestamp, signatures };
};

const expected = (secret: string, timestamp: number, body: Uint8Array): Buffer =>
  createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();

export interface SignatureCheckOptions {
  /** coordinator.webhookSecrets. */
  secrets: Readonly<Record<string, string>>;
  /** Where signatures already accepted are remembered until they would be too old anyway (ctx.once). */
  seen: SingleUse;
  now?: () => number;
}

/**
 * Checks the signature a service's webhook delivery carries over the body's bytes as sent; throws 401
 * ERR_WEBHOOK_SIGNATURE or 409 ERR_WEBHOOK_REPLAY. A key without a secret must send no signature: one
 * that can't be checked must not look as if it had been.
 */
export const webhookSignatureCheck = ({ secrets, seen, now = Date.now }: SignatureCheckOptions) => {
  const secretOf = new Map(Object.entries(secrets));
  return async (request: Request, service: Service, body: Uint8Array): Promise<void> => {
    const header = request.headers.get(SIGNATURE_HEADER);
    const secret = secretOf.get(service.name);
    if (secret === undefined) {
      if (header === null) return;
      throw refused(`No webhook secret is configured for the API key "${service.name}", so its signature can't be checked`);
    }
    if (header === null) throw refused(`Deliveries from the API key "${service.name}" must be signed: send X-Tessera-Signature`);
    const { timestamp, signatures } = parseHeader(header);
    const nowSeconds = Math.floor(now() / 1000);
    if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) {
      throw refused(
        `The signature's timestamp is more than ${TOLERANCE_SECONDS} seconds from the server's clock; sign each delivery afresh`,
      );
    }
    const wanted = expected(secret, timestamp, body);
    // Every candidate is compared, so the time taken says nothing about which came close.
    let matched: Buffer | undefined;
    for (const signature of signatures) if (timingSafeEqual(signature, wanted)) matched = signature;
    if (!matched) throw refused("The signature does not match the body under this key's webhook secret");
    const marker = `coordinator.webhook:${service.name}:${matched.toString("hex")}`;
    if (!(await seen.claim(marker, (timestamp + TOLERANCE_SECONDS + 1) * 1000))) {
      throw new TesseraError("ERR_WEBHOOK_REPLAY", "This signed delivery was already received; sign each delivery afresh", {
        status: 409,
        path: "X-Tessera-Signature",
      });
    }
  };
};
