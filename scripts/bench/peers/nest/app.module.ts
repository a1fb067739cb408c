// The root module, configured at start-up (a dynamic module) with the session file and the accepted
// credentials.
import { type DynamicModule, Module } from "@nestjs/common";
import { SessionStore } from "../common/session-store.js";
import { CoordinatorController } from "./coordinator.controller.js";
import { MeController } from "./me.controller.js";
import { PeerConfig } from "./peer-config.js";

@Module({})
export class AppModule {
  static forRoot(sessions: SessionStore, config: PeerConfig): DynamicModule {
    return {
      module: AppModule,
      controllers: [CoordinatorController, MeController],
      providers: [
        { provide: SessionStore, useValue: sessions },
        { provide: PeerConfig, useValue: config },
      ],
    };
  }
}
