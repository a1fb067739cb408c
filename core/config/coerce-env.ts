// Interpolation yields strings, but `"port": "${PORT:-3000}"` should still be a port: where the
// schema wants a number or boolean, a string that came from the environment is converted.
// Strings written literally in the file are left alone, so `"port": "3000"` stays an error.
import type { TSchema } from "@sinclair/typebox";
import { formatPath, isRecord, type JsonPath } from "./json-path";
import { schemaMembers, schemaTypes } from "./schema-types";

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

/** `value` with env-derived strings converted where `schema` asks for it; `value` itself is not modified. */
export const coerceEnvStrings = (schema: TSchema, value: unknown, path: JsonPath, secretPaths: ReadonlySet<string>): unknown => {
  if (secretPaths.size === 0) return value;
  const visit = (node: Record<string, unknown>, item: unknown, at: JsonPath): unknown => {
    if (typeof item === "string") return secretPaths.has(formatPath(at)) ? convert(schemaTypes(node), item) : item;
    // For unions and intersections, descend through every member that could describe the value.
    let result = item;
    for (const member of schemaMembers(node)) {
      if (Array.isArray(result) && isRecord(member.items)) {
        const items = member.items;
        result = result.map((element, index) => visit(items, element, [...at, index]));
      } else if (isRecord(result)) {
        const current: Record<string, unknown> = result;
        result = Object.fromEntries(
          Object.entries(current).map(([key, element]) => {
            const child = propertySchema(member, key);
            return [key, child === undefined ? element : visit(child, element, [...at, key])];
          }),
        );
      }
    }
    return result;
  };
  return visit(schema, value, path);
};

const propertySchema = (schema: Record<string, unknown>, key: string): Record<string, unknown> | undefined => {
  const properties = schema.properties;
  if (isRecord(properties) && isRecord(properties[key])) return properties[key];
  const patterns = schema.patternProperties;
  if (isRecord(patterns)) {
    for (const [pattern, child] of Object.entries(patterns)) if (isRecord(child) && new RegExp(pattern).test(key)) return child;
  }
  return isRecord(schema.additionalProperties) ? schema.additionalProperties : undefined;
};

const convert = (types: Set<unknown>, text: string): unknown => {
  if (types.has("string")) return text;
  if ((types.has("number") || types.has("integer")) && NUMBER.test(text)) return Number(text);
  if (types.has("boolean") && (text === "true" || text === "false")) return text === "true";
  return text;
};
