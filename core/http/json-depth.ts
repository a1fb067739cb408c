// How deeply a parsed JSON value nests, checked without recursion: a body nested thousands deep would
// overflow the stack of a recursive walk, and everything after parsing (validation, its error message,
// storage) costs more with every level.
import { TesseraError } from "../errors/tessera-error";

export const DEFAULT_MAX_JSON_DEPTH = 64;

/** True when an array or object in `value` lies more than `maxDepth` levels down; stops at the first. */
export const nestsDeeperThan = (value: unknown, maxDepth: number): boolean => {
  if (typeof value !== "object" || value === null) return false;
  const pending: unknown[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop();
    const depth = depths.pop() ?? 0;
    if (depth > maxDepth) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node as object);
    for (const child of children) {
      if (typeof child === "object" && child !== null) {
        pending.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
};

export const tooDeep = (maxDepth: number) =>
  new TesseraError("ERR_JSON_TOO_DEEP", `The request body nests arrays and objects more than ${maxDepth} levels deep`, {
    status: 400,
    details: { maxDepth },
  });
