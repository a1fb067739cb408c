// The JSON Schema of the whole tessera.jsonc (`tessera schema`), for completion and checking in
// editors: the core schema with each plugin's own keys under `plugins.<name>`.
import type { TSchema } from "@sinclair/typebox";
import { CoreConfigSchema, PluginEntrySchema } from "./core-schema";
import { isRecord } from "./json-path";
import { strictSchema } from "./strict-schema";

type JsonSchema = Record<string, unknown>;

// Unanchored on purpose: `postgres://${DB_USER}@db/tessera` is also a placeholder.
const ENV_PLACEHOLDER: JsonSchema = {
  type: "string",
  pattern: "\\$\\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\\}",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: this is the config's own ${VAR} syntax, not a template
  description: "Set from an environment variable: ${NAME} or ${NAME:-default}.",
};

export const configJsonSchema = (plugins: readonly { name: string; config: TSchema }[]): JsonSchema => {
  const root = plain(strictSchema(CoreConfigSchema));
  const section = isRecord(root.properties) ? root.properties.plugins : undefined;
  if (isRecord(section) && isRecord(root.properties)) {
    const { patternProperties: _anyName, ...rest } = section;
    root.properties.plugins = {
      ...rest,
      properties: Object.fromEntries(plugins.map((plugin) => [plugin.name, pluginSection(plugin.config)])),
      // Third-party plugins (paths, packages) are unknown until loaded; check only the core's keys.
      additionalProperties: plain(strictSchema(PluginEntrySchema)),
    };
  }
  return {
    $schema: "http://json-schema.org/draft-07/schema#",
    title: "tessera.jsonc",
    ...editorFriendly(root),
  };
};

const pluginSection = (config: TSchema): JsonSchema => {
  const own = plain(strictSchema(config));
  const core = plain(strictSchema(PluginEntrySchema));
  if (own.type !== "object" || !isRecord(own.properties)) return { allOf: [core, own] };
  return {
    ...own,
    properties: { ...(isRecord(core.properties) ? core.properties : {}), ...own.properties },
    required: ["enabled", ...(Array.isArray(own.required) ? own.required : [])],
  };
};

// JSON round trip: drops TypeBox's symbol keys and shares nothing with the live schema objects.
const plain = (schema: TSchema): JsonSchema => JSON.parse(JSON.stringify(schema));

/**
 * What the runtime accepts but the raw schema would flag: keys with a default may be left out,
 * and any typed or constrained value may be a `${VAR}` placeholder.
 */
const editorFriendly = (node: JsonSchema): JsonSchema => {
  const out: JsonSchema = { ...node };
  const properties = node.properties;
  if (isRecord(properties)) {
    out.properties = mapValues(properties, editorFriendly);
    const required = Array.isArray(node.required)
      ? node.required.filter((key) => !(isRecord(properties[key]) && "default" in properties[key]))
      : [];
    if (required.length > 0) out.required = required;
    else delete out.required;
  }
  if (isRecord(node.patternProperties)) out.patternProperties = mapValues(node.patternProperties, editorFriendly);
  if (isRecord(node.additionalProperties)) out.additionalProperties = editorFriendly(node.additionalProperties);
  if (isRecord(node.items)) out.items = editorFriendly(node.items);
  for (const key of ["anyOf", "allOf", "oneOf"] as const) {
    const list = node[key];
    if (Array.isArray(list)) out[key] = list.map((member) => (isRecord(member) ? structural(member) : member));
  }
  if (Array.isArray(node.anyOf) && node.anyOf.some((member) => isRecord(member) && isScalar(member))) {
    out.anyOf = [...(Array.isArray(out.anyOf) ? out.anyOf : []), ENV_PLACEHOLDER];
  }
  if (!isScalar(node)) return out;
  // Hover text and default belong to the property, not to one alternative.
  const { description, default: fallback, ...value } = out;
  return {
    ...(description === undefined ? {} : { description }),
    ...(fallback === undefined ? {} : { default: fallback }),
    anyOf: [value, ENV_PLACEHOLDER],
  };
};

/** A union member: made editor-friendly inside, but the placeholder is added once, on the union. */
const structural = (node: JsonSchema): JsonSchema => {
  if (isScalar(node)) return node;
  return editorFriendly(node);
};

/** A value a `${VAR}` string could not otherwise stand for. */
const isScalar = (node: JsonSchema): boolean =>
  node.type === "integer" ||
  node.type === "number" ||
  node.type === "boolean" ||
  "const" in node ||
  Array.isArray(node.enum) ||
  (node.type === "string" && (node.pattern !== undefined || node.format !== undefined));

const mapValues = (record: Record<string, unknown>, map: (value: JsonSchema) => JsonSchema): JsonSchema =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, isRecord(value) ? map(value) : value]));
