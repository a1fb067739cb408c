// A throwaway self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI, for
// tests that put Tessera behind TLS.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface TestCert {
  certFile: string;
  keyFile: string;
  /** The certificate in PEM, for a client to trust it as its CA. */
  pem: string;
}

export const selfSignedCert = async (dir: string): Promise<TestCert> => {
  const certFile = join(dir, "cert.pem");
  const keyFile = join(dir, "key.pem");
  const openssl = Bun.spawn(
    [
      "openssl",
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  const [code, stderr] = await Promise.all([openssl.exited, new Response(openssl.stderr).text()]);
  if (code !== 0) throw new Error(`openssl req failed (${code}): ${stderr}`);
  return { certFile, keyFile, pem: readFileSync(certFile, "utf8") };
};
