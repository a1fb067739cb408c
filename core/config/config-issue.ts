// One shape for every config problem found after parsing (a missing env variable, a schema
// violation), so that all of them print as `file:line:col path: message` and reach callers alike.
import { type ErrorCode, TesseraError } from "../errors/tessera-error";
import { formatPath, type JsonPath } from "./json-path";
import type { ConfigSource } from "./source";

export interface ConfigIssue {
  /** The JSON path as printed, e.g. `plugins.websocket.authTimeoutMs`. */
  path: string;
  line?: number;
  col?: number;
  message: string;
}

export const issueAt = (source: ConfigSource | undefined, path: JsonPath, message: string): ConfigIssue =>
  source === undefined ? { path: formatPath(path), message } : { path: formatPath(path), ...source.locate(path), message };

export const formatIssue = (issue: ConfigIssue, file?: string): string => {
  const where = file !== undefined && issue.line !== undefined ? `${file}:${issue.line}:${issue.col ?? 1} ` : "";
  return `${where}${issue.path}: ${issue.message}`;
};

/** One error for all issues: one line each in the message, the list in `details.errors`. */
export const configError = (code: ErrorCode, issues: ConfigIssue[], source?: ConfigSource): TesseraError =>
  new TesseraError(code, issues.map((issue) => formatIssue(issue, source?.file)).join("\n"), {
    path: issues[0]?.path,
    details: { file: source?.file, errors: issues },
  });
