// The coordinator's health route, for API-key callers only.
import { Controller, Get, UseGuards } from "@nestjs/common";
import { ApiKeyGuard } from "./api-key.guard.js";

@Controller("coordinator")
export class CoordinatorController {
  @Get("health")
  @UseGuards(ApiKeyGuard)
  health() {
    return { status: "ok" };
  }
}
