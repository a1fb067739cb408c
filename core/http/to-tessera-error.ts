// Maps whatever a handler threw (Elysia's own errors included) onto the one error hierarchy.
import { databaseUnavailable, isDatabaseUnreachable } from "../db/unreachable";
import { isTesseraError, TesseraError } from "../errors/tessera-error";

interface ValidationIssue {
  path: string;
  message: string;
}

const validationIssues = (error: unknown): ValidationIssue[] => {
  if (typeof error !== "object" || error === null || !("all" in error) || !Array.isArray(error.all)) return [];
  return error.all.map((issue: { path?: unknown; summary?: unknown; message?: unknown }) => ({
    path: typeof issue.path === "string" && issue.path !== "" ? issue.path : "/",
    message: String(issue.summary ?? issue.message ?? "invalid"),
  }));
};

const validationWhere = (error: unknown): string =>
  typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : "body";

export const toTesseraError = (code: string | number, error: unknown, method: string, path: string): TesseraError => {
  if (isTesseraError(error)) return error;
  // Elysia wraps whatever a parse hook throws in its ParseError: a hook's own refusal (the coordinator
  // checks the caller before the body is read) keeps its status and code.
  const cause = error instanceof Error ? error.cause : undefined;
  if (code === "PARSE" && isTesseraError(cause)) return cause;
  switch (code) {
    case "NOT_FOUND":
      return new TesseraError("ERR_NOT_FOUND", `No route for ${method} ${path}`, { status: 404 });
    case "PARSE":
      return new TesseraError("ERR_BAD_REQUEST", "The request body could not be parsed (malformed JSON or wrong Content-Type)", {
        status: 400,
      });
    case "VALIDATION": {
      const errors = validationIssues(error);
      const where = validationWhere(error);
      return new TesseraError(
        "ERR_VALIDATION",
        `The request ${where} is invalid: ${errors.map((e) => `${e.path} ${e.message}`).join("; ")}`,
        {
          status: 422,
          details: { errors: errors.map((e) => ({ ...e, in: where })) },
        },
      );
    }
    case "INVALID_COOKIE_SIGNATURE":
      return new TesseraError("ERR_BAD_REQUEST", "A cookie's signature is invalid", { status: 400 });
    default:
      if (typeof code === "number" && code >= 400 && code < 500) {
        return new TesseraError("ERR_BAD_REQUEST", String(error instanceof Error ? error.message : error), { status: code });
      }
      if (isDatabaseUnreachable(error)) return databaseUnavailable(error);
      return new TesseraError("ERR_INTERNAL", "Unhandled error", { status: 500, cause: error });
  }
};
