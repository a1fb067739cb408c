// For a plugin that applies only some of its settings on reload: the new config with the others kept
// at their start-up values, and which of those the new file changed (the reload's `needsRestart`).
import { isDeepStrictEqual } from "node:util";

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null;

const at = (config: unknown, keys: readonly string[]): unknown => {
  let value: unknown = config;
  for (const key of keys) value = isObject(value) ? Reflect.get(value, key) : undefined;
  return value;
};

const put = (config: object, keys: readonly string[], value: unknown): void => {
  const parents = keys.slice(0, -1);
  const last = keys.at(-1) ?? "";
  let target = config;
  for (const key of parents) {
    const child: unknown = Reflect.get(target, key);
    if (isObject(child)) {
      target = child;
      continue;
    }
    const made = {};
    Reflect.set(target, key, made);
    target = made;
  }
  if (value === undefined) Reflect.deleteProperty(target, last);
  else Reflect.set(target, last, structuredClone(value));
};

/**
 * `paths` are dotted, inside the plugin's section ("path", "sse.enabled"). `next` is not changed: the
 * config returned is a copy.
 */
export const restartOnly = <C extends object>(
  started: C,
  next: C,
  paths: readonly string[],
): { config: C; needsRestart: string[] } => {
  const config = structuredClone(next);
  const needsRestart: string[] = [];
  for (const path of paths) {
    const keys = path.split(".");
    const before = at(started, keys);
    if (isDeepStrictEqual(before, at(next, keys))) continue;
    needsRestart.push(path);
    put(config, keys, before);
  }
  return { config, needsRestart };
};
