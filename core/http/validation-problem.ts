// The 422 for a request part that fails its schema: the JSON path and what was expected, never the
// value itself. Elysia's own ValidationError pretty-prints the whole value into its message when it is
// built, which for a large or deeply nested body costs seconds and hundreds of megabytes.
import type { TSchema } from "@sinclair/typebox";
import type { TypeCheck } from "@sinclair/typebox/compiler";
import { TesseraError } from "../errors/tessera-error";

export interface ValidationIssue {
  path: string;
  message: string;
}

/** Keeps a problem small whatever the input: a path is made of the client's keys, which may be huge. */
const MAX_ISSUES = 10;
const MAX_TEXT = 200;

const clip = (text: string) => (text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text);

export const validationProblem = (issues: readonly ValidationIssue[], where: string): TesseraError => {
  const shown = issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: clip(issue.path === "" ? "/" : issue.path),
    message: clip(issue.message),
  }));
  return new TesseraError(
    "ERR_VALIDATION",
    `The request ${where} is invalid: ${shown.map((issue) => `${issue.path} ${issue.message}`).join("; ")}`,
    { status: 422, details: { errors: shown.map((issue) => ({ ...issue, in: where })) } },
  );
};

/** The first issues `check` finds in `value`, read lazily so a value with millions of faults costs a few. */
export const schemaIssues = (check: TypeCheck<TSchema>, value: unknown): ValidationIssue[] => {
  const issues: ValidationIssue[] = [];
  for (const error of check.Errors(value)) {
    issues.push({ path: error.path, message: error.message });
    if (issues.length >= MAX_ISSUES) break;
  }
  return issues;
};
