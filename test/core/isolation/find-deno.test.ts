import { describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findDeno, installDir } from "../../../core/isolation/find-deno";
import { makeTempDir } from "../../support/test-runtime";

const realDeno = join(import.meta.dir, "..", "..", "..", "node_modules", ".bin", "deno");

/** An install folder, with node_modules/.bin/deno when `withDeno`. */
const install = (withDeno: boolean) => {
  const dir = makeTempDir("find-deno-");
  if (withDeno) {
    mkdirSync(join(dir, "node_modules", ".bin"), { recursive: true });
    symlinkSync(realDeno, join(dir, "node_modules", ".bin", "deno"));
  }
  return dir;
};

/** A PATH folder holding only a `deno` that is the real one. */
const pathWithDeno = () => {
  const dir = makeTempDir("find-deno-path-");
  symlinkSync(realDeno, join(dir, "deno"));
  return dir;
};

describe("findDeno", () => {
  test("takes isolation.deno when it is set, and says so", () => {
    const found = findDeno({ configured: realDeno, installDir: install(false), path: "" });
    expect(found).toMatchObject({ path: realDeno, source: "isolation.deno" });
    expect(found.version).toMatch(/^deno \d+\.\d+\.\d+/);
  });

  test("refuses an isolation.deno that does not exist or does not run as deno", () => {
    const notDeno = join(makeTempDir("find-deno-"), "deno");
    writeFileSync(notDeno, "#!/bin/sh\necho hello\n");
    chmodSync(notDeno, 0o755);
    for (const configured of ["/nowhere/deno", notDeno]) {
      expect(() => findDeno({ configured, installDir: install(true), path: pathWithDeno() })).toThrow(
        expect.objectContaining({ code: "ERR_ISOLATION_RUNTIME", path: "isolation.deno" }),
      );
    }
  });

  test("then node_modules/.bin/deno of the install, before PATH", () => {
    const dir = install(true);
    expect(findDeno({ installDir: dir, path: pathWithDeno() })).toMatchObject({
      path: join(dir, "node_modules", ".bin", "deno"),
      source: "node_modules",
    });
  });

  test("then deno on PATH", () => {
    const onPath = pathWithDeno();
    expect(findDeno({ installDir: install(false), path: `/nowhere:${onPath}` })).toMatchObject({
      path: join(onPath, "deno"),
      source: "PATH",
    });
  });

  test("none found: the error names the three places and isolation none", () => {
    const dir = install(false);
    expect(() => findDeno({ installDir: dir, path: "/nowhere" })).toThrow(
      expect.objectContaining({
        code: "ERR_ISOLATION_RUNTIME",
        message: expect.stringMatching(
          new RegExp(
            `isolation\\.deno, ${join(dir, "node_modules/.bin/deno").replaceAll("/", "\\/")}, or deno on PATH.*"isolation": "none"`,
          ),
        ),
      }),
    );
  });

  test("the install is the repository from source, the binary's folder from the single binary", () => {
    expect(installDir(false, "/repo")).toBe("/repo");
    expect(installDir(true, "/repo")).toBe(join(process.execPath, ".."));
  });
});
