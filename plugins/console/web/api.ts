// Calls to Tessera's JSON API with the session cookie. The browser adds Origin to these requests,
// which the console's CSRF guard requires of every cookie-authenticated change; failures become an
// ApiError carrying the problem+json code and detail.
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

const problemOf = (status: number, body: unknown): ApiError => {
  const code = isRecord(body) && typeof body.code === "string" ? body.code : `HTTP_${status}`;
  const detail = isRecord(body) && typeof body.detail === "string" ? body.detail : `The server answered ${status}`;
  return new ApiError(status, code, detail);
};

export const api = async (method: string, path: string, body?: unknown): Promise<unknown> => {
  const headers: Record<string, string> = { accept: "application/json" };
  if (body !== undefined) headers["content-type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = response.headers.get("content-type")?.includes("json") ?? false;
  const parsed: unknown = json ? await response.json() : null;
  if (!response.ok) throw problemOf(response.status, parsed);
  return parsed;
};

export const isNotFound = (error: unknown): boolean => error instanceof ApiError && error.status === 404;
