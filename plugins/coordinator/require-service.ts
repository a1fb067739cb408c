// The coordinator's routes are for services only, whatever the api-key plugin's `protect` says: a
// missing prefix there must not leave the job API open. Checked before the body is read; then a body
// must be declared JSON, as anything else would reach validation as some other type.
import { andThen, type MaybePromise } from "../../core/async/maybe-promise";
import { forbidden, TesseraError, unauthenticated } from "../../core/errors/tessera-error";
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

// Over the memoised principal, without waiting when it is there at once (an API key on one instance):
// every coordinator request asks twice (parse hook or handler, then handler).
export const serviceOf =
  (auth: Auth) =>
  (request: Request): MaybePromise<Service> =>
    andThen(auth.resolve(request), asService);

const isJson = (contentType: string | null) => {
  const type = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  return type === "application/json";
};

/**
 * A parse hook for the routes that take a body: only a service, and only JSON, checked before the body is
 * read (so an anonymous caller learns nothing from validation). Routes without a body check in the handler.
 */
export const serviceBodies = (auth: Auth) => {
  const requireService = serviceOf(auth);
  const requireJson = (request: Request): undefined => {
    if (!isJson(request.headers.get("content-type"))) {
      throw new TesseraError("ERR_UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON with Content-Type: application/json", {
        status: 415,
      });
    }
    // Nothing parsed here: Elysia's own JSON parser reads the body next.
    return undefined;
  };
  return async ({ request }: { request: Request }): Promise<undefined> => {
    await requireService(request);
    return requireJson(request);
  };
};
