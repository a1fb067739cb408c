// Which log level is in force: --log-level, then TESSERA_LOG_LEVEL, then log.level in the config file.
// The first two are fixed for the life of the process; only the file's is reloaded on SIGHUP.
import { TesseraError } from "../errors/tessera-error";
import { isLogLevel } from "./json-logger";
import type { LogLevel } from "./logger";

export const LOG_LEVEL_ENV = "TESSERA_LOG_LEVEL";
const LEVELS = "debug, info, warn or error";

/** The level the command line or environment imposes over the file's, if any; throws on a bad value. */
export const logLevelOverride = (flag: string | undefined, env: Record<string, string | undefined>): LogLevel | undefined => {
  if (flag !== undefined) {
    if (!isLogLevel(flag)) throw new TesseraError("ERR_BAD_REQUEST", `--log-level expects ${LEVELS}, got "${flag}"`);
    return flag;
  }
  const fromEnv = env[LOG_LEVEL_ENV];
  if (fromEnv === undefined || fromEnv === "") return undefined;
  if (!isLogLevel(fromEnv)) {
    throw new TesseraError("ERR_CONFIG_INVALID", `${LOG_LEVEL_ENV} expects ${LEVELS}, got "${fromEnv}"`, {
      path: LOG_LEVEL_ENV,
    });
  }
  return fromEnv;
};
