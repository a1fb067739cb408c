// Workspace names are shown to people: a name that hides characters, reorders what is displayed (so it
// reads as another workspace's name) or is not text at all is refused; one spelling of a name is stored.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { testDatabaseUrls } from "../../support/databases";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

for (const { dialect, create } of await testDatabaseUrls()) {
  describe(`workspace names (${dialect})`, () => {
    let t: TestRuntime;
    let drop: () => Promise<void>;
    let token = "";

    beforeAll(async () => {
      const database = await create();
      drop = database.drop;
      t = await startTestRuntime({ database: { url: database.url }, plugins: {} });
      const user = await createUser(t.runtime.db, { email: "namer@example.com", name: "Namer" });
      token = (await createSession(t.runtime.db, user.id, { ttlMs: 60_000 })).token;
    });
    afterAll(async () => {
      await t.close();
      await drop();
    });

    // The body is written by hand so a lone surrogate travels as the JSON escape an attacker would send.
    const createRaw = (body: BodyInit) =>
      t.request("/workspaces", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      });
    const named = (name: string) => createRaw(JSON.stringify({ name }));

    test("refuses a name with a NUL byte", async () => {
      expect((await named("ops\u0000team")).status).toBe(422);
    });

    test("refuses a name with C0 and C1 control characters", async () => {
      for (const name of ["ops\nteam", "ops\tteam", "ops\u007fteam", "ops\u0085team", "ops\u009bteam"]) {
        expect({ name, status: (await named(name)).status }).toEqual({ name, status: 422 });
      }
    });

    test("refuses a name with a lone surrogate", async () => {
      for (const escaped of ["\\ud800", "\\udc00", "a\\udbffb"]) {
        expect({ escaped, status: (await createRaw(`{"name":"ops${escaped}"}`)).status }).toEqual({ escaped, status: 422 });
      }
    });

    test("refuses a name with bidirectional overrides, embeddings, isolates or direction marks", async () => {
      for (const mark of [
        "\u202a",
        "\u202b",
        "\u202c",
        "\u202d",
        "\u202e",
        "\u2066",
        "\u2067",
        "\u2068",
        "\u2069",
        "\u200e",
        "\u200f",
        "\u061c",
      ]) {
        const name = `admin${mark}gnp.exe`;
        const code = mark.codePointAt(0)?.toString(16);
        expect({ code, status: (await named(name)).status }).toEqual({ code, status: 422 });
      }
    });

    test("refuses a body that is not valid UTF-8 with 400, not a name with U+FFFD in it", async () => {
      const bytes = new Uint8Array([...new TextEncoder().encode('{"name":"ops'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
      const response = await createRaw(bytes);
      expect(response.status).toBe(400);
      expect((await response.json()).code).toBe("ERR_BAD_REQUEST");
    });

    test("refuses a blank name", async () => {
      expect((await named("   ")).status).toBe(422);
    });

    test("stores the NFC form, so two spellings of a name are one", async () => {
      const response = await named("Cafe\u0301");
      expect(response.status).toBe(201);
      expect((await response.json()).name).toBe("Caf\u00e9");
    });

    test("caps the length in characters, not UTF-16 units", async () => {
      expect((await named("\u{1F680}".repeat(100))).status).toBe(201);
      expect((await named("\u{1F680}".repeat(101))).status).toBe(422);
      expect((await named("a".repeat(101))).status).toBe(422);
      // Decomposed, this is 200 code points; stored as NFC it is 100.
      expect((await named("e\u0301".repeat(100))).status).toBe(201);
    });

    test("keeps right-to-left scripts and emoji, which need no formatting characters", async () => {
      for (const name of ["فريق العمليات", "צוות", "Ops 🚀 team", "Équipe d'exploitation"]) {
        const response = await named(name);
        expect({ name, status: response.status }).toEqual({ name, status: 201 });
        expect((await response.json()).name).toBe(name);
      }
    });
  });
}
