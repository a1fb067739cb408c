// What an isolated plugin's ctx cannot do, refused with one code so the plugin's author can find why.
import { TesseraError } from "../../errors/tessera-error";

export const unsupported = (what: string, instead: string): TesseraError =>
  new TesseraError("ERR_ISOLATION_UNSUPPORTED", `${what} is not available to an isolated plugin; ${instead}`, { status: 500 });
