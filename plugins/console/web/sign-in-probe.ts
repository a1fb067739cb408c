// Whether single sign-on is there to use, from /auth/providers alone: no such route means no oidc
// plugin; otherwise it names the providers (so the page can offer a choice when there are several)
// and whether each answers. /readyz says more, but only to the holder of the metrics token.
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

interface ListedProvider extends SignInProvider {
  ready: boolean;
}

const toProvider = (value: unknown): ListedProvider[] =>
  isRecord(value) && typeof value.id === "string" && typeof value.name === "string" && typeof value.loginUrl === "string"
    ? [{ id: value.id, name: value.name, loginUrl: value.loginUrl, ready: value.ready !== false }]
    : [];

export const probeSignIn = async (): Promise<SignIn> => {
  try {
    const response = await fetch("/auth/providers", { headers: { accept: "application/json" } });
    if (response.status === 404) return { sso: "off", providers: [] };
    const body: unknown = response.ok ? await response.json() : null;
    if (!isRecord(body) || !Array.isArray(body.providers)) {
      return { sso: "unknown", detail: `the provider list answered ${response.status}`, providers: [] };
    }
    const listed = body.providers.flatMap(toProvider);
    const providers = listed.map(({ id, name, loginUrl }) => ({ id, name, loginUrl }));
    const down = listed.filter((provider) => !provider.ready);
    if (down.length === 0) return { sso: "ready", providers };
    // With several providers, name the ones that are down: the others still sign in.
    const detail = listed.length > 1 ? down.map((provider) => provider.name).join(", ") : undefined;
    return { sso: "unavailable", ...(detail === undefined ? {} : { detail }), providers };
  } catch (error) {
    // A proxy or a dropped connection: offer sign-in anyway, and say why the page could not tell.
    return { sso: "unknown", detail: error instanceof Error ? error.message : String(error), providers: [] };
  }
};
