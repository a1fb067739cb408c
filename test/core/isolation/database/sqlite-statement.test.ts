// The check every statement of an isolated plugin passes before its own SQLite file sees it: one
// statement, and only one that reads or writes rows.
import { describe, expect, test } from "bun:test";
import { checkSqliteStatement } from "../../../../core/isolation/database/sqlite-statement";

const refused = (sql: string) =>
  expect(() => checkSqliteStatement(sql)).toThrow(expect.objectContaining({ code: "ERR_DB_QUERY" }));

describe("checkSqliteStatement", () => {
  test("lets one statement that reads or writes rows through, whatever its case, comments and trailing semicolons", () => {
    for (const sql of [
      "select 1",
      "SELECT * FROM probe_items WHERE text = ?",
      "  -- why\n/* a note */ insert into probe_items (text) values (?) returning id;",
      "UPDATE probe_items SET text = ';' WHERE id = ?",
      "delete from probe_items;  ;\n-- done",
      "replace into probe_items (id, text) values (1, 'x')",
      "WITH recent AS (SELECT * FROM probe_items) SELECT * FROM recent",
      "values (1), (2)",
      'select "a;b", `c;d`, [e;f] from probe_items',
      "select 'it''s; fine' /* ; */ -- ;",
    ]) {
      expect(() => checkSqliteStatement(sql)).not.toThrow();
    }
  });

  test("refuses statements that reach other files or change the connection", () => {
    refused("ATTACH DATABASE '/srv/tessera.db' AS core");
    refused("detach database core");
    refused("VACUUM INTO '/tmp/copy.db'");
    refused("PRAGMA writable_schema = ON");
    refused("BEGIN");
    refused("commit");
    refused("create table probe_more (id integer)");
    refused("drop table probe_items");
    refused("/* select */ attach '/srv/tessera.db' as core");
    refused("");
    refused("-- only a comment");
  });

  test("refuses a second statement after the first, even one hidden behind strings and comments", () => {
    refused("select 1; attach '/srv/tessera.db' as core");
    refused("select 'a;' ; pragma foreign_keys = off");
    refused('select "x" -- ;\n; drop table probe_items');
    refused("select 1 /* ; */; select 2");
    refused("insert into probe_items (text) values (?);\n\tdelete from probe_items");
  });

  test("names what it refuses and what it accepts", () => {
    expect(() => checkSqliteStatement("PRAGMA foreign_keys = off")).toThrow(
      "An isolated plugin's statement must start with SELECT, INSERT, UPDATE, DELETE, REPLACE, WITH or VALUES, not PRAGMA",
    );
    expect(() => checkSqliteStatement("select 1; select 2")).toThrow("An isolated plugin sends one statement at a time");
  });
});
