// Headless Chromium for browser tests: the distribution's build (Debian's chromium package) driven by
// playwright-core, so no browser download is needed. Without it the suite is skipped, except in CI.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium } from "playwright-core";
import { requireOrSkip } from "./service-availability";

const ROOT = join(import.meta.dir, "..", "..");

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** True when Chromium is installed; false (with a line saying so) when the suite should skip. */
export const chromiumAvailable = (suite: string): Promise<boolean> =>
  requireOrSkip("Chromium", CHROMIUM_PATH, suite, async () => {
    if (!existsSync(CHROMIUM_PATH)) throw new Error("not installed (apt-get install chromium)");
  });

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Nothing outside the machine is reachable in tests, and none of Chromium's own traffic is wanted.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });

/**
 * Where a browser test keeps its screenshots: docs/ when UPDATE_SCREENSHOTS is set (the README shows
 * them), else .tmp/screenshots (git-ignored, overwritten each run, there to look at after a failure),
 * so an ordinary test run leaves the tracked images alone.
 */
export const screenshotDir = (): string => {
  if (process.env.UPDATE_SCREENSHOTS) return join(ROOT, "docs");
  const dir = join(ROOT, ".tmp", "screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
};
