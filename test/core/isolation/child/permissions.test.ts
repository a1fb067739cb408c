// The proof: each access the plugin was not granted is refused by the runtime, fails the route with the
// PermissionDenied the core answers and logs, and is reported as `denied`; what it was granted works.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { TesseraError } from "../../../../core/errors/tessera-error";
import { json, type RunningChild, send, setUpChild } from "./run-child";

let child: RunningChild | undefined;
afterEach(() => child?.kill());

let upstream: Bun.Server<undefined>;
beforeAll(() => {
  upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("up", { status: 209 }) });
});
afterAll(() => upstream.stop(true));

const refusal = async (path: string): Promise<TesseraError> => {
  if (!child) throw new Error("no child");
  const error = await send(child, "GET", path).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof TesseraError)) throw new Error(`${path} was not refused`);
  return error;
};

describe("what an isolated plugin was not granted", () => {
  test("reading /etc/passwd is ERR_PERMISSION_READ, reported as denied", async () => {
    child = await setUpChild();
    const error = await refusal("/probe/read?path=/etc/passwd");
    expect(error).toMatchObject({ code: "ERR_PERMISSION_READ", status: 500 });
    expect(error.message).toContain('read access to "/etc/passwd"');
    expect(error.message).toContain('plugins["probe"].isolation: "none" trusts the plugin');
    expect(child.denied).toEqual([{ kind: "read", value: "/etc/passwd" }]);
  });

  test("an environment variable read straight from process.env is ERR_PERMISSION_ENV", async () => {
    child = await setUpChild({}, { PROBE_SECRET: "hidden" });
    const error = await refusal("/probe/env/PROBE_SECRET");
    expect(error.code).toBe("ERR_PERMISSION_ENV");
    expect(error.message).toContain('permissions.env: ["PROBE_SECRET"]');
    expect(child.denied).toEqual([{ kind: "env", value: "PROBE_SECRET" }]);
  });

  test("ctx.env refuses it with the in-process message", async () => {
    child = await setUpChild({}, { PROBE_SECRET: "hidden" });
    const error = await refusal("/probe/ctx-env/PROBE_SECRET");
    expect(error.code).toBe("ERR_PERMISSION_ENV");
    expect(error.message).toBe(
      'Plugin "probe" was not granted env access to "PROBE_SECRET"; grant it with plugins["probe"].permissions.env: ["PROBE_SECRET"]',
    );
  });

  test("the global fetch to a host not granted is ERR_PERMISSION_NET", async () => {
    child = await setUpChild();
    const target = `127.0.0.1:${upstream.port}`;
    const error = await refusal(`/probe/fetch?url=http://${target}/`);
    expect(error.code).toBe("ERR_PERMISSION_NET");
    expect(child.denied).toEqual([{ kind: "net", value: target }]);
  });

  test("ctx.fetch to a host not granted is ERR_PERMISSION_NET before any connection", async () => {
    child = await setUpChild({ net: ["api.example.com"] });
    const error = await refusal(`/probe/ctx-fetch?url=http://127.0.0.1:${upstream.port}/`);
    expect(error.code).toBe("ERR_PERMISSION_NET");
  });

  test("a granted name that resolves inside the machine is refused at connect, global fetch and ctx.fetch alike", async () => {
    child = await setUpChild({ net: [`localhost:${upstream.port}`] });
    for (const route of ["fetch", "ctx-fetch"]) {
      const error = await refusal(`/probe/${route}?url=http://localhost:${upstream.port}/`);
      expect(error.code).toBe("ERR_PERMISSION_NET");
      expect(error.message).toContain(`net access to "127.0.0.1:${upstream.port}"`);
    }
  });

  test("spawning a process is ERR_PERMISSION_RUN", async () => {
    child = await setUpChild();
    const error = await refusal("/probe/spawn");
    expect(error.code).toBe("ERR_PERMISSION_RUN");
    expect(child.denied).toEqual([{ kind: "run", value: "/bin/true" }]);
  });

  test("writing a file, even in its own folder, is ERR_PERMISSION_WRITE", async () => {
    child = await setUpChild();
    const error = await refusal("/probe/write");
    expect(error.code).toBe("ERR_PERMISSION_WRITE");
    expect(child.denied[0]?.kind).toBe("write");
    expect(child.denied[0]?.value).toEndWith("/isolated-plugin/written.txt");
  });
});

describe("what an isolated plugin was granted", () => {
  test("its own folder is readable", async () => {
    child = await setUpChild();
    expect(await json(await send(child, "GET", "/probe/own"))).toEqual({ text: "the probe's own file\n" });
  });

  test("a granted variable reads, directly and through ctx.env", async () => {
    child = await setUpChild({ env: ["PROBE_SECRET"] }, { PROBE_SECRET: "granted" });
    expect(await json(await send(child, "GET", "/probe/env/PROBE_SECRET"))).toEqual({ value: "granted" });
    expect(await json(await send(child, "GET", "/probe/ctx-env/PROBE_SECRET"))).toEqual({ value: "granted" });
  });

  test("a granted host answers, to the global fetch and to ctx.fetch", async () => {
    const target = `127.0.0.1:${upstream.port}`;
    child = await setUpChild({ net: [target] });
    expect(await json(await send(child, "GET", `/probe/fetch?url=http://${target}/`))).toEqual({ status: 209 });
    expect(await json(await send(child, "GET", `/probe/ctx-fetch?url=http://${target}/`))).toEqual({ status: 209 });
    expect(child.denied).toEqual([]);
  });
});
