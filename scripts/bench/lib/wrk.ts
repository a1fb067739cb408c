// HTTP load from wrk (a C load generator, so the client is not the bottleneck), parsed into numbers.

export interface WrkOptions {
  url: string;
  headers?: Record<string, string>;
  durationSeconds: number;
  connections: number;
  threads: number;
}

export interface WrkResult {
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
}

const toMs = (value: string, unit: string) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);

export const runWrk = async (options: WrkOptions): Promise<WrkResult> => {
  const args = [
    "-t",
    String(options.threads),
    "-c",
    String(options.connections),
    "-d",
    `${options.durationSeconds}s`,
    "--latency",
  ];
  for (const [name, value] of Object.entries(options.headers ?? {})) args.push("-H", `${name}: ${value}`);
  const wrk = Bun.which("wrk");
  if (!wrk) throw new Error("The HTTP scenarios need wrk on PATH: install it with `apt-get install wrk` (Debian/Ubuntu)");
  const child = Bun.spawn([wrk, ...args, options.url], { stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  if (code !== 0) throw new Error(`wrk failed (${code}): ${err || out}`);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(out);
  const p50 = /\s50%\s+([\d.]+)(us|ms|s)/.exec(out);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s)/.exec(out);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out);
  if (!rps || !p50 || !p99) throw new Error(`could not parse wrk output:\n${out}`);
  return {
    requestsPerSecond: Number(rps[1]),
    latencyP50Ms: toMs(p50[1] ?? "0", p50[2] ?? "ms"),
    latencyP99Ms: toMs(p99[1] ?? "0", p99[2] ?? "ms"),
    non2xx: Number(non2xx?.[1] ?? 0),
  };
};
