// Every table Tessera keeps, written once for both dialects: ids are random text, timestamps are
// epoch milliseconds, JSON documents are text. `sqlite.ts` and `postgres.ts` instantiate it.
import { sql } from "drizzle-orm";
import type { Role } from "../../identity/types";
import type { SchemaKit } from "./kits";

export const defineTables = (k: SchemaKit) => {
  const users = k.table(
    "users",
    {
      id: k.text("id").primaryKey(),
      // Stored lower-cased (see identity/users.ts), so the unique index is case-insensitive in effect.
      email: k.text("email"),
      // Vouched for by a trusted path (the operator, or a provider trusted with emails that marks it
      // verified). Only a verified email links accounts, matches config `admins` or finds a user by email.
      emailVerified: k.bool("email_verified").notNull().default(false),
      name: k.text("name"),
      isAdmin: k.bool("is_admin").notNull().default(false),
      // Set for a guest: a user of that federation peer who signed in through it. A guest sees only the
      // workspaces shared with its peer, and never has an email here (so it can't match one of ours).
      guestOf: k.text("guest_of"),
      createdAt: k.epochMs("created_at").notNull(),
      // Set by `tessera users disable`: the user can't sign in and no session or token of theirs is accepted.
      disabledAt: k.epochMs("disabled_at"),
    },
    // Unique among verified emails only: anyone can claim an address unverified, and such a claim must
    // not keep its owner out.
    (t) => [k.uniqueIndex("users_verified_email_unique").on(t.email).where(sql`email_verified`)],
  );

  const identities = k.table(
    "identities",
    {
      issuer: k.text("issuer").notNull(),
      subject: k.text("subject").notNull(),
      userId: k
        .text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      // What the provider last said of this identity's email, and whether Tessera took it as verified.
      email: k.text("email"),
      emailVerified: k.bool("email_verified").notNull().default(false),
      createdAt: k.epochMs("created_at").notNull(),
    },
    (t) => [k.primaryKey({ name: "identities_pk", columns: [t.issuer, t.subject] }), k.index("identities_user_idx").on(t.userId)],
  );

  const sessions = k.table(
    "sessions",
    {
      id: k.text("id").primaryKey(),
      // SHA-256 hex of the bearer token; the token itself is never stored.
      tokenHash: k.text("token_hash").notNull().unique("sessions_token_hash_unique"),
      userId: k
        .text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      expiresAt: k.epochMs("expires_at").notNull(),
      createdAt: k.epochMs("created_at").notNull(),
      lastSeenAt: k.epochMs("last_seen_at").notNull(),
      revokedAt: k.epochMs("revoked_at"),
      issuer: k.text("issuer"),
      sid: k.text("sid"),
      idToken: k.text("id_token"),
    },
    // Back-channel logout revokes by (issuer, sid) or by user.
    (t) => [k.index("sessions_user_idx").on(t.userId), k.index("sessions_issuer_sid_idx").on(t.issuer, t.sid)],
  );

  const workspaces = k.table("workspaces", {
    id: k.text("id").primaryKey(),
    name: k.text("name").notNull(),
    createdAt: k.epochMs("created_at").notNull(),
  });

  const workspaceMembers = k.table(
    "workspace_members",
    {
      workspaceId: k
        .text("workspace_id")
        .notNull()
        .references(() => workspaces.id, { onDelete: "cascade" }),
      userId: k
        .text("user_id")
        .notNull()
        .references(() => users.id, { onDelete: "cascade" }),
      role: k.text("role").$type<Role>().notNull(),
      createdAt: k.epochMs("created_at").notNull(),
    },
    (t) => [
      k.primaryKey({ name: "workspace_members_pk", columns: [t.workspaceId, t.userId] }),
      k.index("workspace_members_user_idx").on(t.userId),
    ],
  );

  // Workspaces shared with a federation peer: its users who sign in here as guests get this role.
  const workspaceShares = k.table(
    "workspace_shares",
    {
      workspaceId: k
        .text("workspace_id")
        .notNull()
        .references(() => workspaces.id, { onDelete: "cascade" }),
      peerId: k.text("peer_id").notNull(),
      role: k.text("role").$type<Role>().notNull(),
      createdAt: k.epochMs("created_at").notNull(),
    },
    (t) => [
      k.primaryKey({ name: "workspace_shares_pk", columns: [t.workspaceId, t.peerId] }),
      k.index("workspace_shares_peer_idx").on(t.peerId),
    ],
  );

  const jobs = k.table(
    "jobs",
    {
      id: k.text("id").primaryKey(),
      // Nullable for instance-level jobs that belong to no workspace.
      workspaceId: k.text("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
      type: k.text("type").notNull(),
      title: k.text("title"),
      status: k.text("status").notNull(),
      progress: k.int("progress").notNull().default(0),
      message: k.text("message"),
      payload: k.text("payload"),
      result: k.text("result"),
      error: k.text("error"),
      // An Idempotency-Key is the sender's own: it names a job only with the API key that sent it and the
      // route it went to (and the workspace), so one sender's key can neither block nor replay another's job.
      idempotencyKey: k.text("idempotency_key"),
      idempotencySender: k.text("idempotency_sender"),
      idempotencyRoute: k.text("idempotency_route"),
      createdAt: k.epochMs("created_at").notNull(),
      updatedAt: k.epochMs("updated_at").notNull(),
    },
    (t) => [
      k.index("jobs_workspace_created_idx").on(t.workspaceId, t.createdAt),
      k.index("jobs_status_idx").on(t.status),
      k.uniqueIndex("jobs_idempotency_unique").on(t.idempotencySender, t.idempotencyRoute, t.workspaceId, t.idempotencyKey),
    ],
  );

  const jobEvents = k.table(
    "job_events",
    {
      id: k.serial("id"),
      jobId: k
        .text("job_id")
        .notNull()
        .references(() => jobs.id, { onDelete: "cascade" }),
      type: k.text("type").notNull(),
      data: k.text("data"),
      createdAt: k.epochMs("created_at").notNull(),
    },
    // Event streams replay "events of job X after id N".
    (t) => [k.index("job_events_job_idx").on(t.jobId, t.id)],
  );

  const agents = k.table(
    "agents",
    {
      id: k.text("id").primaryKey(),
      // The peer that asked for this run, when it came over federation; kept after the peer is removed, for audit.
      peerId: k.text("peer_id"),
      // Set when the row mirrors an agent this instance spawned on a peer (the hub's view): that peer's id,
      // and the agent's id there. Null for agents that run here.
      runsOn: k.text("runs_on"),
      remoteId: k.text("remote_id"),
      workspaceId: k.text("workspace_id").references(() => workspaces.id, { onDelete: "cascade" }),
      agentType: k.text("agent_type").notNull(),
      status: k.text("status").notNull(),
      input: k.text("input"),
      output: k.text("output"),
      exitCode: k.int("exit_code"),
      pid: k.int("pid"),
      // The process's start time (/proc/<pid>/stat starttime, clock ticks since boot): with pid it names the
      // run's process group exactly, so a pid reused after a crash is never signalled.
      pidStart: k.epochMs("pid_start"),
      timeoutMs: k.epochMs("timeout_ms"),
      commandId: k.text("command_id"),
      // Who asked for the run: a user here, or (peerId set) the hub's user that the peer's signed command named.
      actorId: k.text("actor_id"),
      actorEmail: k.text("actor_email"),
      actorName: k.text("actor_name"),
      // The instance (server.instanceId) whose process runs it, for runs here: only that instance may call it
      // lost on start, and a kill received elsewhere is left here (killRequestedAt) for it to carry out.
      instanceId: k.text("instance_id"),
      killRequestedAt: k.epochMs("kill_requested_at"),
      createdAt: k.epochMs("created_at").notNull(),
      startedAt: k.epochMs("started_at"),
      endedAt: k.epochMs("ended_at"),
    },
    (t) => [
      k.index("agents_workspace_created_idx").on(t.workspaceId, t.createdAt),
      k.index("agents_status_idx").on(t.status),
      k.index("agents_peer_command_idx").on(t.peerId, t.commandId),
      k.index("agents_runs_on_command_idx").on(t.runsOn, t.commandId),
    ],
  );

  const federationPeers = k.table(
    "federation_peers",
    {
      id: k.text("id").primaryKey(),
      url: k.text("url").notNull(),
      name: k.text("name"),
      status: k.text("status").notNull(),
      publicKeys: k.text("public_keys"),
      grants: k.text("grants"),
      createdAt: k.epochMs("created_at").notNull(),
      updatedAt: k.epochMs("updated_at").notNull(),
    },
    (t) => [k.index("federation_peers_url_idx").on(t.url)],
  );

  const federationMessages = k.table(
    "federation_messages",
    {
      // The signed message's JWT id: the primary key is what rejects a replay.
      jti: k.text("jti").primaryKey(),
      peerId: k.text("peer_id").notNull(),
      type: k.text("type").notNull(),
      direction: k.text("direction").$type<"in" | "out">().notNull(),
      commandId: k.text("command_id"),
      body: k.text("body"),
      result: k.text("result"),
      createdAt: k.epochMs("created_at").notNull(),
      expiresAt: k.epochMs("expires_at").notNull(),
    },
    (t) => [
      k.index("federation_messages_peer_command_idx").on(t.peerId, t.commandId),
      k.index("federation_messages_expires_idx").on(t.expiresAt),
    ],
  );

  // What peers did here on behalf of their users: each spawn and kill, and each command refused
  // because its acting user is not on the peer's allow-list. Kept after the peer is removed.
  const federationAudit = k.table(
    "federation_audit",
    {
      id: k.serial("id"),
      peerId: k.text("peer_id").notNull(),
      command: k.text("command").notNull(),
      commandId: k.text("command_id"),
      agentId: k.text("agent_id"),
      actorId: k.text("actor_id"),
      actorEmail: k.text("actor_email"),
      actorName: k.text("actor_name"),
      // "ok", or the code of the refusal.
      outcome: k.text("outcome").notNull(),
      createdAt: k.epochMs("created_at").notNull(),
    },
    (t) => [k.index("federation_audit_peer_idx").on(t.peerId, t.id)],
  );

  // Small instance state (the federation identity key, …); `expires_at` null means kept.
  const kv = k.table("kv", {
    key: k.text("key").primaryKey(),
    value: k.text("value").notNull(),
    expiresAt: k.epochMs("expires_at"),
  });

  return {
    users,
    identities,
    sessions,
    workspaces,
    workspaceMembers,
    workspaceShares,
    jobs,
    jobEvents,
    agents,
    federationPeers,
    federationMessages,
    federationAudit,
    kv,
  };
};

export type Tables = ReturnType<typeof defineTables>;
