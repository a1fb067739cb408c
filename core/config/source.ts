// Reads tessera.jsonc (comments, trailing commas) and keeps the syntax tree, so that every later
// error can point at the line and column that caused it.
import { existsSync, readFileSync } from "node:fs";
import { type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { TesseraError } from "../errors/tessera-error";
import type { JsonPath } from "./json-path";

export interface Location {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units like an editor's column. */
  col: number;
}

export interface ConfigSource {
  /** The name errors print: the path as the user gave it. */
  file: string;
  /** The parsed document as plain JS values. */
  value: unknown;
  /**
   * Where a JSON path is written: the property key for a property, an array element itself, or
   * the nearest enclosing object or array when the path does not exist (a missing key).
   */
  locate(path: JsonPath): Location;
}

const PARSE_MESSAGES: Record<string, string> = {
  InvalidSymbol: "unexpected character",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: "expected `:`",
  CommaExpected: "expected `,`",
  CloseBraceExpected: "expected `}`",
  CloseBracketExpected: "expected `]`",
  EndOfFileExpected: "expected end of file",
  InvalidCommentToken: "invalid comment",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unterminated number",
  InvalidUnicode: "invalid unicode escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in string",
};

/** Reads and parses a config file; `name` is what errors print (defaults to `file`). */
export const readConfigSource = (file: string, name = file): ConfigSource => {
  if (!existsSync(file)) {
    throw new TesseraError("ERR_CONFIG_NOT_FOUND", `${name}: config file not found`, { path: name });
  }
  return parseConfigSource(name, readFileSync(file, "utf8"));
};

export const parseConfigSource = (file: string, text: string): ConfigSource => {
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  const toLocation = lineIndex(text);
  const [first] = errors;
  if (first !== undefined || root === undefined) {
    // Later errors are usually knock-on effects of the first, so the message names only that one.
    const all = errors.map((error) => {
      const { line, col } = toLocation(error.offset);
      return { line, col, message: PARSE_MESSAGES[printParseErrorCode(error.error)] ?? "syntax error" };
    });
    const head = all[0] ?? { line: 1, col: 1, message: "expected a value" };
    throw new TesseraError("ERR_CONFIG_PARSE", `${file}:${head.line}:${head.col}: ${head.message}`, {
      path: file,
      details: { file, errors: all.length > 0 ? all : [head] },
    });
  }
  // Last-one-wins would silently ignore the first of two settings; editors flag it, so do we.
  const duplicate = firstDuplicateKey(root);
  if (duplicate !== undefined) {
    const { line, col } = toLocation(duplicate.offset);
    const message = `duplicate key ${JSON.stringify(duplicate.value)}`;
    throw new TesseraError("ERR_CONFIG_PARSE", `${file}:${line}:${col}: ${message}`, {
      path: file,
      details: { file, errors: [{ line, col, message }] },
    });
  }
  return {
    file,
    value: nodeValue(root),
    locate: (path) => toLocation(nearestOffset(root, path)),
  };
};

/** Offset → 1-based line and column, by binary search over the line starts. */
const lineIndex = (text: string): ((offset: number) => Location) => {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, col: offset - (starts[low] ?? 0) + 1 };
  };
};

const nearestOffset = (root: Node, path: JsonPath): number => {
  let node = root;
  let offset = root.offset;
  for (const segment of path) {
    const children = node.children ?? [];
    if (node.type === "object") {
      const property = children.find((child) => child.children?.[0]?.value === String(segment));
      const value = property?.children?.[1];
      if (property === undefined || value === undefined) return offset;
      offset = property.offset;
      node = value;
    } else if (node.type === "array" && typeof segment === "number") {
      const element = children[segment];
      if (element === undefined) return offset;
      offset = element.offset;
      node = element;
    } else {
      return offset;
    }
  }
  return offset;
};

const firstDuplicateKey = (node: Node): Node | undefined => {
  const children = node.children ?? [];
  if (node.type === "object") {
    const seen = new Set<unknown>();
    for (const property of children) {
      const key = property.children?.[0];
      if (key === undefined) continue;
      if (seen.has(key.value)) return key;
      seen.add(key.value);
    }
  }
  for (const child of children) {
    const found = firstDuplicateKey(child);
    if (found !== undefined) return found;
  }
  return undefined;
};

// Built by hand rather than with jsonc-parser's getNodeValue, whose objects have a null prototype.
// Object.fromEntries also keeps a `__proto__` key as an ordinary (and so unknown, hence rejected) key.
const nodeValue = (node: Node): unknown => {
  const children = node.children ?? [];
  switch (node.type) {
    case "object":
      return Object.fromEntries(
        children.flatMap((property) => {
          const [key, value] = property.children ?? [];
          return key === undefined || value === undefined ? [] : [[String(key.value), nodeValue(value)]];
        }),
      );
    case "array":
      return children.map(nodeValue);
    default:
      return node.value;
  }
};
