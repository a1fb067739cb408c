// `tessera serve`: build the runtime, start plugins, listen, print the start-up table; on SIGTERM/SIGINT
// stop accepting, let in-flight requests finish, stop plugins in reverse and close the database.
import { TesseraError } from "../errors/tessera-error";
import { buildInfo } from "../runtime/build-info";
import { createRuntime, type Runtime } from "../runtime/create-runtime";
import { pluginTable } from "./plugin-table";

export interface ServeOptions {
  file?: string;
  port?: number;
  hostname?: string;
}

const CHUNKED_BODY_SLACK = 64 * 1024;

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
      // Requests that declare their length get a problem+json 413 from the app at exactly bodyLimit; this
      // outer bound caps chunked bodies, which declare nothing, before they are buffered.
      maxRequestBodySize: runtime.loaded.config.server.bodyLimit + CHUNKED_BODY_SLACK,
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
  const runtime = await createRuntime({ file: options.file, port: options.port });
  const { server: config } = runtime.loaded.config;
  let server: ReturnType<typeof listen>;
  try {
    await runtime.start();
    server = listen(runtime, options.port ?? config.port, options.hostname ?? config.hostname);
  } catch (error) {
    await runtime.stop();
    throw error;
  }
  const url = `http://${server.hostname}:${server.port}`;
  process.stdout.write(
    `${pluginTable(runtime.plugins, runtime.disabled)}\n\n${welcome(runtime, url)}\nTessera listening on ${url}\n`,
  );
  runtime.log.info("listening", { url, publicUrl: config.publicUrl, migrations: runtime.migrations.length });

  let signals = 0;
  const shutdown = async (signal: string) => {
    signals += 1;
    if (signals > 1) {
      runtime.log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    runtime.log.info("shutting down", { signal });
    // Stop accepting at once; in-flight requests get until shutdownTimeoutMs, then connections are cut.
    const drained = server.stop(false);
    const deadline = new Promise((done) => setTimeout(done, config.shutdownTimeoutMs).unref());
    await runtime.stop();
    await Promise.race([drained, deadline]);
    await server.stop(true);
    runtime.log.info("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
};
