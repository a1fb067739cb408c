// The child is hostile: every params object it sends is checked against its schema before a service
// sees it, and a wrong shape is an ERR_ISOLATION_PROTOCOL error reply, never a crash of the core.
import type { Static, TSchema } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { TesseraError } from "../../errors/tessera-error";

export const protocolError = (message: string) => new TesseraError("ERR_ISOLATION_PROTOCOL", message, { status: 500 });

/** A checker for one method's params; its result is the params, typed. */
export const paramsOf = <S extends TSchema>(method: string, schema: S): ((value: unknown) => Static<S>) => {
  const check = TypeCompiler.Compile(schema);
  return (value) => {
    if (check.Check(value)) return value;
    const first = check.Errors(value).First();
    throw protocolError(`${method}: invalid params${first ? ` at ${first.path || "/"}: ${first.message}` : ""}`);
  };
};
