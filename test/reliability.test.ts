// Fault injection against loopback servers: the mock PolyAI where it can express
// the fault, a plain node:http server where it cannot (redirects, 200 answers that
// are broken, oversized bodies). Every server is closed by the test that opened it.
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  UnprocessableEntityError,
  createPolyAIClient,
  type ClientOptions,
  type Connector,
  type RetryEvent,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { sampleConnector } from "./support/fixtures.js";
// The recording server and the fixture key and IDs of the tests that use it; those
// tests bind its names at the top of their describe blocks (see support/loopback.ts).
import * as loopback from "./support/loopback.js";

const KEY = "sk-reliability-7f3a9c1e5b2d4068";
const AGENT = "PROJECT-REL";
const CONN = "CONN-rel-1";
const SEED: Connector = {
  ...sampleConnector,
  connectorId: CONN,
  projectId: AGENT,
  name: "Reliability line",
};
const PATCH = {
  voiceName: "en-US-Wavenet-B",
  asrLangCode: "en-US",
  variantId: "VARIANT-rel",
} as const;

/**
 * #20: an answer held (or a wait) longer than any test may run: when the test ends,
 * it was ended by what the test is about (a timeout, an abort), not by the clock.
 */
const HELD_MS = 600_000;

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startMock(): Promise<MockPolyAI> {
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: [SEED] });
  closers.push(() => mock.close());
  return mock;
}

interface Hit {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

interface PlainServer {
  readonly url: string;
  readonly origin: string;
  readonly hits: Hit[];
}

/** A bare node:http server on 127.0.0.1; `answer` sees every request with its raw body. */
async function startServer(
  answer: (hit: Hit, res: ServerResponse, n: number) => void,
): Promise<PlainServer> {
  const hits: Hit[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const hit = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      hits.push(hit);
      answer(hit, res, hits.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url: origin, origin, hits };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function client(baseUrl: string, options: ClientOptions = {}) {
  return createPolyAIClient({
    apiKey: KEY,
    baseUrl,
    // #20: only a hang guard; the tests about timeouts set their own.
    timeoutMs: 30_000,
    backoff: { initialMs: 1, maxMs: 5 },
    ...options,
  });
}

/** Runs `call`, expecting it to reject; returns the error and how long it took. */
async function failure(call: () => Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  try {
    await call();
  } catch (error) {
    return { error, ms: performance.now() - started };
  }
  throw new Error("expected the call to fail, but it succeeded");
}

async function timed<T>(call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await call();
  return { value, ms: performance.now() - started };
}

function expectNoKey(value: unknown): void {
  expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(KEY);
  if (value instanceof Error) expect(`${value.message} ${String(value.stack)}`).not.toContain(KEY);
}

describe("transient failures are retried", () => {
  it("recovers from a connection reset", async () => {
    const mock = await startMock();
    const events: RetryEvent[] = [];
    mock.failNext({ reset: true });
    const poly = client(mock.url, { onRetry: (e) => events.push(e) });
    const updated = await poly.connectors.update(AGENT, CONN, PATCH);
    expect(updated.voiceName).toBe(PATCH.voiceName);
    expect(mock.requests).toHaveLength(2);
    expect(events).toHaveLength(1);
    expect(events[0]?.status).toBeUndefined();
    expect(events[0]?.error).toBeInstanceOf(APIConnectionError);
    expect(events[0]?.error).not.toBeInstanceOf(APITimeoutError);
  });

  it("gives up on resets after maxRetries + 1 attempts with APIConnectionError", async () => {
    const mock = await startMock();
    mock.failNext({ reset: true, times: 3 });
    const { error } = await failure(() => client(mock.url).connectors.get(AGENT, CONN));
    expect(error).toBeInstanceOf(APIConnectionError);
    expect(error).not.toBeInstanceOf(APITimeoutError);
    expect((error as APIConnectionError).attempts).toBe(3);
    expect((error as Error).message).toContain("after 3 attempts");
    expect(mock.requests).toHaveLength(3);
    expectNoKey(error);
  });

  it("times out an attempt that hangs and retries it", async () => {
    const mock = await startMock();
    const events: RetryEvent[] = [];
    // #20: held for longer than the test may run, so only the timeout can end the attempt.
    mock.failNext({ delayMs: HELD_MS });
    const poly = client(mock.url, { timeoutMs: 200, onRetry: (e) => events.push(e) });
    const { value, ms } = await timed(() => poly.connectors.get(AGENT, CONN));
    expect(value.connectorId).toBe(CONN);
    // Not before the timeout (a lower bound: a busy machine only makes it longer).
    expect(ms).toBeGreaterThanOrEqual(180);
    expect(mock.requests).toHaveLength(2);
    expect(events.map((e) => e.error)).toEqual([expect.any(APITimeoutError)]);
  });

  it("fails with APITimeoutError when every attempt hangs", async () => {
    const mock = await startMock();
    mock.failNext({ delayMs: HELD_MS, times: 2 });
    const poly = client(mock.url, { timeoutMs: 200, maxRetries: 1 });
    const { error } = await failure(() => poly.connectors.get(AGENT, CONN));
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as APITimeoutError).attempts).toBe(2);
    expect((error as Error).message).toMatch(/timed out after 200 ms .* after 2 attempts/);
    expect(mock.requests).toHaveLength(2);
  });

  it("succeeds after 503 twice, in 3 attempts, telling onRetry twice", async () => {
    const mock = await startMock();
    const events: RetryEvent[] = [];
    mock.failNext({ status: 503, times: 2 });
    const poly = client(mock.url, { onRetry: (e) => events.push(e) });
    const updated = await poly.connectors.update(AGENT, CONN, PATCH);
    expect(updated).toMatchObject(PATCH);
    expect(mock.requests).toHaveLength(3);
    expect(events.map((e) => [e.attempt, e.status, e.maxRetries, e.method])).toEqual([
      [1, 503, 2, "PATCH"],
      [2, 503, 2, "PATCH"],
    ]);
    expect(mock.connectors[0]).toMatchObject(PATCH);
  });

  it.each([408, 429, 500, 502, 503, 504])("retries %i", async (status) => {
    const mock = await startMock();
    mock.failNext({ status, ...(status === 429 ? { retryAfter: 0 } : {}) });
    await expect(client(mock.url).connectors.get(AGENT, CONN)).resolves.toMatchObject({
      connectorId: CONN,
    });
    expect(mock.requests).toHaveLength(2);
  });

  // #20: these two wait for real, so they wait together. Each closes its own mock:
  // the shared afterEach, run when one ends, would close the other's mid-wait.
  it.concurrent("waits for Retry-After: 1 on a 429, then succeeds", async ({ expect }) => {
    const mock = await createMockPolyAI({ apiKey: KEY, connectors: [SEED] });
    try {
      const events: RetryEvent[] = [];
      mock.failNext({ status: 429, retryAfter: 1 });
      const poly = client(mock.url, { onRetry: (e) => events.push(e) });
      const { value, ms } = await timed(() => poly.connectors.get(AGENT, CONN));
      expect(value.connectorId).toBe(CONN);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(events.map((e) => [e.status, e.delayMs])).toEqual([[429, 1_000]]);
      expect(mock.requests).toHaveLength(2);
    } finally {
      await mock.close();
    }
  });

  it.concurrent("waits for a Retry-After HTTP date on a 429, then succeeds", async ({ expect }) => {
    const mock = await createMockPolyAI({ apiKey: KEY, connectors: [SEED] });
    try {
      // HTTP dates have whole seconds: now + 2 s rounded down is 1 to 2 s away.
      mock.failNext({ status: 429, retryAfter: new Date(Date.now() + 2_000).toUTCString() });
      const { value, ms } = await timed(() => client(mock.url).connectors.get(AGENT, CONN));
      expect(value.connectorId).toBe(CONN);
      expect(ms).toBeGreaterThanOrEqual(900);
      expect(mock.requests).toHaveLength(2);
    } finally {
      await mock.close();
    }
  });

  it.each([
    ["61", 61_000],
    ["3600", 3_600_000],
  ])(
    "fails at once with RateLimitError for Retry-After: %s (over 60 s)",
    async (retryAfter, expected) => {
      const mock = await startMock();
      mock.failNext({ status: 429, retryAfter: Number(retryAfter) });
      const events: RetryEvent[] = [];
      const poly = client(mock.url, { onRetry: (e) => events.push(e) });
      const { error } = await failure(() => poly.connectors.get(AGENT, CONN));
      expect(error).toBeInstanceOf(RateLimitError);
      expect((error as RateLimitError).retryAfterMs).toBe(expected);
      expect((error as RateLimitError).attempts).toBe(1);
      // At once: no wait was scheduled (#20: not measured with a clock).
      expect(events).toEqual([]);
      expect(mock.requests).toHaveLength(1);
    },
  );

  it("gives up on 500 forever after maxRetries + 1 attempts", async () => {
    const mock = await startMock();
    mock.failNext({ status: 500, times: 3 });
    const { error } = await failure(() => client(mock.url).connectors.update(AGENT, CONN, PATCH));
    expect(error).toBeInstanceOf(InternalServerError);
    const err = error as InternalServerError;
    expect(err.attempts).toBe(3);
    expect(err.status).toBe(500);
    expect(err.message).toContain("after 3 attempts");
    expect(err.errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(mock.requests).toHaveLength(3);
    expect(mock.connectors[0]).toEqual({ ...SEED, agentId: AGENT });
  });

  it.each([
    [400, BadRequestError],
    [401, AuthenticationError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [409, ConflictError],
    [422, UnprocessableEntityError],
  ])("does not retry %i", async (status, ErrorClass) => {
    const mock = await startMock();
    mock.failNext({ status, times: 3 });
    const { error } = await failure(() => client(mock.url).connectors.update(AGENT, CONN, PATCH));
    expect(error).toBeInstanceOf(ErrorClass);
    expect((error as APIError).status).toBe(status);
    expect((error as APIError).attempts).toBe(1);
    expect(mock.requests).toHaveLength(1);
  });
});

describe("each attempt sends the same request", () => {
  it("replays the request body byte for byte", async () => {
    const server = await startServer((hit, res, n) => {
      if (n <= 2) return sendJson(res, 503, { success: false });
      sendJson(res, 200, { ...SEED, ...PATCH, ttsLangCode: "en-US" });
    });
    const updated = await client(server.url).connectors.update(AGENT, CONN, PATCH);
    expect(updated.voiceName).toBe(PATCH.voiceName);
    expect(server.hits).toHaveLength(3);
    const [first, ...rest] = server.hits;
    expect(first?.body.toString("utf8")).toBe(JSON.stringify(PATCH));
    for (const hit of rest) {
      expect(hit.body.equals(first?.body ?? Buffer.alloc(0))).toBe(true);
      expect(hit.method).toBe("PATCH");
      expect(hit.url).toBe(first?.url);
      expect(hit.headers["content-type"]).toBe(first?.headers["content-type"]);
      expect(hit.headers["x-api-key"]).toBe(KEY);
    }
  });

  it("replays a batch body after a reset and a 502", async () => {
    const mock = await startMock();
    mock.failNext({ reset: true });
    mock.failNext({ status: 502 });
    const results = await client(mock.url).connectors.batchUpdate(AGENT, [
      { connectorId: CONN, variantId: null, voiceName: "de-DE-Standard-C" },
    ]);
    expect(results).toEqual([expect.objectContaining({ connectorId: CONN, success: true })]);
    const bodies = mock.requests.map((r) => JSON.stringify(r.body));
    expect(bodies).toHaveLength(3);
    expect(new Set(bodies).size).toBe(1);
    expect(bodies[0]).toBe(
      JSON.stringify({
        updates: [{ connectorId: CONN, variantId: null, voiceName: "de-DE-Standard-C" }],
      }),
    );
  });
});

describe("per-call settings override the client's", () => {
  it("per-call maxRetries adds retries the client does not allow", async () => {
    const mock = await startMock();
    mock.failNext({ status: 503, times: 2 });
    const poly = client(mock.url, { maxRetries: 0 });
    await expect(poly.connectors.get(AGENT, CONN, { maxRetries: 2 })).resolves.toMatchObject({
      connectorId: CONN,
    });
    expect(mock.requests).toHaveLength(3);
  });

  it("per-call maxRetries: 0 turns retries off", async () => {
    const mock = await startMock();
    mock.failNext({ status: 503, times: 5 });
    const poly = client(mock.url, { maxRetries: 5 });
    const { error } = await failure(() =>
      poly.connectors.update(AGENT, CONN, PATCH, { maxRetries: 0 }),
    );
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).attempts).toBe(1);
    expect(mock.requests).toHaveLength(1);
  });

  it("per-call timeoutMs lengthens the client's", async () => {
    const mock = await startMock();
    mock.failNext({ delayMs: 400 });
    const poly = client(mock.url, { timeoutMs: 100, maxRetries: 0 });
    await expect(poly.connectors.get(AGENT, CONN, { timeoutMs: 30_000 })).resolves.toMatchObject({
      connectorId: CONN,
    });
    expect(mock.requests).toHaveLength(1);
  });

  it("per-call timeoutMs shortens the client's", async () => {
    const mock = await startMock();
    mock.failNext({ delayMs: HELD_MS });
    const poly = client(mock.url, { timeoutMs: HELD_MS });
    const { error } = await failure(() =>
      poly.connectors.list(AGENT, { timeoutMs: 150, maxRetries: 0 }),
    );
    expect(error).toBeInstanceOf(APITimeoutError);
    expect((error as Error).message).toContain("150 ms");
  });
});

describe("the caller's AbortSignal", () => {
  it("cancels at once during a request, with no further attempt", async () => {
    // #20: the abort comes when the server has the request (never answered), not
    // after a timer that a busy machine could outrun.
    const controller = new AbortController();
    const server = await startServer(() => controller.abort(new Error("user gave up")));
    const { error } = await failure(() =>
      client(server.url, { timeoutMs: HELD_MS }).connectors.update(AGENT, CONN, PATCH, {
        signal: controller.signal,
      }),
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect((error as Error).cause).toEqual(new Error("user gave up"));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.hits).toHaveLength(1);
  });

  it("cancels at once during the wait between attempts", async () => {
    const mock = await startMock();
    mock.failNext({ status: 503, times: 3 });
    const controller = new AbortController();
    // #20: the longest wait the client accepts (60 s), far past the 100 ms abort.
    const poly = client(mock.url, {
      backoff: { initialMs: 60_000, maxMs: 60_000 },
      onRetry: () => setTimeout(() => controller.abort(), 100),
    });
    const { error } = await failure(() =>
      poly.connectors.get(AGENT, CONN, { signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(mock.requests).toHaveLength(1);
  });

  it("sends nothing when the signal has already fired", async () => {
    const mock = await startMock();
    const { error } = await failure(() =>
      client(mock.url).connectors.list(AGENT, { signal: AbortSignal.abort() }),
    );
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(mock.requests).toHaveLength(0);
  });
});

describe("redirects", () => {
  async function redirecting(status: number, to: (hit: Hit) => string): Promise<PlainServer> {
    return startServer((hit, res) => {
      res.writeHead(status, { Location: to(hit) });
      res.end();
    });
  }

  it.each([301, 302, 303, 307, 308])(
    "refuses a %i to another origin without contacting it",
    async (status) => {
      const other = await startServer((_, res) => sendJson(res, 200, SEED));
      const server = await redirecting(status, (hit) => `${other.origin}${hit.url}`);
      const { error } = await failure(() =>
        client(server.url).connectors.update(AGENT, CONN, PATCH),
      );
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).code).toBe("REDIRECT_REFUSED");
      expect((error as APIError).status).toBe(status);
      expect((error as Error).message).toContain(other.origin);
      expect(server.hits).toHaveLength(1);
      expect(other.hits).toHaveLength(0);
      expectNoKey(error);
    },
  );

  it("treats another host name of the same machine as another origin", async () => {
    const server = await redirecting(
      307,
      (hit) => `${server.origin.replace("127.0.0.1", "localhost")}${hit.url}`,
    );
    const { error } = await failure(() => client(server.url).connectors.get(AGENT, CONN));
    expect((error as APIError).code).toBe("REDIRECT_REFUSED");
    expect(server.hits).toHaveLength(1);
  });

  it("follows a same-origin 307 with the same method, body and key", async () => {
    const server = await startServer((hit, res) => {
      if (!hit.url.startsWith("/moved")) {
        res.writeHead(307, { Location: `/moved${hit.url}` });
        return res.end();
      }
      if (hit.headers["x-api-key"] !== KEY) return sendJson(res, 401, { success: false });
      sendJson(res, 200, { ...SEED, ...PATCH, ttsLangCode: "en-US" });
    });
    const updated = await client(server.url).connectors.update(AGENT, CONN, PATCH);
    expect(updated.voiceName).toBe(PATCH.voiceName);
    expect(server.hits.map((h) => [h.method, h.url])).toEqual([
      ["PATCH", `/v1/agents/${AGENT}/telephony/connectors/${CONN}`],
      ["PATCH", `/moved/v1/agents/${AGENT}/telephony/connectors/${CONN}`],
    ]);
    expect(server.hits[1]?.body.equals(server.hits[0]?.body ?? Buffer.alloc(0))).toBe(true);
  });

  it("stops a same-origin redirect loop", async () => {
    // Each hop moves the base path again, keeping the resource: only the hop limit stops it.
    const server = await redirecting(302, (hit) => `/loop${hit.url}`);
    const { error } = await failure(() => client(server.url).connectors.get(AGENT, CONN));
    expect((error as APIError).code).toBe("REDIRECT_REFUSED");
    expect((error as Error).message).toContain("more than 5 redirects");
    expect(server.hits).toHaveLength(6);
  });
});

describe("broken answers become typed errors", () => {
  it("a truncated JSON body on 200 is an APIError, never a SyntaxError", async () => {
    const server = await startServer((_, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(SEED).slice(0, 40));
    });
    const { error } = await failure(() => client(server.url).connectors.get(AGENT, CONN));
    expect(error).toBeInstanceOf(APIError);
    expect(error).not.toBeInstanceOf(SyntaxError);
    expect((error as APIError).code).toBe("INVALID_RESPONSE");
    expect((error as Error).message).toContain("not valid JSON");
    expect(server.hits).toHaveLength(1);
  });

  it("a body cut off before its Content-Length is a connection failure", async () => {
    const server = await startServer((_, res) => {
      const text = JSON.stringify(SEED);
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": String(text.length),
      });
      res.write(text.slice(0, 20));
      setTimeout(() => res.destroy(), 10);
    });
    const { error } = await failure(() =>
      client(server.url, { maxRetries: 1 }).connectors.get(AGENT, CONN),
    );
    expect(error).toBeInstanceOf(APIConnectionError);
    expect((error as APIConnectionError).attempts).toBe(2);
  });

  it.each([
    ["JSON that is not an object", "[1,2,3]", "expected a JSON object"],
    ["an empty body", "", "has no body"],
  ])("%s on 200 is an APIError", async (_, body, message) => {
    const server = await startServer((__, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(body);
    });
    const { error } = await failure(() => client(server.url).connectors.get(AGENT, CONN));
    expect((error as APIError).code).toBe("INVALID_RESPONSE");
    expect((error as Error).message).toContain(message);
  });

  it("an HTML 502 from a proxy is an InternalServerError that says what came back", async () => {
    const mock = await startMock();
    const page =
      "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n<body><h1>502 Bad Gateway</h1><hr>nginx</body></html>";
    mock.failNext({ status: 502, body: page, contentType: "text/html", times: 3 });
    const { error } = await failure(() => client(mock.url).connectors.get(AGENT, CONN));
    expect(error).toBeInstanceOf(InternalServerError);
    const err = error as InternalServerError;
    expect(err.status).toBe(502);
    expect(err.attempts).toBe(3);
    expect(err.message).toContain("an HTML page");
    expect(err.message).toContain("502 Bad Gateway");
    expect(err.message).toContain(
      `GET ${mock.url}/v1/agents/${AGENT}/telephony/connectors/${CONN}`,
    );
    expect(err.errorId).toBe(err.headers.get("x-polyai-correlation-id"));
  });

  it("an empty 401 is an AuthenticationError", async () => {
    const server = await startServer((_, res) => {
      res.writeHead(401);
      res.end();
    });
    const { error } = await failure(() => client(server.url).connectors.list(AGENT));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).message).toContain("401: an empty body");
    expect(server.hits).toHaveLength(1);
  });

  it("a wrong key is an AuthenticationError from the mock, not retried", async () => {
    const mock = await startMock();
    const poly = createPolyAIClient({
      apiKey: "sk-wrong-key",
      baseUrl: mock.url,
      backoff: { initialMs: 1 },
    });
    const { error } = await failure(() => poly.connectors.list(AGENT));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).code).toBe("AUTH_USER_UNAUTHORISED");
    expect(mock.requests).toHaveLength(1);
  });
});

describe("maxResponseBytes", () => {
  const CAP = 1_000;
  const big = JSON.stringify({ ...SEED, name: "x".repeat(2 * CAP) });

  it("rejects a body whose Content-Length is over the cap", async () => {
    const server = await startServer((_, res) => {
      res.writeHead(200, {
        "Content-Type": "application/json",
        "Content-Length": String(Buffer.byteLength(big)),
      });
      res.end(big);
    });
    const { error } = await failure(() =>
      client(server.url, { maxResponseBytes: CAP }).connectors.get(AGENT, CONN),
    );
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).code).toBe("RESPONSE_TOO_LARGE");
    expect((error as Error).message).toContain(`${CAP}-byte limit`);
    expect(server.hits).toHaveLength(1);
  });

  it("rejects a chunked body once it passes the cap", async () => {
    const server = await startServer((_, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      for (let i = 0; i < big.length; i += 100) res.write(big.slice(i, i + 100));
      res.end();
    });
    const { error } = await failure(() =>
      client(server.url, { maxResponseBytes: CAP }).connectors.get(AGENT, CONN),
    );
    expect((error as APIError).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("stops reading a chunked body that never ends", async () => {
    const server = await startServer((_, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      // As fast as the client reads, until it hangs up (#20: no timer to outrun).
      const chunk = "x".repeat(512);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      pump();
    });
    const { error } = await failure(() =>
      client(server.url, { maxResponseBytes: 64 * 1024 }).connectors.get(AGENT, CONN),
    );
    expect((error as APIError).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("rejects an oversized error body too", async () => {
    const server = await startServer((_, res) =>
      sendJson(res, 500, { error_message: "x".repeat(2 * CAP) }),
    );
    const { error } = await failure(() =>
      client(server.url, { maxResponseBytes: CAP }).connectors.get(AGENT, CONN),
    );
    expect((error as APIError).code).toBe("RESPONSE_TOO_LARGE");
    expect((error as APIError).status).toBe(500);
  });

  it("accepts a body of exactly the cap", async () => {
    const base = JSON.stringify({ ...SEED, name: "" });
    const exact = JSON.stringify({ ...SEED, name: "y".repeat(CAP - Buffer.byteLength(base)) });
    expect(Buffer.byteLength(exact)).toBe(CAP);
    const server = await startServer((_, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(exact);
    });
    await expect(
      client(server.url, { maxResponseBytes: CAP }).connectors.get(AGENT, CONN),
    ).resolves.toEqual(JSON.parse(exact));
  });
});

describe("logger", () => {
  it("gets a debug line per attempt and a warning per retry, with the key redacted", async () => {
    const mock = await startMock();
    mock.failNext({ status: 503 });
    mock.failNext({ reset: true });
    const lines: {
      level: string;
      message: string;
      details: Record<string, unknown> | undefined;
    }[] = [];
    const logger = {
      debug: (message: string, details?: Record<string, unknown>) =>
        lines.push({ level: "debug", message, details }),
      warn: (message: string, details?: Record<string, unknown>) =>
        lines.push({ level: "warn", message, details }),
    };
    await client(mock.url, { logger }).connectors.update(AGENT, CONN, PATCH);
    // Each attempt, then its answer when it got one (the reset got none), at debug;
    // each retry at warn.
    expect(lines.map((l) => l.level)).toEqual([
      "debug",
      "debug",
      "warn",
      "debug",
      "warn",
      "debug",
      "debug",
    ]);
    const debug = lines.filter(
      (l) => l.level === "debug" && / of 3\) correlation id /.test(l.message),
    );
    expect(debug).toHaveLength(3);
    debug.forEach((line, i) => {
      expect(line.message).toContain(`(attempt ${i + 1} of 3)`);
      expect(line.details?.["headers"]).toMatchObject({ "x-api-key": "[redacted]" });
    });
    expect(inspect(lines, { depth: 20, showHidden: true })).not.toContain(KEY);
  });
});

describe("a write aborted before it goes out", () => {
  const { KEY, AGENT, CONN, serve, json, rejection } = loopback;

  it("a write aborted right after the call is never sent", async () => {
    const server = await serve((_req, res) => json(res, 200, sampleConnector));
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const controller = new AbortController();
    const pending = poly.connectors.update(
      AGENT,
      CONN,
      { voiceName: "en-US-Wavenet-B" },
      { signal: controller.signal },
    );
    controller.abort();
    expect(await rejection(pending)).toBeInstanceOf(APIUserAbortError);
    expect(server.seen).toEqual([]);
  });
});

describe("timeouts with a custom fetch", () => {
  const { KEY, AGENT, rejection } = loopback;

  it("a timeout holds even when a custom fetch ignores the abort signal", async () => {
    const never: typeof fetch = () => new Promise<Response>(() => {});
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: "https://api.example.test",
      fetch: never,
      timeoutMs: 30,
      maxRetries: 1,
      backoff: { initialMs: 1 },
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APITimeoutError);
    expect((err as APITimeoutError).attempts).toBe(2);
  });

  it("its signal aborts with a TimeoutError, as AbortSignal.timeout would", async () => {
    const reasons: unknown[] = [];
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => {
          reasons.push(init.signal?.reason);
          reject(init.signal?.reason as Error);
        });
      });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: "https://api.example.test",
      fetch: hanging,
      maxRetries: 0,
      timeoutMs: 20,
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APITimeoutError);
    expect(reasons).toHaveLength(1);
    expect((reasons[0] as DOMException).name).toBe("TimeoutError");
    expect((reasons[0] as DOMException).message).toBe("attempt timed out after 20 ms");
  });
});

describe("retries survive a throwing hook and a non-Latin-1 reason phrase", () => {
  const { KEY, AGENT, CONN, serve, json } = loopback;
  const utf8Reason = (text: string) => Buffer.from(text).toString("latin1");

  it("a hook that throws neither stops the retry nor escapes", async () => {
    let n = 0;
    const server = await serve((_req, res) =>
      n++ === 0 ? json(res, 503, {}) : json(res, 200, { connectors: [] }),
    );
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      backoff: { initialMs: 1 },
      onRetry: () => {
        throw new Error("metrics down");
      },
      logger: {
        debug: () => {
          throw new Error("log down");
        },
      },
    });
    expect(await poly.connectors.list(AGENT)).toEqual([]);
    expect(server.seen).toHaveLength(2);
  });

  it("a good answer with a reason phrase outside Latin-1 is accepted, and such a 503 is retried", async () => {
    let hits = 0;
    const server = await serve((_req, res) => {
      hits++;
      if (hits === 1) {
        res.writeHead(503, utf8Reason("Сервис недоступен"), { "content-type": "application/json" });
        return res.end("{}");
      }
      res.writeHead(200, utf8Reason("Готово"), { "content-type": "application/json" });
      res.end(JSON.stringify(sampleConnector));
    });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      backoff: { initialMs: 1 },
    });
    await expect(
      poly.connectors.update(AGENT, CONN, { voiceName: sampleConnector.voiceName }),
    ).resolves.toStrictEqual(sampleConnector);
    expect(hits).toBe(2);
  });
});

describe("maxResponseBytes on compressed and error answers", () => {
  const { KEY, AGENT, serve, rejection } = loopback;

  it("maxResponseBytes counts the decoded bytes of a compressed answer", async () => {
    const big = gzipSync(JSON.stringify({ connectors: [], pad: " ".repeat(4 * 1024 * 1024) }));
    const server = await serve((_req, res) => {
      res.writeHead(200, {
        "content-type": "application/json",
        "content-encoding": "gzip",
        "content-length": String(big.length),
      });
      res.end(big);
    });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      maxResponseBytes: 1024 * 1024,
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).code).toBe("RESPONSE_TOO_LARGE");
  });

  it("an oversized 503 is still an InternalServerError", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end("x".repeat(2048));
    });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      maxRetries: 0,
      maxResponseBytes: 1024,
    });
    const err = (await rejection(poly.connectors.list(AGENT))) as APIError;
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.code).toBe("RESPONSE_TOO_LARGE");
  });
});
