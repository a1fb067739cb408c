// What the CLI prints: synchronously to stdout, and lists either as a padded table for a person at a
// terminal or, with `--json`, as one JSON document for scripts.
import { writeSync } from "node:fs";

// Synchronous: main.ts exits right after a command, which would cut off what a pipe has not taken yet
// (`schema` prints more than a pipe holds).
export const print = (text: string): void => {
  writeSync(1, `${text}\n`);
};

/** Rows of cells padded into columns two spaces apart, the first row the heading. */
export const padColumns = (rows: readonly (readonly string[])[]): string => {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? "").length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
};

/** A table column: its heading and how a row shows in it. */
export interface Column<T> {
  header: string;
  cell(row: T): string | number | boolean | null | undefined;
}

const show = (value: string | number | boolean | null | undefined): string =>
  value === null || value === undefined || value === "" ? "-" : String(value);

/** An instant for a table: ISO 8601 in UTC to the second, or "-". */
export const instant = (epochMs: number | null | undefined): string =>
  epochMs === null || epochMs === undefined ? "-" : new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");

/** `--json`: the rows as a JSON array; otherwise a table, or `none` (e.g. "no users") when there are no rows. */
export const formatList = <T>(
  rows: readonly T[],
  columns: readonly Column<T>[],
  options: { json: boolean; none: string },
): string => {
  if (options.json) return JSON.stringify(rows);
  if (rows.length === 0) return options.none;
  return padColumns([
    columns.map((column) => column.header),
    ...rows.map((row) => columns.map((column) => show(column.cell(row)))),
  ]);
};

/** `--json`: the record as JSON; otherwise one `field: value` line each. */
export const formatRecord = (
  fields: readonly [string, string | number | boolean | null | undefined][],
  record: unknown,
  json: boolean,
): string => (json ? JSON.stringify(record) : padColumns(fields.map(([name, value]) => [`${name}:`, show(value)])));

/** The `--json` switch of every listing command: a table on a terminal, JSON for scripts. */
export const JSON_FLAG = { json: { type: "boolean", usage: "print JSON instead of a table" } } as const;
