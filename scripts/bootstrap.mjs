#!/usr/bin/env node
// Entry point of `npm start`, `npm test`, `npm run bench` and `npm run build` on a machine that has only
// Node and npm: installs the pinned dependencies (Bun among them) when they are missing or stale, then
// hands over to Bun.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bun = join(root, "node_modules", ".bin", "bun");
const installedMarker = join(root, "node_modules", ".package-lock.json");

const stale = () =>
  !existsSync(bun) ||
  !existsSync(installedMarker) ||
  statSync(join(root, "package-lock.json")).mtimeMs > statSync(installedMarker).mtimeMs;

if (stale()) {
  console.error("tessera: installing dependencies (npm ci)…");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
  if (result.status !== 0) {
    console.error("tessera: npm ci failed; see the output above");
    process.exit(result.status ?? 1);
  }
}

const [mode, ...rest] = process.argv.slice(2);

const run = (args, onExit, capture = false) => {
  const child = spawn(bun, args, { cwd: root, stdio: ["inherit", "inherit", capture ? "pipe" : "inherit"] });
  let tail = "";
  child.stderr?.on("data", (chunk) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString()).slice(-4000);
  });
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => onExit(code ?? (signal ? 1 : 0), tail));
};

// bun test takes its per-test timeout only from the command line (bunfig.toml has no such key), and its
// default of 5 s is too short for tests that start servers on a busy machine.
const TEST_TIMEOUT_MS = "30000";

if (mode === "test") {
  // bun test reports "N pass" / "N fail"; CI reads one plain line "N passed, N failed".
  run(
    ["test", "--timeout", TEST_TIMEOUT_MS, ...rest],
    (code, tail) => {
      const count = (word) => Number(tail.match(new RegExp(`^\\s*(\\d+) ${word}$`, "m"))?.[1] ?? 0);
      const skipped = count("skip");
      console.log(`${count("pass")} passed, ${count("fail")} failed${skipped ? `, ${skipped} skipped` : ""}`);
      process.exit(code);
    },
    true,
  );
} else if (mode === "bench") {
  run(["scripts/bench/run.ts", ...rest], (code) => process.exit(code));
} else if (mode === "build") {
  run(["scripts/build.ts", ...rest], (code) => process.exit(code));
} else {
  run(["core/main.ts", mode ?? "serve", ...rest], (code) => process.exit(code));
}
