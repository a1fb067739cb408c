// The strict body hooks through Elysia: what reaches a handler is the documented object or nothing.
import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { Elysia } from "elysia";
import { forbidden } from "../../../core/errors/tessera-error";
import { JsonBody, NoBody, OptionalBody } from "../../../core/http/json-body";
import { toTesseraError } from "../../../core/http/to-tessera-error";

const Fields = Type.Object({ n: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })) }, { additionalProperties: false });

const app = new Elysia({ normalize: false })
  .onError(({ code, error, request, set }) => {
    const problem = toTesseraError(code, error, request.method, "/");
    set.status = problem.status;
    return { code: problem.code };
  })
  .post("/optional", ({ body }) => ({ got: body }), OptionalBody(Fields))
  .post("/required", ({ body }) => ({ got: body }), JsonBody(Type.Object({ n: Type.Integer() }, { additionalProperties: false })))
  .post("/none", () => ({ got: "nothing" }), NoBody())
  .post(
    "/guarded",
    () => ({ got: "nothing" }),
    NoBody(() => Promise.reject(forbidden())),
  );

const send = async (path: string, body?: BodyInit, contentType = "application/json") => {
  const response = await app.handle(
    new Request(`http://localhost${path}`, {
      method: "POST",
      body,
      headers: body === undefined ? {} : { "content-type": contentType },
    }),
  );
  return { status: response.status, body: await response.json() };
};

describe("strict JSON bodies", () => {
  test("an optional body: none, an empty one and the object are accepted; none reads as {}", async () => {
    expect(await send("/optional")).toEqual({ status: 200, body: { got: {} } });
    expect(await send("/optional", "")).toEqual({ status: 200, body: { got: {} } });
    expect(await send("/optional", '{"n":3}')).toEqual({ status: 200, body: { got: { n: 3 } } });
  });

  test("refuses JSON that is not an object with 422, malformed JSON and invalid UTF-8 with 400", async () => {
    for (const path of ["/optional", "/required"]) {
      for (const sent of ["[]", "42", "null", '"x"', "true"]) {
        const { status, body } = await send(path, sent);
        expect({ path, sent, status, code: body.code }).toEqual({ path, sent, status: 422, code: "ERR_VALIDATION" });
      }
      expect((await send(path, "{")).body.code).toBe("ERR_BAD_REQUEST");
      expect((await send(path, new Uint8Array([0x7b, 0xff, 0x7d]))).body.code).toBe("ERR_BAD_REQUEST");
    }
  });

  test("refuses another media type with 415, even when its text is JSON", async () => {
    expect(await send("/optional", '{"n":1}', "text/plain")).toEqual({
      status: 415,
      body: { code: "ERR_UNSUPPORTED_MEDIA_TYPE" },
    });
  });

  test("refuses a number JSON can't carry back and one outside the schema's range", async () => {
    expect((await send("/optional", '{"n":1e309}')).status).toBe(422);
    expect((await send("/optional", '{"n":1e308}')).status).toBe(422);
    expect((await send("/optional", '{"n":"5"}')).status).toBe(422);
  });

  test("a required body must be there; a route without one refuses even {}", async () => {
    expect((await send("/required")).status).toBe(422);
    expect(await send("/none")).toEqual({ status: 200, body: { got: "nothing" } });
    expect((await send("/none", "{}")).status).toBe(422);
  });

  test("the guard answers before the body is read", async () => {
    expect(await send("/guarded", "not json", "text/plain")).toEqual({ status: 403, body: { code: "ERR_FORBIDDEN" } });
  });

  test("an optional body whose schema has a required property is a mistake caught when the route is defined", () => {
    expect(() => OptionalBody(Type.Object({ n: Type.Integer() }))).toThrow(TypeError);
  });
});
