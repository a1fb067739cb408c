// Turns config `database.url` into what to open. Anything but the documented forms is a config error.
import { isAbsolute, resolve } from "node:path";
import { TesseraError } from "../errors/tessera-error";

export type DatabaseTarget = { dialect: "sqlite"; path: string } | { dialect: "postgres"; url: string };

const MEMORY = ":memory:";
const FORMS = "sqlite:./relative/path.db, sqlite:/absolute/path.db, sqlite::memory: or postgres://user:password@host:port/db";

const invalid = (message: string) =>
  new TesseraError("ERR_CONFIG_INVALID", `${message}; expected ${FORMS}`, { path: "database.url" });

export const parseDatabaseUrl = (url: string, cwd: string = process.cwd()): DatabaseTarget => {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    if (!URL.canParse(url)) throw invalid("database.url is not a valid PostgreSQL URL");
    return { dialect: "postgres", url };
  }
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    if (path === MEMORY) return { dialect: "sqlite", path: MEMORY };
    // sqlite:// is ambiguous (three or four slashes mean different things in different tools): refuse it.
    if (path === "" || path.startsWith("//")) throw invalid(`database.url "${url}" has no SQLite file path`);
    return { dialect: "sqlite", path: isAbsolute(path) ? path : resolve(cwd, path) };
  }
  const scheme = url.split(":")[0] ?? "";
  throw invalid(`database.url has an unknown scheme "${scheme}"`);
};
