// problem+json titles: the status's reason phrase, never a bare "Error".
import { describe, expect, test } from "bun:test";
import { TesseraError } from "../../../core/errors/tessera-error";
import { problemBody } from "../../../core/http/problem";

const titleOf = (status: number) => problemBody(new TesseraError("ERR_BAD_REQUEST", "x", { status })).title;

describe("problem titles", () => {
  test("titles a 406 Not Acceptable, as the event stream's Accept check answers", () => {
    expect(titleOf(406)).toBe("Not Acceptable");
  });

  test("gives every 4xx and 5xx status its reason phrase rather than Error", () => {
    for (let status = 400; status <= 511; status += 1) {
      if (status > 431 && status < 500) continue;
      if ([419, 420, 427, 430].includes(status)) continue;
      expect({ status, title: titleOf(status) }).not.toEqual({ status, title: "Error" });
    }
    expect(titleOf(413)).toBe("Content Too Large");
    expect(titleOf(422)).toBe("Unprocessable Content");
  });
});
