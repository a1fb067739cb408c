// Connection URLs carry passwords; everything that leaves core/db (messages, log fields) goes through here.

/** The URL with its password replaced by `***`. */
export const redactUrl = (url: string): string => {
  if (!URL.canParse(url)) return "(unparseable URL)";
  const parsed = new URL(url);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
};

/** `text` with the URL's password removed, raw or percent-decoded, wherever a driver echoed it. */
export const scrubPassword = (text: string, url: string): string => {
  if (!URL.canParse(url)) return text;
  const { password } = new URL(url);
  if (!password) return text;
  return text.replaceAll(password, "***").replaceAll(decoded(password), "***");
};

// A malformed escape (`%zz`) is left as it is rather than thrown while reporting another error.
const decoded = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};
