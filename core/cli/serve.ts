// `tessera serve`: build the runtime, start plugins, listen, print the start-up table; on SIGTERM/SIGINT
// stop accepting, let in-flight requests finish, stop plugins in reverse and close the database; on SIGHUP
// reload the config file (core/runtime/reload.ts) with every connection left open.
import { TesseraError } from "../errors/tessera-error";
import { buildInfo } from "../runtime/build-info";
import { createRuntime, type Runtime } from "../runtime/create-runtime";
import { pluginTable } from "./plugin-table";

export interface ServeOptions {
  file?: string;
  port?: number;
  hostname?: string;
  logLevel?: string;
}

const OUTER_BODY_LIMIT = 2 ** 32 - 1;

const isAddressInUse = (error: unknown) =>
  typeof error === "object" && error !== null && "code" in error && error.code === "EADDRINUSE";

const listen = (runtime: Runtime, port: number, hostname: string) => {
  try {
    runtime.app.listen({
      port,
      hostname,
      // Elysia turns reusePort on, which lets a second instance silently share the port; a self-hoster wants an error.
      reusePort: false,
      development: false,
      // The app enforces server.bodyLimit with a problem+json 413: a declared length before reading,
      // a chunked body while it is read (core/http/capped-body.ts). Bun's own limit answers a bare 413,
      // so it is only an outer bound, never reached by a request the app would take.
      maxRequestBodySize: OUTER_BODY_LIMIT,
    });
  } catch (cause) {
    if (isAddressInUse(cause)) {
      throw new TesseraError("ERR_PORT_IN_USE", `Port ${port} on ${hostname} is already in use; set server.port or pass --port`, {
        path: "server.port",
        cause,
      });
    }
    throw cause;
  }
  const server = runtime.app.server;
  if (!server) throw new TesseraError("ERR_INTERNAL", "The HTTP server did not start");
  return server;
};

/** The metrics.listen listener: /metrics and the detailed /readyz, off the public port. */
const listenOperations = (runtime: Runtime) => {
  const { operations } = runtime;
  if (!operations) return undefined;
  try {
    operations.app.listen({ port: operations.port, hostname: operations.hostname, reusePort: false, development: false });
  } catch (cause) {
    if (isAddressInUse(cause)) {
      throw new TesseraError(
        "ERR_PORT_IN_USE",
        `Port ${operations.port} on ${operations.hostname} is already in use; change metrics.listen`,
        { path: "metrics.listen", cause },
      );
    }
    throw cause;
  }
  const server = operations.app.server;
  if (!server) throw new TesseraError("ERR_INTERNAL", "The metrics server did not start");
  return server;
};

// The command the reader typed: the binary by its own path, or Bun on the source tree.
const tessera = () => (buildInfo.binary ? process.execPath : "node_modules/.bin/bun core/main.ts");

const welcome = (runtime: Runtime, url: string) =>
  runtime.loaded.embedded
    ? [
        `No tessera.jsonc here: running on the embedded default (SQLite in ./data, in-memory events and limits).`,
        `Next: create a user and a session token to call the API:`,
        `  ${tessera()} users create --email you@example.com`,
        `  curl -H "Authorization: Bearer $(${tessera()} sessions create --email you@example.com)" ${url}/me`,
        `Then write a tessera.jsonc to enable sign-in (oidc), API keys, federation: see README.md.`,
      ].join("\n")
    : `Config: ${runtime.loaded.file}`;

export const serve = async (options: ServeOptions): Promise<void> => {
  const runtime = await createRuntime({ file: options.file, port: options.port, logLevel: options.logLevel });
  let signals = 0;
  // Without a handler SIGHUP ends the process, and with it every connection; installed before the
  // listener opens, so a reload sent as soon as the port answers is never fatal.
  process.on("SIGHUP", () => {
    if (signals > 0) return;
    runtime.log.info("reloading config", { signal: "SIGHUP" });
    void runtime.reload();
  });
  const { server: config } = runtime.loaded.config;
  let server: ReturnType<typeof listen>;
  let operations: ReturnType<typeof listenOperations>;
  try {
    await runtime.start();
    server = listen(runtime, options.port ?? config.port, options.hostname ?? config.hostname);
    operations = listenOperations(runtime);
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  const url = `http://${server.hostname}:${server.port}`;
  process.stdout.write(
    `${pluginTable(runtime.plugins, runtime.disabled)}\n\n${welcome(runtime, url)}\nTessera listening on ${url}\n`,
  );
  runtime.log.info("listening", { url, publicUrl: config.publicUrl, migrations: runtime.migrations.length });
  if (operations) {
    const metricsUrl = `http://${operations.hostname}:${operations.port}`;
    process.stdout.write(`Metrics listening on ${metricsUrl}\n`);
    runtime.log.info("metrics listening", { url: metricsUrl });
  }

  const shutdown = async (signal: string) => {
    signals += 1;
    if (signals > 1) {
      runtime.log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    runtime.log.info("shutting down", { signal });
    // Stop accepting at once. Bun's stop() settles when every request and socket has ended, so the
    // long-lived ones (WebSockets, event streams) are ended first; the rest get until shutdownTimeoutMs,
    // then their connections are cut. Plugins, Redis and the database close only after that.
    const drained = server.stop(false).then(() => true);
    void operations?.stop(true);
    await runtime.drain();
    const deadline = new Promise<false>((done) => setTimeout(() => done(false), config.shutdownTimeoutMs).unref());
    if (!(await Promise.race([drained, deadline]))) {
      runtime.log.warn("shutdown timeout: cutting the requests still in flight", { pending: server.pendingRequests });
      await server.stop(true);
    }
    await runtime.stop();
    runtime.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
};
