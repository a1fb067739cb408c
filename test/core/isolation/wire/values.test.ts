import { expect, test } from "bun:test";
import { fromWire, toWire } from "../../../../core/isolation/wire/values";

test("bytes and big integers cross the wire as what they were; JSON values as they are", () => {
  const value = { a: new Uint8Array([0, 255, 7]), b: 2n ** 70n, c: [1, "x", null, true], d: { nested: new Uint8Array([1]) } };
  const crossed = fromWire(JSON.parse(JSON.stringify(toWire(value))));
  expect(crossed).toEqual(value);
  expect(toWire(undefined)).toBeNull();
  expect(toWire(new Date(0))).toBe("1970-01-01T00:00:00.000Z");
});

test("an object that merely looks tagged but has other keys stays an object", () => {
  expect(fromWire({ $bytes: "AA==", other: 1 })).toEqual({ $bytes: "AA==", other: 1 });
});
