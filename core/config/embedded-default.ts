// The config `tessera serve` runs on when there is no tessera.jsonc: SQLite under ./data, in-memory
// rate limits and events, and only the plugins that need no outside party (no IdP, no peers, no keys).

export const embeddedDefault = {
  server: { port: 3000, hostname: "127.0.0.1" },
  database: { url: "sqlite:./data/tessera.db" },
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the config's own ${VAR} syntax; unset leaves /metrics closed
  metrics: { token: "${METRICS_TOKEN:-}" },
  plugins: {
    "api-key": { enabled: false },
    websocket: { enabled: true },
    coordinator: { enabled: false },
    console: { enabled: true },
    oidc: { enabled: false },
    federation: { enabled: false },
  },
};
