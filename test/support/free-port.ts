// A TCP port on 127.0.0.1 that nothing listens on right now: for a server whose URL must be known
// before it starts (a provider started after Tessera points at it, a publicUrl known in advance).
import { createServer } from "node:net";

export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
