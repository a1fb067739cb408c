// The coordinator's routes are for services with the `coordinator` scope, whatever the api-key plugin's
// `protect` says: a missing prefix there, or a request its guard reads differently, must not leave the
// job API open. Body routes check it before the body is read (JsonBody's guard).
import { andThen, forbidden, type MaybePromise, unauthenticated } from "tessera/plugin";
import type { Auth, Principal } from "tessera/plugin/identity";

export interface Service {
  name: string;
  scopes: string[];
  /** The workspaces its key is bound to; absent when it reaches every one (see workspace-reach.ts). */
  workspaces?: readonly string[];
}

const SCOPE = "coordinator";
const CHALLENGE = { "WWW-Authenticate": 'ApiKey header="X-API-Key"' };
const SCOPE_CHALLENGE = { "WWW-Authenticate": `ApiKey header="X-API-Key", error="insufficient_scope", scope="${SCOPE}"` };

const asService = (principal: Principal | null): Service => {
  if (!principal) throw unauthenticated("This route needs an API key in the X-API-Key header", { headers: CHALLENGE });
  if (principal.kind !== "service") throw forbidden("This route is for services with an API key", { headers: CHALLENGE });
  if (!principal.scopes.includes(SCOPE)) {
    throw forbidden(`The API key "${principal.name}" lacks the "${SCOPE}" scope`, { headers: SCOPE_CHALLENGE });
  }
  return principal;
};

// Over the memoised principal, without waiting when it is there at once (an API key on one instance):
// every coordinator request asks twice (parse hook or handler, then handler).
export const serviceOf =
  (auth: Auth) =>
  (request: Request): MaybePromise<Service> =>
    andThen(auth.principalNow(request), asService);
