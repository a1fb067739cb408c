// The console's entry point: who is signed in decides the page; the hash picks the view (#/w/<id> a
// workspace, #/peers the federation peers for administrators).
import { ApiError, api } from "./api";
import { h, notice } from "./dom";
import { LiveFeed } from "./live";
import { peersPage } from "./peers-page";
import { listOf, type Me, toMe, toPeer, toWorkspace } from "./records";
import { probeSignIn, type SignIn } from "./sign-in-probe";
import { signedOutPage } from "./signed-out-page";
import { workspacesPage } from "./workspaces-page";

const byId = (id: string): HTMLElement => {
  const element = document.getElementById(id);
  if (!element) throw new Error(`The page has no #${id}`);
  return element;
};

const setting = (name: string): string => document.querySelector(`meta[name="tessera-${name}"]`)?.getAttribute("content") ?? "";

// The server refuses changes and WebSockets from origins outside server.allowedOrigins (CSRF), so a
// console opened at another address (127.0.0.1 for localhost, say) would fail at every click.
const originWarning = (): HTMLElement | null => {
  if (setting("allowed-origins").split(" ").includes(location.origin)) return null;
  const publicUrl = setting("public-url");
  return h(
    "p",
    { class: "message error", role: "alert" },
    `This address (${location.origin}) is not in the server's allowedOrigins, so changes and live updates are refused here. Open the console at `,
    h("a", { href: `${publicUrl}/` }, publicUrl),
    " or add this origin to server.allowedOrigins.",
  );
};

const show = (content: HTMLElement) =>
  byId("main").replaceChildren(...[originWarning(), content].filter((node) => node !== null));

const showAccount = (me: Me, signIn: SignIn) => {
  byId("account-email").textContent = me.user.email ?? me.user.name ?? me.user.id;
  // With an identity provider, sign-out goes through it so its session ends too.
  if (signIn.sso !== "off") byId("sign-out").setAttribute("action", "/auth/logout");
  byId("account").hidden = false;
  byId("nav").hidden = false;
  byId("nav-peers").hidden = !me.isAdmin;
};

const signedIn = (me: Me) => {
  const live = new LiveFeed(setting("websocket-path") || "/ws");
  const peerNames = new Map<string, string>();
  let workspaces = me.workspaces;

  // Peers are listed to administrators only; others, or an admin when the list can't be had (no
  // federation plugin), see an agent's peer by its id, which is all the names are for.
  const reloadPeerNames = async () => {
    if (!me.isAdmin) return;
    const body = await api("GET", "/federation/peers").catch(() => null);
    for (const peer of listOf(body, "peers", toPeer)) peerNames.set(peer.id, peer.name ?? peer.url);
  };
  const peerName = (id: string) => peerNames.get(id) ?? `peer ${id.slice(0, 8)}`;

  const reload = async () => {
    const [body] = await Promise.all([api("GET", "/workspaces"), reloadPeerNames()]);
    workspaces = listOf(body, "workspaces", toWorkspace);
  };

  const route = () => {
    const hash = location.hash;
    document.querySelectorAll("#nav a").forEach((link) => {
      const here = link.getAttribute("href") === (hash === "#/peers" ? "#/peers" : "#/");
      if (here) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    });
    if (hash === "#/peers" && me.isAdmin) {
      live.stopFollowing();
      show(peersPage({ workspaces, onSpawned: (id) => (location.hash = `#/w/${encodeURIComponent(id)}`) }));
      return;
    }
    const chosen = hash.startsWith("#/w/") ? decodeURIComponent(hash.slice(4)) : undefined;
    show(
      workspacesPage({
        workspaces,
        chosen,
        live,
        peerName,
        onCreated: (workspace) => {
          workspaces = [...workspaces, workspace];
          const target = `#/w/${encodeURIComponent(workspace.id)}`;
          if (location.hash === target) route();
          else location.hash = target;
        },
      }),
    );
  };

  window.addEventListener("hashchange", () => {
    reload().then(route, route);
  });
  reloadPeerNames().then(route, route);
};

const boot = async () => {
  const signIn = probeSignIn();
  let me: Me | null;
  try {
    me = toMe(await api("GET", "/me"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      show(signedOutPage(await signIn, new URLSearchParams(location.search)));
      return;
    }
    throw error;
  }
  if (!me) throw new Error("GET /me answered without a user");
  showAccount(me, await signIn);
  signedIn(me);
};

boot().catch((error: unknown) => {
  show(h("div", {}, notice(`The console could not start: ${error instanceof Error ? error.message : String(error)}`, "error")));
});
