// RFC 7662 token introspection for opaque access tokens, with a short cache so a busy client doesn't
// cost a provider round trip per request. Tokens are cached by their SHA-256, never in clear.
import { createHash } from "node:crypto";
import { isTesseraError, type ScopedFetch } from "tessera/plugin";
import { authenticateClient, type ClientAuthMethod, type ClientCredentials } from "./client-auth";
import { oidcError } from "./errors";
import { readJsonObject, stringField, stringListField } from "./read-json";
import { tokenRejected } from "./verify-jwt";

export interface IntrospectionTarget {
  endpoint: string;
  clientAuth: ClientAuthMethod;
}

export interface IntrospectorOptions {
  fetch: ScopedFetch;
  credentials: ClientCredentials;
  issuer: string;
  /** When set, the token's aud must contain it. */
  audience?: string;
  activeTtlMs?: number;
  inactiveTtlMs?: number;
  maxEntries?: number;
}

type Verdict = { active: true; subject: string } | { active: false; reason: string };

const inactive = (reason: string) =>
  tokenRejected("access token", "inactive", `The provider says this access token is not usable: ${reason}`);

export class Introspector {
  readonly #cache = new Map<string, { verdict: Verdict; until: number }>();
  readonly #options: IntrospectorOptions;

  constructor(options: IntrospectorOptions) {
    this.#options = options;
  }

  /** The token's subject; throws 401 when the provider says it is inactive or not for us. */
  async subjectOf(token: string, target: IntrospectionTarget): Promise<string> {
    const key = createHash("sha256").update(token).digest("hex");
    const now = Date.now();
    const cached = this.#cache.get(key);
    const verdict = cached && cached.until > now ? cached.verdict : await this.#ask(token, target, key, now);
    if (!verdict.active) throw inactive(verdict.reason);
    return verdict.subject;
  }

  async #ask(token: string, target: IntrospectionTarget, key: string, now: number): Promise<Verdict> {
    const { activeTtlMs = 60_000, inactiveTtlMs = 10_000, maxEntries = 10_000 } = this.#options;
    const answer = await this.#request(token, target);
    const verdict = this.#judge(answer, now);
    const exp = typeof answer.exp === "number" ? answer.exp * 1000 : Number.POSITIVE_INFINITY;
    const until = verdict.active ? Math.min(now + activeTtlMs, exp) : now + inactiveTtlMs;
    this.#cache.delete(key);
    this.#cache.set(key, { verdict, until });
    // Map order is insertion order: the first entry is the oldest.
    if (this.#cache.size > maxEntries) {
      const oldest = this.#cache.keys().next();
      if (!oldest.done) this.#cache.delete(oldest.value);
    }
    return verdict;
  }

  async #request(token: string, target: IntrospectionTarget): Promise<Record<string, unknown>> {
    const body = new URLSearchParams({ token, token_type_hint: "access_token" });
    const headers = new Headers({ "content-type": "application/x-www-form-urlencoded", accept: "application/json" });
    authenticateClient(target.clientAuth, this.#options.credentials, body, headers);
    let response: Response;
    try {
      response = await this.#options.fetch(target.endpoint, { method: "POST", headers, body, timeoutMs: 5000 });
    } catch (cause) {
      if (isTesseraError(cause) && cause.code.startsWith("ERR_PERMISSION")) throw cause;
      throw oidcError("ERR_OIDC_UNAVAILABLE", 503, "The provider's introspection endpoint did not answer; try again shortly", {
        cause,
      });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw oidcError(
        "ERR_OIDC_PROVIDER_RESPONSE",
        502,
        `The introspection endpoint refused the request (HTTP ${response.status}); check the client's credentials`,
      );
    }
    const read = await readJsonObject(response).catch((cause: unknown) => {
      throw oidcError("ERR_OIDC_UNAVAILABLE", 503, "The provider's introspection answer did not arrive; try again shortly", {
        cause,
      });
    });
    if (!read.ok) throw oidcError("ERR_OIDC_PROVIDER_RESPONSE", 502, `The introspection answer is unusable: ${read.reason}`);
    return read.value;
  }

  #judge(answer: Record<string, unknown>, now: number): Verdict {
    if (answer.active !== true) return { active: false, reason: "inactive (expired, revoked or unknown)" };
    const issuer = stringField(answer, "iss");
    if (issuer !== undefined && issuer !== this.#options.issuer) return { active: false, reason: "issued by another issuer" };
    const { audience } = this.#options;
    if (audience !== undefined) {
      const aud = stringListField(answer, "aud") ?? [stringField(answer, "aud")];
      if (!aud.includes(audience)) return { active: false, reason: `not meant for audience ${JSON.stringify(audience)}` };
    }
    if (typeof answer.exp === "number" && answer.exp * 1000 <= now) return { active: false, reason: "expired" };
    const subject = stringField(answer, "sub");
    if (!subject) return { active: false, reason: "it names no subject (a client-credentials token?)" };
    return { active: true, subject };
  }
}
