// Where to send the browser after sign-in: a path on this site only. The value is judged twice: as
// sent, and as normalised (dot segments collapsed, escapes kept), since either form is what a browser
// may read; anything that could be read as another origin falls back to "/".
const BASE = "http://tessera.invalid";

/** The longest returnTo kept, before and after normalisation: it is stored (sealed or in the kv table) per sign-in. */
export const MAX_RETURN_TO_LENGTH = 1024;

// Browsers read "\" as "/" and drop tabs and newlines, which turns "/\evil" or "/\t/evil" into "//evil".
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_CHARACTER = /[\\\u0000-\u001f\u007f]/;
// Escaped dots, slashes, backslashes and control characters in a path are only ever a way past the
// checks above: some server or proxy on the way decodes them into dot segments or a second slash.
const UNSAFE_ESCAPE = /%(2e|2f|5c|[01][0-9a-f]|7f)/i;

const isLocalPath = (value: string) => value.startsWith("/") && !value.startsWith("//") && !UNSAFE_CHARACTER.test(value);

export const safeReturnTo = (value: unknown): string => {
  if (typeof value !== "string" || value.length > MAX_RETURN_TO_LENGTH || !isLocalPath(value)) return "/";
  if (!URL.canParse(value, BASE)) return "/";
  const url = new URL(value, BASE);
  if (url.origin !== BASE || !isLocalPath(url.pathname) || UNSAFE_ESCAPE.test(url.pathname)) return "/";
  const normalised = `${url.pathname}${url.search}${url.hash}`;
  return normalised.length > MAX_RETURN_TO_LENGTH ? "/" : normalised;
};
