// CSRF defence: a browser request that changes something must say it comes from one of this site's
// origins (Origin), or at least from the same origin (Sec-Fetch-Site). One with neither is refused,
// since a cookie alone proves nothing about which page sent it.
import { TesseraError } from "../../core/errors/tessera-error";

const canonical = (origin: string): string => (URL.canParse(origin) ? new URL(origin).origin : origin.toLowerCase());

const csrfRefused = (message: string) => new TesseraError("ERR_CONSOLE_CSRF", message, { status: 403 });

export const sameOriginCheck = (allowedOrigins: readonly string[]) => {
  const allowed = new Set(allowedOrigins.map(canonical));
  return (request: Request): void => {
    const origin = request.headers.get("origin");
    if (origin !== null) {
      if (allowed.has(canonical(origin))) return;
      throw csrfRefused(`Requests from origin ${JSON.stringify(origin.slice(0, 200))} may not do this; send it from this site`);
    }
    const site = request.headers.get("sec-fetch-site");
    if (site === "same-origin") return;
    throw csrfRefused(
      site === null
        ? "This request carries neither Origin nor Sec-Fetch-Site, so it can't be told apart from a cross-site one"
        : `Cross-site requests (Sec-Fetch-Site: ${JSON.stringify(site.slice(0, 40))}) may not do this`,
    );
  };
};
