// JSON paths as the config module passes them around (segment arrays) and as users read them
// in error messages (`plugins.api-key.keys[0].hash`).

export type JsonPath = (string | number)[];

const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/;

/** `["plugins", "oidc", "scopes", 0]` → `plugins.oidc.scopes[0]`; the root is `(root)`. */
export const formatPath = (path: JsonPath): string => {
  if (path.length === 0) return "(root)";
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
};

const SEGMENT = /\.?([A-Za-z_$][\w$-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;

/** `formatPath` undone: the segments of a printed path, or undefined when it is not one formatPath prints. */
export const parsePath = (printed: string): JsonPath | undefined => {
  if (printed === "(root)") return [];
  if (printed === "") return undefined;
  const path: JsonPath = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < printed.length) {
    const start = SEGMENT.lastIndex;
    const match = SEGMENT.exec(printed);
    if (!match) return undefined;
    const [whole, key, index, quoted] = match;
    // A key is dotted exactly when it is not the first segment.
    if (key !== undefined && whole.startsWith(".") !== start > 0) return undefined;
    if (key !== undefined) path.push(key);
    else if (index !== undefined) path.push(Number(index));
    else if (quoted !== undefined) path.push(JSON.parse(quoted) as string);
  }
  return path;
};

/**
 * A TypeBox error path (an RFC 6901 pointer) as segments. The value is walked alongside so that
 * array indices come back as numbers, which `formatPath` and `locate` both rely on.
 */
export const pointerToPath = (pointer: string, root: unknown): JsonPath => {
  if (pointer === "") return [];
  const path: JsonPath = [];
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(node) && /^\d+$/.test(key)) {
      const index = Number(key);
      path.push(index);
      node = node[index];
    } else {
      path.push(key);
      node = isRecord(node) ? node[key] : undefined;
    }
  }
  return path;
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
