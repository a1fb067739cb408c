// What JSON types a schema admits, looking through unions and intersections; shared by the env
// coercion and the error messages.
import type { Kind } from "@sinclair/typebox";

/** A schema as plain JSON Schema keywords, plus TypeBox's Kind tag. */
export type SchemaNode = { [key: string]: unknown; [Kind]?: unknown };

/** The leaf schemas of a schema: the members of any anyOf/allOf/oneOf, flattened. */
export const schemaMembers = (schema: Record<string, unknown>): Record<string, unknown>[] => {
  const nested = [schema.anyOf, schema.allOf, schema.oneOf].flatMap((list) => (Array.isArray(list) ? list : []));
  return nested.length === 0 ? [schema] : nested.filter(isSchema).flatMap(schemaMembers);
};

/** The JSON Schema `type` names a schema admits (`integer` is listed as itself). */
export const schemaTypes = (schema: Record<string, unknown>): Set<unknown> =>
  new Set(schemaMembers(schema).flatMap((member) => (Array.isArray(member.type) ? member.type : [member.type])));

/** The JSON Schema type name of a parsed JSON value. */
export const jsonType = (value: unknown): string => {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
};

const isSchema = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;
