// Everything one federation plugin instance holds, built once in setup and handed to its parts.

import type { EventBus, Logger, ScopedFetch } from "tessera/plugin";
import type { Database } from "tessera/plugin/db";
import type { Auth } from "tessera/plugin/identity";
import type { AgentRecord } from "./agents/agent-store";
import type { AgentRunner } from "./agents/runner";
import type { FederationConfig } from "./config";
import type { IdentityDocument } from "./identity/document";
import type { KeyStore } from "./identity/key-store";
import type { ReplayCache } from "./inbox/replay-cache";
import type { Outbox } from "./outbox/outbox";
import type { PeerCache } from "./peers/peer-cache";

export interface SelfIdentity {
  id: string;
  name: string;
  url: string;
}

export interface Federation {
  /** The config in force: a reload replaces it, but for the settings that need a restart (live-config.ts). */
  readonly config: FederationConfig;
  db: Database;
  fetch: ScopedFetch;
  log: Logger;
  events: EventBus;
  auth: Auth;
  self: SelfIdentity;
  keys: KeyStore;
  peers: PeerCache;
  replay: ReplayCache;
  outbox: Outbox;
  runner: AgentRunner;
  /** Reads (on first start: creates) the instance id and keys; `self` and `keys` throw until then. */
  loadIdentity(): Promise<void>;
  /** The identity document as published now (keys change on rotation). */
  document(): IdentityDocument;
  /** Tells whoever follows an agent here of its change: the peer that spawned it, its workspace's stream. */
  reportAgent(agent: AgentRecord): Promise<void>;
}
