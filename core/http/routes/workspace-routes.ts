// The signed-in user and their workspaces: GET /me, workspaces, and membership managed by owners and admins.
import { type TSchema, Type } from "@sinclair/typebox";
import { Elysia, t } from "elysia";
import { andThen } from "../../async/maybe-promise";
import type { Database } from "../../db/open-database";
import { conflict, forbidden, notFound } from "../../errors/tessera-error";
import type { EventBus } from "../../events/event-bus";
import type { Auth } from "../../identity/auth";
import { findUserByEmail, findUserById } from "../../identity/users";
import {
  addMember,
  createWorkspace,
  getRole,
  getWorkspace,
  listMembers,
  removeMember,
  WORKSPACE_NAME_MAX,
  workspacesOf,
} from "../../identity/workspaces";
import { DisplayName } from "../../text/display-name";
import { answerNow } from "../answer-now";
import { JsonBody, NoBody } from "../json-body";
import { responses } from "../problem-schema";

// Ids are generated (UUIDs); anything else is refused before it reaches the database (PostgreSQL rejects a NUL byte with a 500).
const Id = t.String({ pattern: "^[\\w-]{1,64}$" });
const WorkspaceParams = t.Object({ id: Id });
const MemberParams = t.Object({ id: Id, userId: Id });

const Role = t.Union([t.Literal("owner"), t.Literal("admin"), t.Literal("member"), t.Literal("viewer")]);

const Nullable = <S extends TSchema>(schema: S) => t.Union([schema, t.Null()]);
const Workspace = t.Object({ id: t.String(), name: t.String(), createdAt: Type.Integer({ description: "Epoch ms" }) });
const WorkspaceWithRole = t.Composite([Workspace, t.Object({ role: Role })]);
const Membership = t.Object({ workspaceId: t.String(), userId: t.String(), role: Role, createdAt: Type.Integer() });
const User = t.Object({
  id: t.String(),
  email: Nullable(t.String()),
  emailVerified: t.Boolean(),
  name: Nullable(t.String()),
  isAdmin: t.Optional(t.Boolean()),
  guestOf: t.Optional(Nullable(t.String({ description: "The federation peer a guest signed in through" }))),
  createdAt: t.Optional(Type.Integer()),
});
const Me = t.Object({
  user: User,
  isAdmin: t.Boolean(),
  via: t.Union([t.Literal("session"), t.Literal("token")]),
  workspaces: t.Array(WorkspaceWithRole),
});

export const workspaceRoutes = (db: Database, auth: Auth, events: EventBus) => {
  // Before a body is read, so an anonymous caller learns nothing about the API's shape.
  const signedIn = (request: Request) => auth.requireUser(request);
  return new Elysia({ name: "tessera-workspaces" })
    .get(
      "/me",
      answerNow(({ request }) =>
        andThen(auth.requireUserNow(request), (principal) =>
          andThen(workspacesOf(db, principal.user), (workspaces) => {
            const { user } = principal;
            return {
              user: {
                id: user.id,
                email: user.email,
                emailVerified: user.emailVerified,
                name: user.name,
                ...(user.guestOf === null ? {} : { guestOf: user.guestOf }),
              },
              isAdmin: principal.isAdmin,
              via: principal.via,
              workspaces,
            };
          }),
        ),
      ),
      {
        detail: {
          summary: "The signed-in user and their workspaces",
          tags: ["identity"],
          responses: responses({ 200: Me }, 401),
        },
      },
    )
    .get(
      "/workspaces",
      answerNow(({ request }) =>
        andThen(auth.requireUserNow(request), ({ user }) => andThen(workspacesOf(db, user), (workspaces) => ({ workspaces }))),
      ),
      {
        detail: {
          summary: "Workspaces of the signed-in user",
          tags: ["workspaces"],
          responses: responses({ 200: t.Object({ workspaces: t.Array(WorkspaceWithRole) }) }, 401),
        },
      },
    )
    .post(
      "/workspaces",
      async ({ request, body, set }) => {
        const { user } = await auth.requireUser(request);
        // A guest sees only what is shared with its peer; a workspace of its own would be outside that.
        if (user.guestOf !== null) throw forbidden("Guests from a federation peer can't create workspaces here");
        const workspace = await createWorkspace(db, body.name, user.id);
        set.status = 201;
        return { ...workspace, role: "owner" };
      },
      {
        ...JsonBody(t.Object({ name: DisplayName(WORKSPACE_NAME_MAX) }, { additionalProperties: false }), signedIn),
        detail: {
          summary: "Create a workspace; its creator is its owner",
          tags: ["workspaces"],
          responses: responses({ 201: WorkspaceWithRole }, 401, 403, 422),
        },
      },
    )
    .get(
      "/workspaces/:id",
      async ({ request, params }) => {
        const { role } = await auth.requireRole(request, params.id, "viewer");
        const workspace = await getWorkspace(db, params.id);
        if (!workspace) throw notFound("No such workspace", { path: params.id });
        return { ...workspace, role };
      },
      {
        params: WorkspaceParams,
        detail: {
          summary: "One workspace",
          tags: ["workspaces"],
          responses: responses({ 200: WorkspaceWithRole }, 401, 403, 404),
        },
      },
    )
    .get(
      "/workspaces/:id/members",
      async ({ request, params }) => {
        await auth.requireRole(request, params.id, "viewer");
        return { members: await listMembers(db, params.id) };
      },
      {
        params: WorkspaceParams,
        detail: {
          summary: "Members of a workspace",
          tags: ["workspaces"],
          responses: responses(
            { 200: t.Object({ members: t.Array(t.Composite([Membership, t.Object({ user: User })])) }) },
            401,
            403,
            404,
          ),
        },
      },
    )
    .post(
      "/workspaces/:id/members",
      async ({ request, params, body, set }) => {
        await auth.requireRole(request, params.id, body.role === "owner" ? "owner" : "admin");
        const user = body.userId ? await findUserById(db, body.userId) : await findUserByEmail(db, body.email ?? "");
        if (!user) throw notFound("No user with that id or email has signed in to this instance yet");
        if (user.guestOf !== null) {
          throw conflict("That user is a guest from a federation peer; share the workspace with the peer instead", {
            path: user.id,
          });
        }
        const membership = await addMember(db, params.id, user.id, body.role);
        await events.publish(params.id, "member.added", { userId: user.id, role: body.role });
        set.status = 201;
        return membership;
      },
      {
        ...JsonBody(
          t.Union([
            t.Object(
              { email: t.String({ format: "email", maxLength: 320 }), userId: t.Optional(t.Never()), role: Role },
              { additionalProperties: false },
            ),
            t.Object(
              { userId: t.String({ minLength: 1, maxLength: 64 }), email: t.Optional(t.Never()), role: Role },
              { additionalProperties: false },
            ),
          ]),
          signedIn,
        ),
        params: WorkspaceParams,
        detail: {
          summary: "Add a member by email or user id (owners and admins)",
          tags: ["workspaces"],
          responses: responses({ 201: Membership }, 401, 403, 404, 409, 422),
        },
      },
    )
    .delete(
      "/workspaces/:id/members/:userId",
      async ({ request, params, set }) => {
        const { principal } = await auth.requireRole(request, params.id, "viewer");
        const target = await getRole(db, params.id, params.userId);
        if (!target) throw notFound("That user is not a member of this workspace");
        // Anyone may leave; removing someone else takes an admin, and an owner to remove an owner.
        if (params.userId !== principal.user.id)
          await auth.requireRole(request, params.id, target === "owner" ? "owner" : "admin");
        await removeMember(db, params.id, params.userId);
        await events.publish(params.id, "member.removed", { userId: params.userId });
        set.status = 204;
      },
      {
        params: MemberParams,
        ...NoBody(signedIn),
        detail: {
          summary: "Remove a member (or leave)",
          tags: ["workspaces"],
          responses: responses({ 204: { description: "Removed", body: null } }, 401, 403, 404),
        },
      },
    );
};
