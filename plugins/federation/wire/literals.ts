// A schema for one of a list of strings, typed as that union (Type.Union over a mapped array widens to string).
import { Type } from "@sinclair/typebox";

export const literals = <T extends string>(values: readonly T[]) =>
  Type.Unsafe<T>(Type.Union(values.map((value) => Type.Literal(value))));
