// `tessera keys create --name N [--scopes a,b]`: a new key, shown once, and the entry for plugins.api-key.keys.
import { badRequest, type Command, type CommandFlags } from "tessera/plugin";
import { type ApiKeyConfig, KEY_NAME_PATTERN, SCOPE_PATTERN } from "./config";
import { generateApiKey, hashApiKey } from "./keyring";

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
