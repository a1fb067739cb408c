import { expect, test } from "bun:test";
import { formatPath, type JsonPath, parsePath } from "../../../core/config/json-path";

test("parsePath undoes formatPath, quoted keys and indices included", () => {
  const paths: JsonPath[] = [
    [],
    ["plugins", "oidc", "scopes", 0],
    ["plugins", "/srv/my plugin", "size"],
    ["a", 'we"ird', 3, "b-c"],
  ];
  for (const path of paths) expect(parsePath(formatPath(path))).toEqual(path);
});

test("parsePath refuses what formatPath never prints", () => {
  for (const printed of [".a", "a..b", "a[x]", 'plugins["x"]size', "a[", ""]) expect(parsePath(printed)).toBeUndefined();
});
