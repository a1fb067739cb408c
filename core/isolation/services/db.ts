// `db.query`: one statement on the plugin's own database (never the core's); a plugin that declared no
// migrations has none.
import { Type } from "@sinclair/typebox";
import { TesseraError } from "../../errors/tessera-error";
import type { PluginDatabase } from "../database/plugin-database";
import type { Channel } from "../wire/channel";
import type { WireValue } from "../wire/protocol";
import { paramsOf } from "./params";

const queryParams = paramsOf(
  "db.query",
  Type.Object({
    sql: Type.String({ minLength: 1, maxLength: 1_000_000 }),
    params: Type.Array(Type.Unsafe<WireValue>(Type.Unknown())),
    method: Type.Union([
      Type.Literal("all"),
      Type.Literal("values"),
      Type.Literal("get"),
      Type.Literal("run"),
      Type.Literal("execute"),
    ]),
  }),
);

export const serveDb = (channel: Channel, plugin: string, db: PluginDatabase | undefined): void => {
  channel.handle("db.query", (params) => {
    const query = queryParams(params);
    if (!db) {
      throw new TesseraError(
        "ERR_ISOLATION_UNSUPPORTED",
        `Plugin "${plugin}" has no database: an isolated plugin gets its own tables by declaring migrations`,
        { status: 500 },
      );
    }
    return db.query(query);
  });
};
