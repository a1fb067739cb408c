// The coordinator's routes are for services only, whatever the api-key plugin's `protect` says: a
// missing prefix there must not leave the job API open. Checked on request, before the body is read;
// then a body must be declared JSON, as anything else would reach validation as some other type.
import { forbidden, TesseraError, unauthenticated } from "../../core/errors/tessera-error";
import { requestPath } from "../../core/http/request-path";
import type { Auth } from "../../core/identity/auth";
import type { Principal } from "../../core/identity/types";

export interface Service {
  name: string;
  scopes: string[];
}

const CHALLENGE = { "WWW-Authenticate": 'ApiKey header="X-API-Key"' };

const asService = (principal: Principal | null): Service => {
  if (!principal) throw unauthenticated("This route needs an API key in the X-API-Key header", { headers: CHALLENGE });
  if (principal.kind !== "service") throw forbidden("This route is for services with an API key", { headers: CHALLENGE });
  return principal;
};

// Plain functions over the memoised principal: every coordinator request asks twice (hook, handler).
export const serviceOf =
  (auth: Auth) =>
  (request: Request): Promise<Service> =>
    auth.principal(request).then(asService);

const under = (path: string, prefix: string) =>
  path.startsWith(prefix) && (path.length === prefix.length || path.charCodeAt(prefix.length) === 47); // "/"

const isJson = (contentType: string | null) => {
  const type = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json";
};

/** An onRequest hook: under `prefixes`, only a service, and only JSON bodies. */
export const serviceRequests = (auth: Auth, prefixes: readonly string[]) => {
  const requireService = serviceOf(auth);
  const requireJson = (request: Request): void => {
    if ((request.method === "POST" || request.method === "PATCH") && !isJson(request.headers.get("content-type"))) {
      throw new TesseraError("ERR_UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json", {
        status: 415,
      });
    }
  };
  return ({ request }: { request: Request }): Promise<void> | undefined => {
    const path = requestPath(request.url);
    if (!prefixes.some((prefix) => under(path, prefix))) return;
    return requireService(request).then(() => requireJson(request));
  };
};
