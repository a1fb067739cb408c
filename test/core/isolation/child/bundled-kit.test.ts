// The single binary's child kit (the child's program and the plugin API bundled by scripts/build.ts):
// written out of the binary into the cache folder, it runs a plugin as the source tree does, with the same
// permissions — it must not need to read its own folder at run time, which the child may not.
import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TesseraError } from "../../../../core/errors/tessera-error";
import { childKit } from "../../../../core/isolation/child-kit";
import { bundleChildKit } from "../../../../scripts/bundle-child-kit";
import { json, type RunningChild, send, setUpChild } from "./run-child";

let child: RunningChild | undefined;
const cache = mkdtempSync(join(tmpdir(), "tessera-bundled-kit-"));
afterEach(() => {
  child?.kill();
  rmSync(cache, { recursive: true, force: true });
});

test("the bundled kit serves the plugin's routes and keeps its permissions", async () => {
  const kit = childKit(cache, await bundleChildKit());
  expect(kit.kind).toBe("bundled");
  expect(kit.main.startsWith(cache)).toBe(true);
  child = await setUpChild({}, {}, {}, kit);
  expect((await child.hello).protocol).toBe(1);
  const hello = await send(child, "GET", "/probe/hello");
  expect(await json(hello)).toEqual({ hello: "world" });
  const refused = await send(child, "GET", "/probe/read?path=/etc/passwd").catch((error: unknown) => error);
  expect(refused).toBeInstanceOf(TesseraError);
  expect(refused).toMatchObject({ code: "ERR_PERMISSION_READ" });
});
