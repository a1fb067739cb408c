// The caller's identity: by session (with its workspaces, the shape Tessera's GET /me answers) or by an
// identity provider's JWT (its linked user), both answered in Tessera's GET /me shape.
import { Controller, Get, Req, UseGuards } from "@nestjs/common";
import { SessionStore } from "../common/session-store.js";
import { JwtGuard } from "./jwt.guard.js";
import type { JwtRequest, SessionRequest } from "./requests.js";
import { SessionGuard } from "./session.guard.js";

@Controller("me")
export class MeController {
  constructor(private readonly sessions: SessionStore) {}

  @Get()
  @UseGuards(SessionGuard)
  me(@Req() request: SessionRequest) {
    const { id, email, name, isAdmin } = request.user;
    return { user: { id, email, name }, isAdmin, via: "session", workspaces: this.sessions.workspacesOf(id) };
  }

  @Get("jwt")
  @UseGuards(JwtGuard)
  jwt(@Req() request: JwtRequest) {
    const { id, email, name, isAdmin } = request.user;
    return { user: { id, email, name }, isAdmin, via: "token", workspaces: this.sessions.workspacesOf(id) };
  }
}
