// #23: a proxy in front of the local PolyAI for the campaign tests: it acts (kills
// the CLI's process, sends it Ctrl-C) after a call was placed, before the answer
// reaches the client, at a point chosen by counting calls, never by time. Not a test file.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A proxy in front of `upstream` (the local PolyAI) that calls `onPlaced` with the
 * 1-based count of each trigger the upstream answered 200, before relaying that
 * answer: a test acts (kills the client) after a call was placed, before its
 * answer arrives. Everything else is relayed as it is.
 */
export async function placedProxy(
  upstream: string,
  onPlaced: (count: number) => Promise<void> | void,
): Promise<{ url: string; close(): Promise<void> }> {
  let count = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(req.headers))
          if (typeof v === "string" && k !== "host" && k !== "content-length") headers.set(k, v);
        const init: RequestInit = { method: req.method ?? "GET", headers };
        if (chunks.length > 0) init.body = Buffer.concat(chunks);
        const answer = await fetch(`${upstream}${req.url ?? ""}`, init);
        const text = await answer.text();
        if (req.method === "POST" && /\/outbound-calls$/.test(req.url ?? "") && answer.ok)
          await onPlaced(++count);
        res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
        res.end(text);
      })().catch(() => res.destroy());
    });
  });
  await new Promise<void>((go) => server.listen(0, "127.0.0.1", go));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((go) => {
        server.closeAllConnections();
        server.close(() => go());
      }),
  };
}
