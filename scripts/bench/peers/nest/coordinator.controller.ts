// The coordinator's health route, for API-key callers only, with the active-job counts Tessera's reports.
import { Controller, Get, UseGuards } from "@nestjs/common";
import { SessionStore } from "../common/session-store.js";
import { ApiKeyGuard } from "./api-key.guard.js";

@Controller("coordinator")
export class CoordinatorController {
  constructor(private readonly sessions: SessionStore) {}

  @Get("health")
  @UseGuards(ApiKeyGuard)
  health() {
    return { status: "ok", service: "bench", jobs: this.sessions.activeJobs() };
  }
}
