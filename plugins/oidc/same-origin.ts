// CSRF defence for state-changing routes that a cookie authenticates: the browser must say the
// request comes from one of this site's origins (Origin), or at least from the same origin
// (Sec-Fetch-Site). A request with neither is refused, since a cookie alone proves nothing.
import { oidcError } from "./errors";

export const requireSameOrigin = (request: Request, allowedOrigins: readonly string[]): void => {
  const origin = request.headers.get("origin");
  if (origin !== null) {
    if (allowedOrigins.includes(origin)) return;
    throw oidcError(
      "ERR_OIDC_CSRF",
      403,
      `Requests from origin ${JSON.stringify(origin)} may not do this; send it from this site`,
    );
  }
  const site = request.headers.get("sec-fetch-site");
  if (site === "same-origin") return;
  throw oidcError(
    "ERR_OIDC_CSRF",
    403,
    site === null
      ? "This request carries neither Origin nor Sec-Fetch-Site, so it can't be told apart from a cross-site one"
      : `Cross-site requests (Sec-Fetch-Site: ${JSON.stringify(site)}) may not do this`,
  );
};
