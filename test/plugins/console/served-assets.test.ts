// What the console serves is for browsers: no comment in it points at the project's test files.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { TestRuntime } from "../../support/test-runtime";
import { startConsole } from "./console-runtime";

describe("the console's served assets", () => {
  let runtime: TestRuntime;

  beforeAll(async () => {
    runtime = await startConsole();
  });
  afterAll(() => runtime.close());

  test("no served asset (page, script, stylesheet) mentions a test/ path", async () => {
    const html = await (await runtime.request("/")).text();
    const urls = [...html.matchAll(/\/console\/app\.(?:js|css)\?v=[0-9a-f]+/g)].map(([url]) => url);
    expect(urls).toHaveLength(2);
    const served: [string, string][] = [["/", html]];
    for (const url of urls) served.push([url, await (await runtime.request(url)).text()]);
    for (const [url, body] of served) {
      expect({ url, mentions: /\btest\//.test(body) }).toEqual({ url, mentions: false });
    }
  });
});
