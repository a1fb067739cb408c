// Checks a parsed body before Elysia validates it: nesting past server.maxJsonDepth is a 400, and a
// body its route's schema refuses is a 422 written by Tessera (validation-problem.ts). Elysia would
// otherwise build a ValidationError whose message pretty-prints the whole value, at a cost that grows
// with size times depth. Runs as a transform hook, after whichever parser read the body (Elysia's, or
// a route's own that checks the caller first), so it adds no read and changes no order.
import type { TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { nestsDeeperThan, tooDeep } from "./json-depth";
import { schemaIssues, validationProblem } from "./validation-problem";

/** What the root app knows of a mounted route (Elysia's `app.routes`). */
export interface RouteEntry {
  method: string;
  path: string;
  hooks?: { body?: unknown };
}

export interface BodyParts {
  request: Request;
  route: string;
  body: unknown;
}

const isSchema = (value: unknown): value is TSchema => typeof value === "object" && value !== null;

const compile = (schema: unknown): TypeCheck<TSchema> | null => {
  if (!isSchema(schema)) return null;
  try {
    return TypeCompiler.Compile(schema);
  } catch {
    // A schema TypeBox can't compile alone (one naming a model) is left to Elysia's own validation.
    return null;
  }
};

/**
 * The transform hook. `routes` is read when a route is first seen, as plugins mount their routes on the
 * root app after it is created.
 */
export const bodyGuard = (routes: () => readonly RouteEntry[], maxDepth: number) => {
  const checks = new Map<string, TypeCheck<TSchema> | null>();
  const checkFor = (method: string, route: string) => {
    const key = `${method} ${route}`;
    let check = checks.get(key);
    if (check === undefined) {
      const entry = routes().find((candidate) => candidate.method === method && candidate.path === route);
      check = compile(entry?.hooks?.body);
      checks.set(key, check);
    }
    return check;
  };

  return function checkBody({ request, route, body }: BodyParts) {
    // Primitives are cheap to report whatever their size; only arrays and objects nest.
    if (typeof body !== "object" || body === null) return;
    if (nestsDeeperThan(body, maxDepth)) throw tooDeep(maxDepth);
    const check = checkFor(request.method, route);
    if (check !== null && !check.Check(body)) throw validationProblem(schemaIssues(check, body), "body");
  };
};
