// Where to send the browser after sign-in: a path on this site only. Anything that a browser could
// read as another origin (//evil, /\evil, absolute URLs, control characters) falls back to "/".
const BASE = "http://tessera.invalid";
const MAX_LENGTH = 2048;

export const safeReturnTo = (value: unknown): string => {
  if (typeof value !== "string" || value === "" || value.length > MAX_LENGTH) return "/";
  if (!value.startsWith("/") || value.startsWith("//")) return "/";
  // Browsers read "\" as "/" and drop tabs and newlines, which turns "/\evil" or "/\t/evil" into "//evil".
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  if (/[\\\u0000-\u001f\u007f]/.test(value)) return "/";
  const url = new URL(value, BASE);
  if (url.origin !== BASE) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
};
