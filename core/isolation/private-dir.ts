// The folder isolated plugins' state lives in (Deno's cache, the bundled kit, the children's records) is
// under the shared temp folder by default, where another local user could make it first and plant a kit
// the children would run or records naming processes to kill. So it must be this user's own: a real
// directory (not a link), owned by us, that no one else may write to.
import { lstatSync, mkdirSync } from "node:fs";
import { TesseraError } from "../errors/tessera-error";

const refused = (path: string, why: string) =>
  new TesseraError(
    "ERR_ISOLATION_RUNTIME",
    `The isolated plugins' state folder ${path} ${why}; remove it (another user may have made it) and start again`,
    { path },
  );

/** Makes `path` (mode 0700) when missing and checks that only we can write to it; returns it. */
export const privateDir = (path: string): string => {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  const stat = lstatSync(path);
  if (!stat.isDirectory()) throw refused(path, "is not a directory");
  const uid = process.getuid?.();
  if (uid !== undefined && stat.uid !== uid) throw refused(path, `belongs to user ${stat.uid}, not to this one (${uid})`);
  if ((stat.mode & 0o022) !== 0) throw refused(path, `is writable by other users (mode ${(stat.mode & 0o777).toString(8)})`);
  return path;
};
