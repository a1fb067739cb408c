// Rows from Bun.sql as drizzle's pg-proxy expects them: dates and times in PostgreSQL's text form (what
// its column types parse, e.g. a `timestamp` appends "+0000"), lists as plain arrays.
import type { WireValue } from "../wire/protocol";
import { toWire } from "../wire/values";

export interface Column {
  name: string;
  /** The type's OID. */
  type: number;
}

// Scalar and array OIDs alike: an array's elements are rendered as its scalar's.
const TIMESTAMP = new Set([1114, 1115]);
const TIMESTAMPTZ = new Set([1184, 1185]);
const DATE = new Set([1082, 1182]);

const text = (value: unknown, type: number): unknown => {
  if (value instanceof Date) {
    const iso = value.toISOString();
    if (DATE.has(type)) return iso.slice(0, 10);
    const local = iso.slice(0, -1).replace("T", " ");
    if (TIMESTAMP.has(type)) return local;
    if (TIMESTAMPTZ.has(type)) return `${local}+00`;
    return iso;
  }
  if (Array.isArray(value)) return value.map((inner) => text(inner, type));
  // Lists of int2, int4, float4 and float8 arrive as typed arrays; bytea stays bytes.
  if (
    value instanceof Int16Array ||
    value instanceof Int32Array ||
    value instanceof Float32Array ||
    value instanceof Float64Array
  ) {
    return Array.from(value);
  }
  return value;
};

export const arrayRow = (row: unknown[], columns: readonly Column[]): WireValue[] =>
  row.map((value, index) => toWire(text(value, columns[index]?.type ?? 0)));

export const objectRow = (row: Record<string, unknown>, columns: readonly Column[]): Record<string, WireValue> => {
  const types = new Map(columns.map((column) => [column.name, column.type]));
  return Object.fromEntries(Object.entries(row).map(([name, value]) => [name, toWire(text(value, types.get(name) ?? 0))]));
};
