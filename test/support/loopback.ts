// A recording node:http server on 127.0.0.1, and the fixture key and IDs the tests
// that use it share. Not a test file (no .test. in the name).
//
// Files that define their own KEY, AGENT, CONN, serve or rejection import this one as
// a namespace and bind the names at the top of the describe blocks that use them, so
// those tests keep these values (the IDs are sampleConnector's, which the SDK checks
// answers against, and some assertions depend on the key's "sk_live" prefix).
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { onTestFinished } from "vitest";

export const KEY = "sk_live_hardening_0123456789";
export const AGENT = "PROJECT-58RP822I";
export const CONN = "CONN-7d2f9a";

/**
 * Starts a server on an ephemeral port that records every request (method, URL and
 * body) in `seen` before `handler` answers it. Call it inside a test: the server and
 * its open connections are closed when that test finishes. In a concurrent suite,
 * pass the test context's `onTestFinished`: the global one may pick another running
 * test, whose end would close this server under this one.
 */
export async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
  finished: typeof onTestFinished = onTestFinished,
): Promise<{ url: string; seen: { method: string; url: string; body: string }[] }> {
  const seen: { method: string; url: string; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", body });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  finished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

/** Answers with `value` as JSON. */
export const json = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
};

/** What `p` rejects with, or undefined if it resolves. */
export const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );
