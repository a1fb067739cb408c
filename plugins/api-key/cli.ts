// `tessera keys create --name N [--scopes a,b]`: a new key, shown once, and the entry for plugins.api-key.keys.
// `tessera keys list`: the configured keys by name, with scopes, workspaces, expiry and last use; never a hash.
import { badRequest, type Command, type CommandFlags, formatList, instant, JSON_FLAG } from "tessera/plugin";
import { type ApiKeyConfig, KEY_NAME_PATTERN, SCOPE_PATTERN } from "./config";
import { generateApiKey, hashApiKey } from "./keyring";
import { readLastUses } from "./last-use";

export interface KeysCreateOptions {
  name?: string;
  /** Comma-separated. */
  scopes?: string;
}

const KEY_NAME = new RegExp(KEY_NAME_PATTERN);
const SCOPE = new RegExp(SCOPE_PATTERN);

/** The JSON line to print: `{"name","key","hash","scopes"}`; everything but `key` is the config entry. */
export const keysCreate = ({ name, scopes = "" }: KeysCreateOptions): string => {
  if (!name) throw badRequest("--name is required");
  if (!KEY_NAME.test(name)) throw badRequest(`--name expects letters, digits, ".", "_" or "-" (at most 64), got "${name}"`);
  const list = scopes
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");
  const bad = list.find((scope) => !SCOPE.test(scope));
  if (bad !== undefined)
    throw badRequest(`--scopes expects comma-separated words (letters, digits, "_", ".", ":", "-"), got "${bad}"`);
  const key = generateApiKey();
  return JSON.stringify({ name, key, hash: hashApiKey(key), scopes: [...new Set(list)] });
};

const KEYS_CREATE_FLAGS = {
  name: { type: "string", value: "N", required: true, usage: "the key's name in config and logs" },
  scopes: { type: "string", value: "a,b", usage: "comma-separated scopes the key grants" },
} satisfies CommandFlags;

export const keysCreateCommand: Command<ApiKeyConfig, typeof KEYS_CREATE_FLAGS> = {
  name: "keys create",
  summary: "a new API key (shown once) and its config entry",
  flags: KEYS_CREATE_FLAGS,
  run: ({ flags }, command) => command.out(keysCreate(flags)),
};

const KEYS_LIST_FLAGS = JSON_FLAG satisfies CommandFlags;

export const keysListCommand: Command<ApiKeyConfig, typeof KEYS_LIST_FLAGS> = {
  name: "keys list",
  summary: "the configured keys: scopes, workspaces, expiry, last use",
  flags: KEYS_LIST_FLAGS,
  async run({ flags }, command) {
    const lastUses = await readLastUses((await command.open()).db);
    const keys = command.config.keys.map((key) => ({
      name: key.name,
      scopes: key.scopes,
      workspaces: key.workspaces ?? null,
      notAfter: key.notAfter ?? null,
      lastUsedAt: lastUses.get(key.name) ?? null,
    }));
    command.out(
      formatList(
        keys,
        [
          { header: "NAME", cell: (key) => key.name },
          { header: "SCOPES", cell: (key) => key.scopes.join(",") },
          { header: "WORKSPACES", cell: (key) => key.workspaces?.join(",") ?? "all" },
          { header: "NOT AFTER", cell: (key) => key.notAfter },
          { header: "LAST USED", cell: (key) => instant(key.lastUsedAt) },
        ],
        { json: flags.json === true, none: "no keys in plugins.api-key.keys" },
      ),
    );
  },
};
