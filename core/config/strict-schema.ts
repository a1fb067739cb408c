// Unknown config keys are errors (a typo must not silently fall back to a default), so every
// object schema rejects extra keys unless its author explicitly set `additionalProperties`.
import { CloneType, Kind, type TSchema } from "@sinclair/typebox";
import { isRecord } from "./json-path";
import type { SchemaNode } from "./schema-types";

const SCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;
const SCHEMA_MAPS = ["properties", "patternProperties"] as const;
const SCHEMA_VALUES = ["items", "additionalProperties", "unevaluatedProperties", "not", "contains"] as const;

/** A strict copy of `schema`; the original is left untouched. */
export const strictSchema = <S extends TSchema>(schema: S): S => {
  const copy = CloneType(schema);
  tighten(copy, false);
  return copy;
};

const tighten = (schema: SchemaNode, intersectMember: boolean): void => {
  // An intersection's members each see only their own keys, so the intersection as a whole
  // rejects the keys none of them know.
  if (schema[Kind] === "Intersect" && schema.unevaluatedProperties === undefined) schema.unevaluatedProperties = false;
  if (schema[Kind] === "Object" && schema.additionalProperties === undefined && !intersectMember) {
    schema.additionalProperties = false;
  }
  const members = schema[Kind] === "Intersect";
  for (const key of SCHEMA_LISTS) {
    const list = schema[key];
    if (Array.isArray(list)) for (const item of list) if (isRecord(item)) tighten(item, members && key === "allOf");
  }
  for (const key of SCHEMA_MAPS) {
    const map = schema[key];
    if (isRecord(map)) for (const item of Object.values(map)) if (isRecord(item)) tighten(item, false);
  }
  for (const key of SCHEMA_VALUES) {
    const item = schema[key];
    if (isRecord(item)) tighten(item, false);
  }
};
