import { describe, expect, test } from "bun:test";
import { scopedEnv } from "../../../core/plugins/scoped-env";

describe("ctx.env", () => {
  const env = scopedEnv("./greeter.ts", ["GREETER_NAME"], { GREETER_NAME: "Ada", HOME: "/root" });

  test("reads a granted variable", () => {
    expect(env("GREETER_NAME")).toBe("Ada");
  });

  test("refuses an ungranted variable with the config line that would grant it", () => {
    expect(() => env("HOME")).toThrow(
      expect.objectContaining({
        code: "ERR_PERMISSION_ENV",
        message: expect.stringContaining('plugins["./greeter.ts"].permissions.env: ["HOME"]'),
      }),
    );
  });
});
