// Arbitrary JSON stored as sent, except numbers JSON can't carry: past ±1.8e308 a number parses to
// Infinity, which would be written back as null, so what was stored would not be what was sent.
import { Type } from "@sinclair/typebox";
import { validationFailed } from "../errors/tessera-error";

/** Throws ERR_VALIDATION (422) naming the JSON pointer of the first non-finite number; walked without recursion. */
export const requireFiniteNumbers = (value: unknown, at = ""): void => {
  const pending: [unknown, string][] = [[value, at]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (typeof item === "number") {
      if (Number.isFinite(item)) continue;
      throw validationFailed(`${path || "/"} is a number out of range`, {
        path: path || "/",
        details: { errors: [{ path: path || "/", message: "is a number out of range", in: "body" }] },
      });
    }
    if (typeof item !== "object" || item === null) continue;
    for (const [key, child] of Object.entries(item)) pending.push([child, `${path}/${key}`]);
  }
};

/** Any JSON value, stored as sent; numbers must be finite. `path` is where it sits in the body. */
export const JsonValue = (path: string, description = "Any JSON value, stored as sent") =>
  Type.Transform(Type.Unknown({ description }))
    .Decode((value) => {
      requireFiniteNumbers(value, path);
      return value;
    })
    .Encode((value) => value);
