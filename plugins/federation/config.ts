// The federation plugin's config: this instance's name, which hosts peers may live on, the agent types it
// runs and how hard it tries to reach a peer. Grants are derived from it, so `tessera check` shows them all.
import { type Static, t } from "elysia";
import type { Grants } from "tessera/plugin";

export const AGENT_TYPE_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$";
export const DEFAULT_AGENT_TIMEOUT_MS = 600_000;

const AgentTypeSchema = t.Object({
  command: t.Array(t.String({ minLength: 1 }), {
    minItems: 1,
    description: 'argv, never run through a shell. "bun" is the Bun running Tessera; other bare names are looked up on PATH.',
  }),
  // Optional rather than defaulted: TypeBox applies no defaults inside a Record's values, so
  // resolveAgentTypes fills these in.
  timeoutMs: t.Optional(
    t.Integer({ minimum: 100, default: DEFAULT_AGENT_TIMEOUT_MS, description: "A hub may ask for less, never more." }),
  ),
  env: t.Optional(
    t.Record(t.String({ pattern: "^[A-Za-z_][A-Za-z0-9_]*$" }), t.String(), {
      default: {},
      description: "The agent's whole environment: nothing else is inherited.",
    }),
  ),
  limits: t.Optional(
    t.Object(
      {
        inputBytes: t.Optional(
          t.Integer({ minimum: 4, maximum: 1_048_576, description: "The task's input as JSON (default 32768); larger is 422." }),
        ),
        outputBytes: t.Optional(
          t.Integer({ minimum: 1, description: "stdout and stderr together; past it the run is ended and failed." }),
        ),
        memoryBytes: t.Optional(
          t.Integer({ minimum: 1_048_576, description: "Address space of each process (RLIMIT_AS, set with prlimit)." }),
        ),
        cpuSeconds: t.Optional(
          t.Integer({ minimum: 1, description: "CPU time of each process (RLIMIT_CPU, set with prlimit)." }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
});

export const FederationConfigSchema = t.Object({
  name: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "Shown to peers; defaults to the public URL's host." })),
  peers: t.Object(
    {
      allowedHosts: t.Array(t.String({ minLength: 1 }), {
        default: [],
        description: 'Hosts peers may live on ("host", "host:port" or "*.example.com"); the plugin\'s net grant.',
      }),
      maxPending: t.Integer({ minimum: 1, default: 50, description: "Unanswered connection requests kept at once." }),
      requestsPerMinute: t.Integer({
        minimum: 1,
        default: 10,
        description: "connection.request messages one client address may post per minute (429 past it).",
      }),
    },
    { default: {} },
  ),
  keys: t.Object(
    {
      rotationOverlapMs: t.Integer({
        minimum: 0,
        default: 86_400_000,
        description: "How long a rotated-out key still verifies.",
      }),
    },
    { default: {} },
  ),
  agents: t.Object(
    {
      types: t.Record(t.String({ pattern: AGENT_TYPE_PATTERN }), AgentTypeSchema, { default: {} }),
      maxConcurrent: t.Integer({ minimum: 1, default: 4 }),
      maxConcurrentPerPeer: t.Integer({ minimum: 1, default: 2 }),
      killGraceMs: t.Integer({ minimum: 0, default: 5000, description: "Between SIGTERM and SIGKILL." }),
      outputTailBytes: t.Integer({ minimum: 256, maximum: 16_384, default: 8192 }),
    },
    { default: {} },
  ),
  delivery: t.Object(
    {
      timeoutMs: t.Integer({ minimum: 100, default: 10_000, description: "One request to a peer." }),
      commandAttempts: t.Integer({ minimum: 1, maximum: 10, default: 3 }),
      outboxAttempts: t.Integer({ minimum: 1, default: 12, description: "Then the message is dead-lettered." }),
      baseDelayMs: t.Integer({ minimum: 1, default: 500 }),
      maxDelayMs: t.Integer({ minimum: 1, default: 300_000 }),
    },
    { default: {} },
  ),
  guests: t.Object(
    {
      sessionTtl: t.String({
        pattern: "^[1-9]\\d*(ms|s|m|h|d)$",
        default: "8h",
        description: "How long a federated sign-in (a peer's user, as a guest here) lasts, e.g. 8h.",
      }),
      signInsPerMinute: t.Integer({
        minimum: 1,
        default: 30,
        description: "Federated sign-ins (GET /auth/federated/:peer) one client address may start per minute (429 past it).",
      }),
      maxPendingSignIns: t.Integer({
        minimum: 1,
        default: 1000,
        description: "Federated sign-ins started and not yet completed, kept at once; past it new ones get 429 until some end.",
      }),
    },
    { default: {} },
  ),
  reconcile: t.Object(
    {
      intervalMs: t.Integer({
        minimum: 100,
        default: 30_000,
        description: "How often a hub asks peers about unfinished agents.",
      }),
      lostAfterMs: t.Integer({ minimum: 100, default: 120_000, description: "Silence after which a remote agent is lost." }),
    },
    { default: {} },
  ),
});

export type FederationConfig = Static<typeof FederationConfigSchema>;
export type AgentTypeConfig = Static<typeof AgentTypeSchema>;

export const ROUTE_PREFIXES = ["/.well-known/tessera", "/federation", "/agents", "/auth/federated", "/workspaces/:id/shares"];

const needsPath = (config: FederationConfig) =>
  Object.values(config.agents.types).some(
    ({ command: [program = ""], limits }) =>
      (program !== "bun" && !program.includes("/")) || limits?.memoryBytes !== undefined || limits?.cpuSeconds !== undefined,
  );

/**
 * Peers can only live on the configured hosts: an admin adding a peer elsewhere gets ERR_FED_NOT_GRANTED
 * naming this setting, rather than the plugin widening its own grant at run time. PATH is read only to
 * find bare command names and prlimit (for memory and CPU limits), and never passed on to agents.
 */
export const federationGrants = (config: FederationConfig): Partial<Grants> => ({
  net: config.peers.allowedHosts,
  env: needsPath(config) ? ["PATH"] : [],
  routes: ROUTE_PREFIXES,
});
