// The console's federation peers page, in headless Chromium against two `tessera serve` processes:
// the hub's administrator requests peering, the spoke's accepts it with grants, and the hub spawns an
// agent on the spoke and follows it live to completion. Both sign in with a session token from the CLI.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { chromiumAvailable, launchChromium, screenshotDir } from "../support/chromium";
import { freePort } from "../support/free-port";
import { type ServedInstance, serveProcess } from "../support/serve-process";

const available = await chromiumAvailable("the console peers browser test");
const ROOT = join(import.meta.dir, "..", "..");
const shots = screenshotDir();
const ADMIN = "admin@example.com";

const config = (port: number, otherPort: number, name: string, agents: Record<string, unknown> = {}) => ({
  server: { publicUrl: `http://127.0.0.1:${port}` },
  database: { url: `sqlite:./${name}.db` },
  admins: [ADMIN],
  plugins: {
    websocket: { enabled: true },
    console: { enabled: true },
    federation: {
      enabled: true,
      name,
      peers: { allowedHosts: [`127.0.0.1:${otherPort}`] },
      delivery: { timeoutMs: 2000, commandAttempts: 2, outboxAttempts: 20, baseDelayMs: 100, maxDelayMs: 500 },
      agents,
    },
  },
});

const sessionToken = async (served: ServedInstance) => {
  await served.cli("users", "create", "--email", ADMIN);
  const result = await served.cli("sessions", "create", "--email", ADMIN);
  if (result.code !== 0) throw new Error(result.stderr);
  return result.stdout.trim();
};

describe.skipIf(!available)("the console on two federated instances", () => {
  let hub: ServedInstance;
  let spoke: ServedInstance;
  let browser: Browser;

  beforeAll(async () => {
    const [hubPort, spokePort] = await Promise.all([freePort(), freePort()]);
    const echo = { types: { echo: { command: ["bun", join(ROOT, "scripts/agents/echo.ts")], timeoutMs: 5000 } } };
    [hub, spoke, browser] = await Promise.all([
      serveProcess(config(hubPort, spokePort, "hub"), { port: hubPort }),
      serveProcess(config(spokePort, hubPort, "spoke", echo), { port: spokePort }),
      launchChromium(),
    ]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await Promise.all([hub?.stop(), spoke?.stop()]);
  });

  /** A page signed in through the console's session-token form. */
  const signedIn = async (served: ServedInstance): Promise<Page> => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 640 } });
    await page.goto(served.url);
    // No identity provider here: the page says how to configure one, and takes a token meanwhile.
    await page.getByText("Single sign-on is not configured on this instance").waitFor();
    await page.getByLabel("Session token").fill(await sessionToken(served));
    await page.getByRole("button", { name: "Use token" }).click();
    // The account line, not any cell that names the admin (an agent's acting user, a peer's audit).
    await page.locator("#account-email", { hasText: ADMIN }).waitFor();
    return page;
  };

  test("a console opened at an address outside allowedOrigins says where to open it instead", async () => {
    const page = await browser.newPage();
    await page.goto(hub.url.replace("127.0.0.1", "localhost"));
    const warning = page.getByRole("alert").filter({ hasText: "is not in the server's allowedOrigins" });
    await warning.waitFor();
    expect(await warning.getByRole("link").getAttribute("href")).toBe(`${hub.url}/`);
    await page.close();
  });

  test("requests peering, accepts it with grants on the other side, spawns an agent on the peer and follows it", async () => {
    const hubPage = await signedIn(hub);
    await hubPage.getByLabel("New workspace name").fill("Agents");
    await hubPage.getByRole("button", { name: "Create workspace" }).click();
    await hubPage.getByRole("heading", { name: "Agents" }).first().waitFor();

    await hubPage.getByRole("link", { name: "Peers" }).click();
    await hubPage.getByLabel("Peer URL").fill(spoke.url);
    await hubPage.getByRole("button", { name: "Request peering" }).click();
    await hubPage.getByText("requested", { exact: true }).waitFor();

    const spokePage = await signedIn(spoke);
    await spokePage.getByRole("link", { name: "Peers" }).click();
    await spokePage.getByText("pending", { exact: true }).waitFor();
    await spokePage.getByLabel("Agent types it may spawn").fill("echo");
    await spokePage.screenshot({ path: join(shots, "console-peers-pending.png") });
    await spokePage.getByRole("button", { name: "Accept" }).click();
    await spokePage.getByText("active", { exact: true }).waitFor();
    expect(await spokePage.getByText("agent types echo").count()).toBe(1);

    await hubPage.getByRole("button", { name: "Refresh" }).click();
    await hubPage.getByText("active", { exact: true }).waitFor();
    await hubPage.getByLabel("Agent type").fill("echo");
    await hubPage.getByLabel("Input").fill("hello from the hub");
    await hubPage.screenshot({ path: join(shots, "console-peers.png") });
    await hubPage.getByRole("button", { name: "Spawn" }).click();

    // Followed on the workspace's page, live: the agent's state changes arrive over the WebSocket.
    const agentRow = hubPage.locator("tr[data-agent-id]");
    await agentRow.getByText("completed", { exact: true }).waitFor({ timeout: 15_000 });
    expect(await agentRow.getByText("spoke").count()).toBe(1);
    await agentRow.getByText("Output").click();
    await agentRow.getByText('"hello from the hub"').waitFor();
    await hubPage.screenshot({ path: join(shots, "console-agent.png") });
  }, 45_000);

  test("a disconnected peer that asks again is shown to the spoke's admin as returning, with nothing granted", async () => {
    const hubPage = await signedIn(hub);
    await hubPage.getByRole("link", { name: "Peers" }).click();
    hubPage.once("dialog", (dialog) => void dialog.accept());
    await hubPage.getByRole("button", { name: /^Disconnect / }).click();
    await hubPage.getByText("disconnected", { exact: true }).waitFor();
    await hubPage.getByLabel("Peer URL").fill(spoke.url);
    await hubPage.getByRole("button", { name: "Request peering" }).click();
    await hubPage.getByText("requested", { exact: true }).waitFor();

    const spokePage = await signedIn(spoke);
    await spokePage.getByRole("link", { name: "Peers" }).click();
    await spokePage.getByText("pending", { exact: true }).waitFor();
    await spokePage.getByText("Returning peer, starts with nothing").waitFor();
    expect(await spokePage.getByText("may do nothing here").count()).toBe(1);
  }, 30_000);
});
