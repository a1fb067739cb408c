// Strict request bodies for routes that change state: a JSON object the route's schema describes, or
// nothing at all. Elysia's own optional-body handling skips validation for anything that is not a
// non-empty object (`[]`, `42`, `null`, malformed JSON), so such a body would reach the handler as if
// none had been sent; these hooks read the body themselves and refuse it first.
import type { TObject, TSchema } from "@sinclair/typebox";
import { badRequest, TesseraError, validationFailed } from "../errors/tessera-error";
import { decodeUtf8 } from "../text/utf8";
import { requireFiniteNumbers } from "./json-value";

/** Runs before the body is read (an access check), so a caller who may not call learns nothing of its shape. */
export type BodyGuard = (request: Request) => unknown;

const unsupported = () =>
  new TesseraError("ERR_UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json", {
    status: 415,
  });

const notAnObject = (what: string) =>
  validationFailed(`The request body is invalid: / ${what}`, {
    details: { errors: [{ path: "/", message: what, in: "body" }] },
  });

const isJson = (contentType: string | null) => contentType?.split(";", 1)[0]?.trim().toLowerCase() === "application/json";

/** 415 unless the request declares a JSON body. */
export const requireJsonContentType = (request: Request): void => {
  if (!isJson(request.headers.get("content-type"))) throw unsupported();
};

/** A body's bytes as JSON: valid UTF-8 (never repaired), well-formed, and only numbers JSON can carry back. */
export const parseJsonBytes = (bytes: ArrayBuffer | Uint8Array): unknown => {
  const text = decodeUtf8(bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw badRequest("The request body is not well-formed JSON", { cause });
  }
  requireFiniteNumbers(value);
  return value;
};

/** The body as JSON; none (no body, or an empty one) is `undefined`. */
const readJson = async (request: Request): Promise<unknown> => {
  if (request.body === null) return undefined;
  const bytes = await request.arrayBuffer();
  if (bytes.byteLength === 0) return undefined;
  requireJsonContentType(request);
  return parseJsonBytes(bytes);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

type Parse = (context: { request: Request }) => Promise<Record<string, unknown>>;

/** required: the object; optional: the object or nothing; none: nothing. */
type Expect = "required" | "optional" | "none";

const parser =
  (expect: Expect, guard?: BodyGuard): Parse =>
  async ({ request }) => {
    if (guard) await guard(request);
    const value = await readJson(request);
    if (value === undefined) {
      if (expect === "required") throw notAnObject("is required: send a JSON object");
      // An empty object, never undefined: Elysia would otherwise parse the (already read) body again.
      return {};
    }
    if (expect === "none") throw notAnObject("must be left out: this route takes no body");
    if (!isObject(value)) throw notAnObject("must be a JSON object");
    return value;
  };

/** Route options for a body that must be a JSON object `schema` describes (Elysia validates it next). */
export const JsonBody = <S extends TSchema>(schema: S, guard?: BodyGuard) => ({
  body: schema,
  parse: parser("required", guard),
});

/**
 * Route options for a body that may be left out: no body, or the object `schema`, whose properties must
 * all be optional, as no body reads as `{}`.
 */
export const OptionalBody = <S extends TObject>(schema: S, guard?: BodyGuard) => {
  if (schema.required?.length) {
    throw new TypeError(`OptionalBody: no body reads as {}, so ${schema.required.join(", ")} can't be required`);
  }
  return { body: schema, parse: parser("optional", guard) };
};

/** Route options for a route that takes no body: anything sent is refused (415 or 422). */
export const NoBody = (guard?: BodyGuard) => ({
  parse: parser("none", guard),
});
