// Checks one config section against its TypeBox schema: applies defaults, rejects unknown keys,
// and reports every problem at once, each with its line, column and JSON path.
import type { Static, TSchema } from "@sinclair/typebox";
import { type TypeCheck, TypeCompiler } from "@sinclair/typebox/compiler";
import { Value } from "@sinclair/typebox/value";
import { coerceEnvStrings } from "./coerce-env";
import { type ConfigIssue, configError, issueAt } from "./config-issue";
import { friendlyErrors } from "./error-message";
import { formatPath, type JsonPath, pointerToPath } from "./json-path";
import type { ConfigSource } from "./source";
import { strictSchema } from "./strict-schema";

export interface ValidateOptions {
  /** For line:col in errors; absent for the embedded default. */
  source?: ConfigSource;
  /** Where the section sits in the file, e.g. `["plugins", "websocket"]`. */
  basePath: JsonPath;
  /** Printed paths of values that came from the environment (see interpolateEnv). */
  secretPaths?: ReadonlySet<string>;
}

interface Compiled {
  schema: TSchema;
  check: TypeCheck<TSchema>;
}

// Compiling is the expensive part and each plugin schema is checked once per load.
const compiled = new WeakMap<TSchema, Compiled>();

const compile = (schema: TSchema): Compiled => {
  const known = compiled.get(schema);
  if (known !== undefined) return known;
  const strict = strictSchema(schema);
  const entry = { schema: strict, check: TypeCompiler.Compile(strict) };
  compiled.set(schema, entry);
  return entry;
};

/** The section with defaults applied; throws ERR_CONFIG_INVALID listing every problem. */
export const validateSection = <S extends TSchema>(schema: S, value: unknown, options: ValidateOptions): Static<S> => {
  const { schema: strict, check } = compile(schema);
  const secretPaths = options.secretPaths ?? new Set<string>();
  // Value.Default fills in place; the caller's value stays as it was.
  const coerced = coerceEnvStrings(strict, structuredClone(value), options.basePath, secretPaths);
  const defaulted: unknown = Value.Default(strict, coerced);
  if (check.Check(defaulted)) return defaulted as Static<S>;

  const fullPath = (pointer: string): JsonPath => [...options.basePath, ...pointerToPath(pointer, defaulted)];
  const isSecret = (pointer: string) => secretPaths.has(formatPath(fullPath(pointer)));
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const error of check.Errors(defaulted)) {
    for (const { pointer, message } of friendlyErrors(error, isSecret)) {
      // TypeBox can report one path twice (a missing key, then its type); the first is the clearer.
      if (seen.has(pointer)) continue;
      seen.add(pointer);
      issues.push(issueAt(options.source, fullPath(pointer), message));
    }
  }
  if (issues.length === 0) issues.push(issueAt(options.source, options.basePath, "invalid value"));
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  throw configError("ERR_CONFIG_INVALID", issues, options.source);
};
