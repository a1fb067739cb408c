// Whether single sign-on is there to use: /readyz lists every enabled plugin as `plugin:<name>` with
// its readiness, so the page can tell "no oidc plugin" from "the provider is not answering"; and
// /auth/providers names the providers, so the page can offer a choice when there are several.
export interface SignInProvider {
  id: string;
  name: string;
  loginUrl: string;
}

export interface SignIn {
  sso: "ready" | "unavailable" | "off" | "unknown";
  detail?: string;
  /** Empty when they could not be listed: the page then offers /auth/login, the first provider. */
  providers: SignInProvider[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

const toProvider = (value: unknown): SignInProvider[] =>
  isRecord(value) && typeof value.id === "string" && typeof value.name === "string" && typeof value.loginUrl === "string"
    ? [{ id: value.id, name: value.name, loginUrl: value.loginUrl }]
    : [];

const listProviders = async (): Promise<SignInProvider[]> => {
  const response = await fetch("/auth/providers", { headers: { accept: "application/json" } });
  const body: unknown = response.ok ? await response.json() : null;
  return isRecord(body) && Array.isArray(body.providers) ? body.providers.flatMap(toProvider) : [];
};

const readiness = async (): Promise<Omit<SignIn, "providers">> => {
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

export const probeSignIn = async (): Promise<SignIn> => {
  const state = await readiness();
  if (state.sso === "off") return { ...state, providers: [] };
  // Without the list the single Sign in button still works: a failure here costs only the choice.
  const providers = await listProviders().catch(() => []);
  return { ...state, providers };
};
