// What a route answers, for the OpenAPI document: its success bodies and the statuses of its refusals,
// all of which are problem+json (problem.ts). Documented through `detail.responses`, not Elysia's
// `response` option, so that a body drifting from its schema is a failing test, never a 500 in production.
import { STATUS_CODES } from "node:http";
import { type TSchema, Type } from "@sinclair/typebox";
import type { DocumentDecoration } from "elysia";

/** Elysia types `detail` with OpenAPI 3.0's objects; a TypeBox schema is the JSON Schema that 3.1 takes. */
type Responses = NonNullable<DocumentDecoration["responses"]>;

export const PROBLEM_REF = "#/components/schemas/Problem";

/** RFC 9457 problem+json as problemBody writes it; a refusal may add fields of its own (a peer id, a limit). */
export const Problem = Type.Object(
  {
    type: Type.String({ description: "urn:tessera:problem:<code>" }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    code: Type.String({ pattern: "^ERR_[A-Z0-9_]+$", description: "Stable; branch on this" }),
    detail: Type.String(),
    path: Type.Optional(Type.String({ description: "The offending config path, field or value" })),
    instance: Type.Optional(Type.String({ description: "The request's path" })),
    requestId: Type.Optional(Type.String({ description: "Quote it to find the failure in the server's log" })),
  },
  { additionalProperties: true },
);

/** A body in another media type than JSON, or none (a redirect, 204). */
export interface OtherResponse {
  description: string;
  /** Media type → schema; null for a response without a body. */
  body: Record<string, TSchema> | null;
  /** Header name → description (Location on a redirect). */
  headers?: Record<string, string>;
}

export type Documented = TSchema | OtherResponse;

const isOther = (value: Documented): value is OtherResponse => "body" in value;

const describe = (status: number) => STATUS_CODES[status] ?? `HTTP ${status}`;

const toResponse = (status: number, value: Documented) => {
  if (!isOther(value)) {
    return { description: value.description ?? describe(status), content: { "application/json": { schema: value } } };
  }
  return {
    description: value.description,
    ...(value.body
      ? { content: Object.fromEntries(Object.entries(value.body).map(([type, schema]) => [type, { schema }])) }
      : {}),
    ...(value.headers
      ? {
          headers: Object.fromEntries(
            Object.entries(value.headers).map(([name, description]) => [name, { description, schema: { type: "string" } }]),
          ),
        }
      : {}),
  };
};

/** A redirect (302, 303): no body, a Location header. */
export const redirect = (description: string): OtherResponse => ({
  description,
  body: null,
  headers: { Location: "Where the browser goes next" },
});

/** A refusal: problem+json, described by its status, or by `description` for the catch-all. */
export const refusalDoc = (status: number, description = describe(status)) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: PROBLEM_REF } } },
});

/**
 * `detail.responses` for a route: its successes by status, then the statuses it refuses with.
 * Every operation also gets a `default` problem response in the document (openapi-routes.ts).
 */
export const responses = (successes: Record<number, Documented>, ...refusals: number[]): Responses => {
  const all: Record<string, unknown> = {};
  for (const [status, value] of Object.entries(successes)) all[status] = toResponse(Number(status), value);
  for (const status of refusals) all[String(status)] = refusalDoc(status);
  return all as Responses;
};
