// Database values across the wire: JSON carries strings, numbers, booleans and null; bytes and big
// integers are tagged so they come back as what they were. Both ends use these two functions.
import type { WireValue } from "./protocol";

const toBase64 = (bytes: Uint8Array): string => {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
};

const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (char) => char.charCodeAt(0));

export const toWire = (value: unknown): WireValue => {
  if (value === undefined || value === null) return null;
  if (typeof value === "bigint") return { $bigint: value.toString() };
  if (value instanceof Uint8Array) return { $bytes: toBase64(value) };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toWire);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toWire(inner)]));
  }
  if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") return value;
  return String(value);
};

export const fromWire = (value: WireValue): unknown => {
  if (Array.isArray(value)) return value.map(fromWire);
  if (value === null || typeof value !== "object") return value;
  if ("$bytes" in value && typeof value.$bytes === "string" && Object.keys(value).length === 1) return fromBase64(value.$bytes);
  if ("$bigint" in value && typeof value.$bigint === "string" && Object.keys(value).length === 1) return BigInt(value.$bigint);
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, fromWire(inner)]));
};
