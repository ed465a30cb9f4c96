// #23: what the campaign tests dial: a loopback server that answers the two
// outbound-call operations as the spec says, counts the calls placed per number,
// the triggers in flight, and lets a test act on the n-th trigger (kill the CLI's
// process after the call is placed, before its answer leaves). Not a test file.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface OutboundServer {
  readonly url: string;
  /** Calls placed, per number. */
  readonly placed: Map<string, number>;
  /** Every call placed, in order. */
  readonly calls: {
    toNumber: string;
    callSid: string;
    metadata?: Record<string, string> | undefined;
  }[];
  /** The most triggers in flight at once. */
  readonly most: () => number;
  close(): Promise<void>;
}

export interface OutboundOptions {
  /** Milliseconds each trigger is held before it is answered. */
  latencyMs?: number;
  /** The answer for a number: a status and body instead of a placed call. */
  refuse?: (toNumber: string) => { status: number; body: unknown } | undefined;
  /**
   * Called with the 1-based count of each trigger after its call is placed and
   * before it is answered; resolve to answer it, or never to leave it unanswered.
   */
  onPlaced?: (count: number) => Promise<void> | void;
  /** Status reads answered CALLING before a call ends (default 0). */
  readsBeforeEnd?: number;
  /** These numbers end in FAILURE. */
  fail?: (toNumber: string) => boolean;
}

const send = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

export async function outboundServer(options: OutboundOptions = {}): Promise<OutboundServer> {
  const placed = new Map<string, number>();
  const calls: OutboundServer["calls"] = [];
  const byCall = new Map<string, { toNumber: string; reads: number }>();
  let inFlight = 0;
  let most = 0;
  let count = 0;
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (c: Buffer) => (text += c));
    req.on("end", () => {
      void (async () => {
        const status = /\/outbound-calls\/([^/]+)\/status\?/.exec(req.url ?? "");
        if (req.method === "GET" && status) {
          const call = byCall.get(decodeURIComponent(status[1] as string));
          if (!call) return send(res, 404, { code: "OUTBOUND_CALLS_NOT_FOUND", error: "no call" });
          call.reads++;
          const ended = options.fail?.(call.toNumber) ? "FAILURE" : "SUCCESS";
          return send(res, 200, {
            callSid: status[1],
            status: call.reads > (options.readsBeforeEnd ?? 0) ? ended : "CALLING",
            reason: ended === "FAILURE" ? "no answer" : "",
          });
        }
        if (req.method !== "POST" || !/\/outbound-calls$/.test(req.url ?? ""))
          return send(res, 404, { error: "not here" });
        most = Math.max(most, ++inFlight);
        try {
          const body = JSON.parse(text) as { toNumber: string; metadata?: Record<string, string> };
          if (options.latencyMs) await new Promise((go) => setTimeout(go, options.latencyMs));
          const refused = options.refuse?.(body.toNumber);
          if (refused) return send(res, refused.status, refused.body);
          const callSid = `OUT-${calls.length + 1}`;
          placed.set(body.toNumber, (placed.get(body.toNumber) ?? 0) + 1);
          calls.push({ toNumber: body.toNumber, callSid, metadata: body.metadata });
          byCall.set(callSid, { toNumber: body.toNumber, reads: 0 });
          await options.onPlaced?.(++count);
          send(res, 200, { callSid, status: "QUEUED" });
        } finally {
          inFlight--;
        }
      })();
    });
  });
  await new Promise<void>((go) => server.listen(0, "127.0.0.1", go));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    placed,
    calls,
    most: () => most,
    close: () =>
      new Promise<void>((go) => {
        server.closeAllConnections();
        server.close(() => go());
      }),
  };
}

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
