// A plugin's statement that the database refused: the plugin's author needs the database's own words,
// and nothing about how the core reaches the database.
import { TesseraError } from "../../errors/tessera-error";

export const queryFailed = (message: string, cause?: unknown): TesseraError =>
  new TesseraError("ERR_DB_QUERY", message, { status: 500, cause });
