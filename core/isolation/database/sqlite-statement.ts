// What an isolated plugin may send its SQLite file: one statement that reads or writes rows. The file
// holds nothing but the plugin's tables; this keeps the connection from reaching others (ATTACH, VACUUM
// INTO) or being changed (PRAGMA, transactions). bun:sqlite would run only the first of several
// statements and drop the rest unseen, so a second one is refused rather than ignored.
import { queryFailed } from "./query-failed";

const ALLOWED = ["SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH", "VALUES"];

// Where a quoted string or name opened by `open` ends (past its closing character); SQLite writes a
// quote inside one by doubling it, which this reads as two adjacent quoted parts.
const CLOSERS: Record<string, string> = { "'": "'", '"': '"', "`": "`", "[": "]" };

/** The index just past the comment starting at `at`, or `at` when none starts there. */
const pastComment = (sql: string, at: number): number => {
  if (sql.startsWith("--", at)) {
    const end = sql.indexOf("\n", at);
    return end === -1 ? sql.length : end + 1;
  }
  if (sql.startsWith("/*", at)) {
    const end = sql.indexOf("*/", at + 2);
    return end === -1 ? sql.length : end + 2;
  }
  return at;
};

/** The index of the first character at or after `at` that is not whitespace, a comment or (with `semicolons`) a `;`. */
const pastNothing = (sql: string, at: number, semicolons: boolean): number => {
  let index = at;
  while (index < sql.length) {
    const char = sql.charAt(index);
    if (/\s/.test(char) || (semicolons && char === ";")) index++;
    else {
      const next = pastComment(sql, index);
      if (next === index) return index;
      index = next;
    }
  }
  return index;
};

/** The index of the `;` that ends the first statement, or the text's length. */
const firstStatementEnd = (sql: string): number => {
  let index = 0;
  while (index < sql.length) {
    const char = sql.charAt(index);
    const closer = CLOSERS[char];
    if (closer !== undefined) {
      const end = sql.indexOf(closer, index + 1);
      index = end === -1 ? sql.length : end + 1;
    } else if (char === ";") {
      return index;
    } else {
      const next = pastComment(sql, index);
      index = next === index ? index + 1 : next;
    }
  }
  return index;
};

/** Throws ERR_DB_QUERY unless `sql` is one statement starting with an allowed keyword. */
export const checkSqliteStatement = (sql: string): void => {
  const start = pastNothing(sql, 0, false);
  const keyword = /^[A-Za-z]+/.exec(sql.slice(start))?.[0]?.toUpperCase() ?? "";
  if (!ALLOWED.includes(keyword)) {
    throw queryFailed(
      `An isolated plugin's statement must start with ${ALLOWED.slice(0, -1).join(", ")} or ${ALLOWED.at(-1)}, not ${keyword || "nothing"}`,
    );
  }
  if (pastNothing(sql, firstStatementEnd(sql), true) < sql.length) {
    throw queryFailed("An isolated plugin sends one statement at a time; this text holds more than one");
  }
};
