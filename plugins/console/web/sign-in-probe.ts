// Whether single sign-on is there to use: /readyz lists every enabled plugin as `plugin:<name>` with
// its readiness, so the page can tell "no oidc plugin" from "the provider is not answering".
export interface SignIn {
  sso: "ready" | "unavailable" | "off" | "unknown";
  detail?: string;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

export const probeSignIn = async (): Promise<SignIn> => {
  try {
    const response = await fetch("/readyz", { headers: { accept: "application/json" } });
    const body: unknown = await response.json();
    const check = isRecord(body) && isRecord(body.checks) ? body.checks["plugin:oidc"] : undefined;
    if (!isRecord(check)) return { sso: "off" };
    if (check.ok === true) return { sso: "ready" };
    return { sso: "unavailable", detail: typeof check.detail === "string" ? check.detail : undefined };
  } catch (error) {
    // A proxy may hide /readyz: offer sign-in anyway, and say why the page could not tell.
    return { sso: "unknown", detail: error instanceof Error ? error.message : String(error) };
  }
};
