// A runtime with the console (and websocket) plugin for the console's unit tests, and a signed-in user.
import { createSession } from "../../../core/identity/sessions";
import { createUser } from "../../../core/identity/users";
import { startTestRuntime, type TestRuntime } from "../../support/test-runtime";

export const SITE = "http://localhost:3000";

export const startConsole = (): Promise<TestRuntime> =>
  startTestRuntime({
    server: { publicUrl: SITE },
    plugins: { websocket: { enabled: true }, console: { enabled: true } },
  });

export const signedInUser = async (runtime: TestRuntime, email = "ada@example.com") => {
  const user = await createUser(runtime.runtime.db, { email });
  const { token } = await createSession(runtime.runtime.db, user.id, { ttlMs: 3_600_000 });
  return { user, token, cookie: `tessera_session=${token}` };
};
