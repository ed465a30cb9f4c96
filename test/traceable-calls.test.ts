// Every call traceable (issue 14): one correlation ID per call, the same on every
// retry, on every error and on `.withResponse()`; logging switched on by POLYAI_LOG;
// keys from a provider, every one of them redacted.
import { inspect } from "node:util";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  APIConnectionError,
  APIPromise,
  InvalidInputError,
  NotFoundError,
  createPolyAIClient,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { sampleConnector, startServer } from "./support/fixtures.js";

const AGENT = sampleConnector.projectId;
const CONN = sampleConnector.connectorId;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let mock: MockPolyAI | undefined;
afterEach(async () => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
  await mock?.close();
  mock = undefined;
});

async function start(options: Record<string, unknown> = {}) {
  mock = await createMockPolyAI({ apiKey: "sk-traceable-key", connectors: [sampleConnector] });
  const poly = createPolyAIClient({
    apiKey: mock.apiKey,
    baseUrl: mock.url,
    backoff: { initialMs: 1, maxMs: 1 },
    ...options,
  });
  return { poly, mock };
}

describe("correlation IDs", () => {
  it("each call sends one, the same on every retry, and a new one for the next call", async () => {
    const { poly, mock } = await start();
    mock.failNext({ status: 503, times: 2 });
    await poly.connectors.get(AGENT, CONN);
    await poly.connectors.get(AGENT, CONN);
    const ids = mock.requests.map((r) => r.headers["x-polyai-correlation-id"]);
    expect(ids).toHaveLength(4);
    expect(ids[0]).toMatch(UUID);
    expect(new Set(ids.slice(0, 3)).size).toBe(1);
    expect(ids[3]).not.toBe(ids[0]);
  });

  it("is on every error as correlationId, whatever the body was; errorId stays the server's", async () => {
    const { poly, mock } = await start({ maxRetries: 0 });
    const missing = await poly.connectors.get(AGENT, "CONN-none").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
    const sent = mock.requests.at(-1)?.headers["x-polyai-correlation-id"];
    expect((missing as NotFoundError).correlationId).toBe(sent);
    expect((missing as NotFoundError).errorId).toMatch(UUID);
    mock.failNext({ status: 502, body: "<html>Bad gateway</html>", contentType: "text/html" });
    const html = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    expect((html as NotFoundError).correlationId).toBe(
      mock.requests.at(-1)?.headers["x-polyai-correlation-id"],
    );
    mock.failNext({ reset: true });
    const reset = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    expect(reset).toBeInstanceOf(APIConnectionError);
    expect((reset as APIConnectionError).correlationId).toMatch(UUID);
  });

  it("withResponse() gives data, the answer and the correlation ID; await gives the data", async () => {
    const { poly, mock } = await start();
    const pending = poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" });
    expect(pending).toBeInstanceOf(APIPromise);
    expect(pending).toBeInstanceOf(Promise);
    const { data, response, correlationId } = await pending.withResponse();
    expect(data.ttsLangCode).toBe("en-GB");
    expect(response.status).toBe(200);
    expect(response.headers.get("x-polyai-correlation-id")).toBe(correlationId);
    expect(correlationId).toBe(mock.requests.at(-1)?.headers["x-polyai-correlation-id"]);
    const retried =
      (mock.failNext({ status: 503 }), await poly.connectors.get(AGENT, CONN).withResponse());
    expect(retried.attempts).toBe(2);
    await expect(response.json()).resolves.toEqual(data);
    await expect(poly.connectors.get(AGENT, CONN)).resolves.toEqual(data);
    const imported = await poly.phoneNumbers.importOne(AGENT, "+442079460077").withResponse();
    expect(imported.response.status).toBe(201);
  });

  it("a rejected withResponse() is the only rejection: no unhandled one from the data", async () => {
    const { poly } = await start({ maxRetries: 0 });
    const unhandled = vi.fn();
    process.on("unhandledRejection", unhandled);
    try {
      await expect(poly.connectors.get(AGENT, "CONN-none").withResponse()).rejects.toBeInstanceOf(
        NotFoundError,
      );
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off("unhandledRejection", unhandled);
    }
  });

  it("a dry run's withResponse() gives the read it was predicted from", async () => {
    const { poly, mock } = await start();
    const { data, response } = await poly.connectors
      .update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" }, { dryRun: true })
      .withResponse();
    expect(data.voiceName).toBe("en-GB-Neural2-A");
    expect(mock.requests.map((r) => r.method)).toEqual(["GET"]);
    expect(response.status).toBe(200);
  });
});

describe("POLYAI_LOG", () => {
  /** What reaches the console, by method: error and warn write to stderr, the rest to stdout (#19: never). */
  function capture() {
    const lines: [string, string][] = [];
    for (const method of ["error", "warn", "log", "debug", "info"] as const)
      vi.spyOn(console, method).mockImplementation((message: unknown) => {
        lines.push([method, String(message)]);
      });
    return lines;
  }

  it("debug: a line per attempt and per answer with status, duration and correlation ID", async () => {
    vi.stubEnv("POLYAI_LOG", "debug");
    const lines = capture();
    const { poly, mock } = await start();
    await poly.connectors.get(AGENT, CONN);
    const id = mock.requests[0]?.headers["x-polyai-correlation-id"] ?? "";
    expect(lines.map(([method]) => method)).toEqual(["error", "error"]); // stderr, never stdout
    expect(lines[0]?.[1]).toContain("(attempt 1 of 3)");
    expect(lines[1]?.[1]).toMatch(
      new RegExp(`^polyai: 200 GET .* in \\d+ ms \\(attempt 1, correlation id ${id}\\)$`),
    );
    expect(JSON.stringify(lines)).not.toContain(mock.apiKey);
  });

  it("warn: one line per retry, describing that attempt, without a stack", async () => {
    vi.stubEnv("POLYAI_LOG", "warn");
    const lines = capture();
    const { poly, mock } = await start();
    mock.failNext({ reset: true, times: 2 });
    await poly.connectors.get(AGENT, CONN);
    expect(lines.map(([level]) => level)).toEqual(["warn", "warn"]);
    for (const [, line] of lines) {
      expect(line).not.toContain("after 2 attempts");
      expect(line).not.toMatch(/\n\s+at /);
      expect(line).toMatch(
        /attempt \d of 3 failed \(connection failed: .*\); retrying in \d+ ms, correlation id [0-9a-f-]{36}$/,
      );
    }
  });

  it("off, unset, and a logger option: nothing to the console; a bad level is refused", async () => {
    const lines = capture();
    vi.stubEnv("POLYAI_LOG", "off");
    await (await start()).poly.connectors.get(AGENT, CONN);
    await mock?.close();
    vi.stubEnv("POLYAI_LOG", "debug");
    const own: string[] = [];
    await (
      await start({ logger: { warn: (m: string) => own.push(m) } })
    ).poly.connectors.get(AGENT, CONN);
    expect(lines).toEqual([]);
    vi.stubEnv("POLYAI_LOG", "verbose");
    expect(() => createPolyAIClient({ apiKey: "sk-traceable-key" })).toThrow(
      /POLYAI_LOG: "verbose" is not a log level; expected one of debug, info, warn, off/,
    );
  });
});

describe("key providers", () => {
  it("are asked before each attempt, and every key sent stays redacted", async () => {
    const keys = ["sk-first-rotated-key", "sk-second-rotated-key"];
    let asked = 0;
    const server = await startServer((req, res) => {
      const key = String(req.headers["x-api-key"]);
      // A server that echoes whatever key it got, and fails the first attempt.
      res.writeHead(asked === 1 ? 503 : 404, { "content-type": "application/json", "x-echo": key });
      res.end(JSON.stringify({ error_message: `bad key ${key} and ${keys[0]}` }));
    });
    try {
      const poly = createPolyAIClient({
        apiKey: async () => keys[Math.min(asked++, 1)] ?? "",
        baseUrl: server.url,
        backoff: { initialMs: 1, maxMs: 1 },
      });
      const err = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
      expect(asked).toBe(2);
      expect(err).toBeInstanceOf(NotFoundError);
      const shown = `${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`;
      for (const key of keys) expect(shown).not.toContain(key);
      expect(shown).toContain("[redacted]");
    } finally {
      await server.close();
    }
  });

  it("a provider that throws or returns a bad key fails the call with nothing sent", async () => {
    let sent = 0;
    const fetch: typeof globalThis.fetch = async () => {
      sent++;
      return new Response("{}");
    };
    const throwing = createPolyAIClient({
      apiKey: () => {
        throw new Error("vault sealed");
      },
      baseUrl: "http://127.0.0.1:9",
      fetch,
    });
    const thrown = await throwing.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect((thrown as Error).message).toBe("apiKey: the key provider threw: vault sealed");
    const short = createPolyAIClient({
      apiKey: async () => "short",
      baseUrl: "http://127.0.0.1:9",
      fetch,
    });
    await expect(short.connectors.get(AGENT, CONN)).rejects.toThrow(
      /^apiKey: the key provider returned 5 characters long/,
    );
    const none = createPolyAIClient({
      apiKey: () => undefined as never,
      baseUrl: "http://127.0.0.1:9",
      fetch,
    });
    await expect(none.connectors.get(AGENT, CONN)).rejects.toThrow(
      "apiKey: the key provider returned undefined, not a string",
    );
    expect(sent).toBe(0);
  });
});

describe("from an outside review", () => {
  it("a key provider that never settles ends at timeoutMs, and at once on abort, with nothing sent", async () => {
    let sent = 0;
    const fetch: typeof globalThis.fetch = async () => {
      sent++;
      return new Response("{}");
    };
    const poly = createPolyAIClient({
      apiKey: () => new Promise<string>(() => {}),
      baseUrl: "http://127.0.0.1:9",
      fetch,
      timeoutMs: 50,
      maxRetries: 0,
    });
    await expect(poly.connectors.get(AGENT, CONN)).rejects.toThrow(
      "apiKey: the key provider did not answer within 50 ms (timeoutMs)",
    );
    const slow = createPolyAIClient({
      apiKey: () => new Promise<string>(() => {}),
      baseUrl: "http://127.0.0.1:9",
      fetch,
    });
    const controller = new AbortController();
    const pending = slow.connectors.get(AGENT, CONN, { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toMatchObject({ name: "APIUserAbortError" });
    expect(sent).toBe(0);
  });

  it("a provider failing before a retry says attempts were sent, with their correlation ID", async () => {
    const { mock } = await start();
    let asked = 0;
    const poly = createPolyAIClient({
      apiKey: async () => {
        if (asked++ === 1) throw new Error("vault blip");
        return mock.apiKey;
      },
      baseUrl: mock.url,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    mock.failNext({ status: 503 });
    const err = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    const id = mock.requests[0]?.headers["x-polyai-correlation-id"];
    expect((err as Error).message).toBe(
      `apiKey: the key provider threw: vault blip (before attempt 2; 1 sent with correlation id ${id})`,
    );
  });

  it("a call that ends without an answer gets an info line with its correlation ID", async () => {
    const { mock } = await start();
    const lines: string[] = [];
    const poly = createPolyAIClient({
      apiKey: mock.apiKey,
      baseUrl: mock.url,
      maxRetries: 0,
      logger: { info: (m: string) => lines.push(m) },
    });
    mock.failNext({ reset: true });
    await poly.connectors.get(AGENT, CONN).catch(() => undefined);
    const id = mock.requests[0]?.headers["x-polyai-correlation-id"];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^polyai: failed GET .*connection failed: .*\\(correlation id ${id}\\)$`),
    );
  });

  it("POLYAI_LOG ignores case; an empty correlation header gets a fresh ID", async () => {
    vi.stubEnv("POLYAI_LOG", "WARN");
    const { poly, mock } = await start();
    await poly.connectors.get(AGENT, CONN, { headers: { "X-PolyAI-Correlation-Id": "" } });
    expect(mock.requests[0]?.headers["x-polyai-correlation-id"]).toMatch(UUID);
  });
});
