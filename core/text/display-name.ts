// Text people are shown as a name (workspace names, job titles, user names): NFC-normalised, so two
// spellings of one name are one name, and free of characters that hide or disguise what is displayed.
import { type StringOptions, Type } from "@sinclair/typebox";
import { validationFailed } from "../errors/tessera-error";

/**
 * Control characters (C0, DEL, C1), bidirectional embeddings, overrides and isolates and the implicit
 * direction marks (which can make one name display as another), and lone surrogates (not text at all).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is what it is for
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;

/**
 * The same rule as a JSON-Schema pattern (in the schemas, so OpenAPI shows it). Validators compile it
 * without the `u` flag, so a surrogate pair is matched as its two halves and only a lone half fails.
 */
export const DISPLAY_NAME_PATTERN =
  "^(?:[^\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\ud800-\\udfff]|[\\ud800-\\udbff][\\udc00-\\udfff])*$";

export type DisplayNameProblem = "empty" | "too-long" | "forbidden-character";

/** What is wrong with an already-normalised name, if anything; length is counted in code points. */
export const displayNameProblem = (name: string, maxLength: number): DisplayNameProblem | undefined => {
  if (FORBIDDEN.test(name)) return "forbidden-character";
  if (name.trim() === "") return "empty";
  let codePoints = 0;
  for (const _ of name) if (++codePoints > maxLength) return "too-long";
  return undefined;
};

const MESSAGES: Record<DisplayNameProblem, string> = {
  empty: "is empty",
  "too-long": "is too long",
  "forbidden-character": "contains a control, bidirectional-formatting or unpaired surrogate character",
};

/**
 * The name in NFC, or ERR_VALIDATION (422) naming `path` when it breaks the rules. Normalised before
 * the length check, as the stored form is what is capped.
 */
export const displayName = (value: string, maxLength: number, path = "name"): string => {
  // A lone surrogate survives normalize() unchanged, so checking after it is as good as before.
  const name = value.normalize("NFC");
  const problem = displayNameProblem(name, maxLength);
  if (problem === undefined) return name;
  const message = `${path} ${MESSAGES[problem]} (at most ${maxLength} characters, no control or bidirectional-formatting characters)`;
  throw validationFailed(message, { path, details: { errors: [{ path: `/${path}`, message: MESSAGES[problem], in: "body" }] } });
};

/**
 * A schema for a display name that normalises as it validates: the pattern (shown in OpenAPI) refuses
 * the forbidden characters; the decode step stores the NFC form and applies the cap in code points.
 * The schema's own maxLength counts UTF-16 units, so it is set at twice the cap to refuse no valid name.
 */
export const DisplayName = (maxLength: number, path = "name", options: StringOptions = {}) =>
  Type.Transform(
    Type.String({
      minLength: 1,
      maxLength: maxLength * 2,
      pattern: DISPLAY_NAME_PATTERN,
      description: `A name shown to people: stored NFC-normalised, at most ${maxLength} characters (code points), no control, bidirectional-formatting or unpaired surrogate characters`,
      ...options,
    }),
  )
    .Decode((value) => displayName(value, maxLength, path))
    .Encode((value) => value);
