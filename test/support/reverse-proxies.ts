// nginx and Caddy as a self-hoster runs them in front of Tessera: the config files docs/deploy.md shows,
// with the example addresses swapped for the test's, each proxy an unprivileged foreground process
// on free ports. Without a proxy binary the suite is skipped, except in CI.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort } from "./free-port";
import { spawnLogged } from "./serve-process";
import { requireOrSkip } from "./service-availability";
import type { TestCert } from "./tls-cert";

const DOCS = join(import.meta.dir, "..", "..", "docs");
export const NGINX_CONF = join(DOCS, "deploy", "nginx.conf");
export const CADDYFILE = join(DOCS, "deploy", "Caddyfile");
export const NGINX_PATH = process.env.NGINX_PATH ?? "/usr/sbin/nginx";
export const CADDY_PATH = process.env.CADDY_PATH ?? "/usr/bin/caddy";

// The example values in the docs' files, which a test replaces with its own.
const UPSTREAMS = ["10.0.0.11:3000", "10.0.0.12:3000"];
const SITE = "tessera.example.com";

export type ProxyKind = "nginx" | "caddy";

export const proxyAvailable = (kind: ProxyKind, suite: string): Promise<boolean> => {
  const path = kind === "nginx" ? NGINX_PATH : CADDY_PATH;
  return requireOrSkip(kind, path, suite, async () => {
    if (!existsSync(path)) throw new Error(`not installed (apt-get install ${kind})`);
  });
};

/** Replaces `from` in `text`, which must be there exactly `times` times, or the docs and the test have drifted. */
const substitute = (text: string, from: string, to: string, times = 1): string => {
  const found = text.split(from).length - 1;
  if (found !== times) throw new Error(`expected ${times} of ${JSON.stringify(from)} in the docs' proxy config, found ${found}`);
  return text.split(from).join(to);
};

export interface RunningProxy {
  kind: ProxyKind;
  /** https://localhost:<port> */
  url: string;
  output(): string;
  stop(): Promise<void>;
}

export interface ProxyOptions {
  dir: string;
  port: number;
  /** host:port of the Tessera instance behind the proxy. */
  upstream: string;
  cert: TestCert;
}

const waitForTls = async (url: string, cert: TestCert, output: () => string, child: Subprocess) => {
  const deadline = Date.now() + 15_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/healthz`, { tls: { ca: cert.pem } });
      await response.body?.cancel();
      if (response.status === 200) return;
    } catch (error) {
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`proxy did not come up at ${url} (exit ${child.exitCode}):\n${output()}`, { cause: error });
      }
    }
    await Bun.sleep(50);
  }
};

const stopper = (child: Subprocess) => async () => {
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
  await child.exited;
  clearTimeout(timer);
};

/**
 * nginx on docs/deploy/nginx.conf, included as is by a wrapper that adds what the file leaves to the
 * main config (events, and paths a non-root process may write).
 */
export const startNginx = async ({ dir, port, upstream, cert }: ProxyOptions): Promise<RunningProxy> => {
  mkdirSync(join(dir, "logs"), { recursive: true });
  let site = readFileSync(NGINX_CONF, "utf8");
  for (const each of UPSTREAMS) site = substitute(site, each, upstream);
  site = substitute(site, "listen 443 ssl;", `listen 127.0.0.1:${port} ssl;`);
  site = substitute(site, `server_name ${SITE};`, "server_name localhost;");
  site = substitute(site, "/etc/ssl/tessera/fullchain.pem", cert.certFile);
  site = substitute(site, "/etc/ssl/tessera/privkey.pem", cert.keyFile);
  const siteFile = join(dir, "tessera.conf");
  writeFileSync(siteFile, site);
  const temp = ["client_body", "proxy", "fastcgi", "uwsgi", "scgi"]
    .map((kind) => `    ${kind}_temp_path ${join(dir, `${kind}_temp`)};`)
    .join("\n");
  const main = join(dir, "nginx.conf");
  writeFileSync(
    main,
    `events {}\nhttp {\n    access_log ${join(dir, "logs", "access.log")};\n${temp}\n    include ${siteFile};\n}\n`,
  );
  const { child, output } = spawnLogged(
    [NGINX_PATH, "-p", dir, "-c", main, "-g", `daemon off; pid ${join(dir, "nginx.pid")}; error_log stderr;`],
    dir,
  );
  const url = `https://localhost:${port}`;
  await waitForTls(url, cert, output, child);
  return { kind: "nginx", url, output, stop: stopper(child) };
};

/**
 * Caddy on docs/deploy/Caddyfile, with global options put before it (no admin endpoint, unprivileged
 * ports, no certificate management) and the test's certificate in the site block.
 */
export const startCaddy = async ({ dir, port, upstream, cert }: ProxyOptions): Promise<RunningProxy> => {
  let site = readFileSync(CADDYFILE, "utf8");
  site = substitute(site, UPSTREAMS.join(" "), `${upstream} ${upstream}`);
  site = substitute(site, `${SITE} {`, `https://localhost:${port} {\n\ttls ${cert.certFile} ${cert.keyFile}`);
  const global = `{\n\tadmin off\n\tauto_https disable_redirects\n\thttp_port ${await freePort()}\n\thttps_port ${port}\n\tskip_install_trust\n}\n\n`;
  const caddyfile = join(dir, "Caddyfile");
  writeFileSync(caddyfile, global + site);
  const home = join(dir, "home");
  mkdirSync(home, { recursive: true });
  const { child, output } = spawnLogged([CADDY_PATH, "run", "--config", caddyfile, "--adapter", "caddyfile"], dir, {
    HOME: home,
    XDG_DATA_HOME: join(home, "data"),
    XDG_CONFIG_HOME: join(home, "config"),
  });
  const url = `https://localhost:${port}`;
  await waitForTls(url, cert, output, child);
  return { kind: "caddy", url, output, stop: stopper(child) };
};
