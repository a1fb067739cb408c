// The isolated plugins' state folder sits in the shared temp folder by default: one that another user
// made first, or could write to, is refused rather than used.
import { afterAll, expect, test } from "bun:test";
import { chmodSync, chownSync, mkdirSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateDir } from "../../../core/isolation/private-dir";

const base = join(tmpdir(), `tessera-private-dir-${process.pid}`);
mkdirSync(base, { recursive: true });
afterAll(() => rmSync(base, { recursive: true, force: true }));

test("makes a missing folder for this user alone", () => {
  const made = privateDir(join(base, "fresh"));
  expect(statSync(made).mode & 0o777).toBe(0o700);
});

test("refuses a folder others may write to, a link, and (as root) one another user owns", () => {
  const open = join(base, "open");
  mkdirSync(open);
  chmodSync(open, 0o777);
  expect(() => privateDir(open)).toThrow("is writable by other users (mode 777)");
  const link = join(base, "link");
  symlinkSync(join(base, "fresh"), link);
  expect(() => privateDir(link)).toThrow("is not a directory");
  if (process.getuid?.() === 0) {
    const theirs = join(base, "theirs");
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    expect(() => privateDir(theirs)).toThrow("belongs to user 65534");
  }
});
