// Turns TypeBox's value errors into messages a self-hoster can act on: what was expected and, when
// it is safe, what was found. String values are never echoed (they may be secrets) unless the
// schema is an enum, where the value is one of a known, public set of words.
import { Kind } from "@sinclair/typebox";
import { type ValueError, ValueErrorType } from "@sinclair/typebox/errors";
import { isRecord } from "./json-path";
import { jsonType, type SchemaNode, schemaMembers, schemaTypes } from "./schema-types";
import { closestMatch } from "./suggest";

export interface FriendlyError {
  /** The TypeBox (RFC 6901) path of the offending value. */
  pointer: string;
  message: string;
}

/** `isSecret(pointer)` says whether the value at a path came from the environment. */
export const friendlyErrors = (error: ValueError, isSecret: (pointer: string) => boolean): FriendlyError[] => {
  const at = (message: string): FriendlyError[] => [{ pointer: error.path, message }];
  const schema: SchemaNode = error.schema;
  const found = () => (isSecret(error.path) ? jsonType(error.value) : describeValue(error.value, isEnumLike(schema)));
  switch (error.type) {
    // The failing member's own errors were reported just before this summary.
    case ValueErrorType.Intersect:
      return [];
    case ValueErrorType.Union:
      return unionErrors(error, isSecret) ?? at(`expected ${describeSchema(schema)}, got ${found()}`);
    case ValueErrorType.ObjectAdditionalProperties:
    case ValueErrorType.IntersectUnevaluatedProperties:
      return at(unknownKeyMessage(error.path, knownKeys(schema)));
    case ValueErrorType.ObjectRequiredProperty:
      return at(`missing, expected ${describeSchema(schema)}`);
    case ValueErrorType.StringMinLength:
      return at(schema.minLength === 1 ? "expected a non-empty string" : `expected at least ${schema.minLength} characters`);
    case ValueErrorType.StringMaxLength:
      return at(`expected at most ${schema.maxLength} characters`);
    case ValueErrorType.StringPattern:
      return at(`expected a string matching /${schema.pattern}/`);
    case ValueErrorType.StringFormat:
      return at(`expected a string in ${schema.format} format`);
    case ValueErrorType.ArrayMinItems:
      return at(`expected at least ${schema.minItems} item(s), got ${arrayLength(error.value)}`);
    case ValueErrorType.ArrayMaxItems:
      return at(`expected at most ${schema.maxItems} item(s), got ${arrayLength(error.value)}`);
    case ValueErrorType.ArrayUniqueItems:
      return at("expected unique items");
    case ValueErrorType.Array:
    case ValueErrorType.Boolean:
    case ValueErrorType.Integer:
    case ValueErrorType.IntegerExclusiveMaximum:
    case ValueErrorType.IntegerExclusiveMinimum:
    case ValueErrorType.IntegerMaximum:
    case ValueErrorType.IntegerMinimum:
    case ValueErrorType.IntegerMultipleOf:
    case ValueErrorType.Literal:
    case ValueErrorType.Null:
    case ValueErrorType.Number:
    case ValueErrorType.NumberExclusiveMaximum:
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.NumberMultipleOf:
    case ValueErrorType.Object:
    case ValueErrorType.String:
      return at(`expected ${describeSchema(schema)}, got ${found()}`);
    default:
      // TypeBox's own wording never includes the value.
      return at(error.message.charAt(0).toLowerCase() + error.message.slice(1));
  }
};

/**
 * For a union, report against the member the value was most likely meant for (the one of the same
 * JSON type with the fewest errors); undefined when no member has the value's type.
 */
const unionErrors = (error: ValueError, isSecret: (pointer: string) => boolean): FriendlyError[] | undefined => {
  const variants: unknown[] = Array.isArray(error.schema.anyOf) ? error.schema.anyOf : [];
  const type = jsonType(error.value);
  let best: ValueError[] | undefined;
  error.errors.forEach((iterator, index) => {
    const variant = variants[index];
    if (!isRecord(variant) || isEnumLike(variant)) return;
    const types = schemaTypes(variant);
    if (!types.has(type) && !(type === "number" && types.has("integer"))) return;
    const errors = [...iterator];
    if (best === undefined || errors.length < best.length) best = errors;
  });
  return best?.flatMap((inner) => friendlyErrors(inner, isSecret));
};

const unknownKeyMessage = (pointer: string, allowed: string[]): string => {
  const key = (pointer.split("/").pop() ?? "").replace(/~1/g, "/").replace(/~0/g, "~");
  const suggestion = closestMatch(key, allowed);
  if (suggestion !== undefined) return `unknown property, did you mean \`${suggestion}\`?`;
  if (allowed.length === 0) return "unknown property, none are allowed here";
  return `unknown property, expected one of ${allowed.map((name) => `\`${name}\``).join(", ")}`;
};

const knownKeys = (schema: SchemaNode): string[] =>
  [schema, ...(Array.isArray(schema.allOf) ? schema.allOf : [])].flatMap((member) =>
    isRecord(member) && isRecord(member.properties) ? Object.keys(member.properties) : [],
  );

const isEnumLike = (schema: SchemaNode): boolean =>
  Array.isArray(schema.enum) ||
  "const" in schema ||
  (Array.isArray(schema.anyOf) && schemaMembers(schema).every((member) => "const" in member || Array.isArray(member.enum)));

/** "integer between 0 and 65535", `one of "debug", "info"`, "string or object". */
export const describeSchema = (schema: SchemaNode): string => {
  if ("const" in schema) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return `one of ${schema.enum.map((item) => JSON.stringify(item)).join(", ")}`;
  if (Array.isArray(schema.anyOf)) {
    const members = schema.anyOf.filter(isRecord);
    if (members.every((member) => "const" in member)) {
      return `one of ${members.map((member) => JSON.stringify(member.const)).join(", ")}`;
    }
    return [...new Set(members.map(describeSchema))].join(" or ");
  }
  switch (schema.type) {
    case "integer":
    case "number":
      return `${schema.type}${bounds(schema)}`;
    case "array":
      return isRecord(schema.items) && "type" in schema.items ? `array of ${describeSchema(schema.items)}` : "array";
    case "string":
    case "boolean":
    case "object":
    case "null":
      return schema.type;
    default:
      return typeof schema[Kind] === "string" ? schema[Kind].toLowerCase() : "a valid value";
  }
};

const bounds = (schema: SchemaNode): string => {
  const parts: string[] = [];
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = schema;
  if (typeof minimum === "number" && typeof maximum === "number") parts.push(` between ${minimum} and ${maximum}`);
  else if (typeof minimum === "number") parts.push(` >= ${minimum}`);
  else if (typeof maximum === "number") parts.push(` <= ${maximum}`);
  if (typeof exclusiveMinimum === "number") parts.push(` > ${exclusiveMinimum}`);
  if (typeof exclusiveMaximum === "number") parts.push(` < ${exclusiveMaximum}`);
  if (typeof multipleOf === "number") parts.push(` (a multiple of ${multipleOf})`);
  return parts.join(",");
};

/** Numbers and booleans are shown; strings only when `showStrings` (enum members). */
const describeValue = (value: unknown, showStrings: boolean): string => {
  if (value === undefined) return "nothing";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (typeof value === "string") return showStrings ? JSON.stringify(value) : "string";
  return jsonType(value);
};

const arrayLength = (value: unknown): string => (Array.isArray(value) ? `${value.length}` : jsonType(value));
