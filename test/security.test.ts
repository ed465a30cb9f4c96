// Where the key may go and where it must never appear: base URL rules, the client's
// printed forms, error messages and bodies, logs, and path parameters that try to
// reach another path.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  InvalidInputError,
  PolyAIError,
  createPolyAIClient,
  type ClientOptions,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { sampleConnector } from "./support/fixtures.js";
// The recording server and the fixture key and IDs of the tests that use it; those
// tests bind its names at the top of their describe blocks (see support/loopback.ts).
import * as loopback from "./support/loopback.js";
import { keyRedactor } from "../src/internal/redact.js";

const KEY = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const AGENT = "PROJECT-SEC";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A mock with nothing seeded that serves AGENT and `agents` (any other agent answers 403). */
async function startMock(apiKey = KEY, agents: readonly string[] = []): Promise<MockPolyAI> {
  const mock = await createMockPolyAI({ apiKey, allowedProjects: [AGENT, ...agents] });
  closers.push(() => mock.close());
  return mock;
}

/** A bare node:http server on 127.0.0.1, closed after the test; returns its base URL. */
async function serve(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** #20: an answer held longer than any test may run; only a timeout or an abort ends it. */
const HOUR_MS = 3_600_000;

function client(baseUrl: string, options: ClientOptions = {}) {
  return createPolyAIClient({
    apiKey: KEY,
    baseUrl,
    // #20: a hang guard; a short one made a busy machine's slow answer a retry.
    timeoutMs: 30_000,
    backoff: { initialMs: 1, maxMs: 2 },
    ...options,
  });
}

async function rejection(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail, but it succeeded");
}

function inputError(build: () => unknown): InvalidInputError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidInputError);
    return error as InvalidInputError;
  }
  throw new Error("expected an InvalidInputError");
}

/** Every way an error is commonly turned into text: none may hold the key or a long piece of it. */
function expectScrubbed(error: unknown, key = KEY): void {
  expect(error).toBeInstanceOf(PolyAIError);
  const err = error as Error;
  const forms = [
    err.message,
    String(err),
    String(err.stack),
    inspect(err, { depth: 10 }),
    JSON.stringify(err),
  ];
  for (const text of forms) {
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(0, 10));
    expect(text).not.toContain(key.slice(-10));
  }
}

describe("baseUrl", () => {
  it.each([
    "http://example.com",
    "http://api.us.poly.ai",
    "http://127.0.0.1.nip.io",
    "http://localhost.example.com",
    "http://10.0.0.1:8080",
    "ftp://127.0.0.1",
    "ws://localhost:1234",
    "file:///etc/passwd",
    "javascript:alert(1)",
  ])("rejects %s", (baseUrl) => {
    expect(inputError(() => createPolyAIClient({ apiKey: KEY, baseUrl })).field).toBe("baseUrl");
  });

  it.each([
    ["http://127.0.0.1", "http://127.0.0.1"],
    ["http://127.0.0.1:8080/", "http://127.0.0.1:8080"],
    ["http://[::1]", "http://[::1]"],
    ["http://[::1]:3000/proxy/", "http://[::1]:3000/proxy"],
    ["http://localhost", "http://localhost"],
    ["http://LOCALHOST:1234", "http://localhost:1234"],
    ["https://example.com", "https://example.com"],
    ["https://api.eu.poly.ai/", "https://api.eu.poly.ai"],
  ])("accepts %s", (baseUrl, normalised) => {
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl });
    expect(poly.baseUrl).toBe(normalised);
    expect(poly.region).toBeUndefined();
  });

  it.each([
    "https://user:hunter2@api.us.poly.ai",
    "https://user@api.us.poly.ai",
    "http://admin:hunter2@127.0.0.1:8080",
    "https://:hunter2@example.com",
  ])("rejects credentials in %s without echoing them", (baseUrl) => {
    const err = inputError(() => createPolyAIClient({ apiKey: KEY, baseUrl }));
    expect(err.field).toBe("baseUrl");
    expect(err.message).toContain("credentials");
    expect(err.message).not.toContain("hunter2");
  });

  // A URL that does not parse may still hold a password, or be the key pasted
  // into the wrong option.
  it.each([
    ["userinfo without a host", "https://user:hunter2@", "hunter2"],
    ["the API key itself", KEY, KEY.slice(0, 10)],
  ])("does not echo an unparseable baseUrl: %s", (_, baseUrl, secret) => {
    const err = inputError(() => createPolyAIClient({ apiKey: KEY, baseUrl }));
    expect(err.field).toBe("baseUrl");
    expect(err.message).not.toContain(secret);
  });

  it.each(["https://api.us.poly.ai?key=1", "https://api.us.poly.ai/#frag"])(
    "rejects a query or fragment: %s",
    (baseUrl) => {
      expect(inputError(() => createPolyAIClient({ apiKey: KEY, baseUrl })).field).toBe("baseUrl");
    },
  );
});

describe("the client does not show its key", () => {
  it("not in util.inspect, JSON.stringify, String or a spread copy", () => {
    const poly = createPolyAIClient({ apiKey: KEY, region: "eu", headers: { "x-team": "voice" } });
    const forms = [
      inspect(poly, { depth: Infinity, showHidden: true }),
      inspect(poly.connectors, { depth: Infinity, showHidden: true }),
      inspect(poly.raw, { depth: Infinity, showHidden: true }),
      inspect({ ...poly }, { depth: Infinity, showHidden: true }),
      JSON.stringify(poly),
      JSON.stringify({ nested: poly }),
      String(Object.values(poly)),
    ];
    for (const text of forms) expect(text).not.toContain(KEY);
    expect(JSON.parse(JSON.stringify(poly))).toEqual({
      baseUrl: "https://api.eu.poly.ai",
      region: "eu",
    });
  });

  it.each([
    ["with a space", "sk-9f8e7d6c5b4a 39281706f5e4d3c2b1a0"],
    ["with a newline", "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0\n"],
    ["with a non-ASCII look-alike", "sk-9f8e7d6c5b4а39281706f5e4d3c2b1a0"],
  ])("a rejected key %s is described, never quoted", (_, apiKey) => {
    const err = inputError(() => createPolyAIClient({ apiKey }));
    expect(err.field).toBe("apiKey");
    expectScrubbed(err, apiKey.trim());
  });
});

describe("error messages never carry the key", () => {
  it.each([
    ["a 401 for a key the server does not know", () => undefined],
    [
      "503 until the client gives up",
      (mock: MockPolyAI) => mock.failNext({ status: 503, times: 3 }),
    ],
    ["a connection reset", (mock: MockPolyAI) => mock.failNext({ reset: true, times: 3 })],
    [
      "a timeout",
      (mock: MockPolyAI) => mock.failNext({ delayMs: HOUR_MS, times: 3 }),
      { timeoutMs: 150 },
    ],
    ["a 404", (mock: MockPolyAI) => mock.failNext({ status: 404 })],
  ] as [string, (mock: MockPolyAI) => void, ClientOptions?][])("%s", async (_, fault, options) => {
    const mock = await startMock("sk-another-key-the-mock-wants");
    fault(mock);
    const error = await rejection(() => client(mock.url, options).connectors.get(AGENT, "CONN-1"));
    expectScrubbed(error);
  });

  it("a caller abort", async () => {
    const mock = await startMock();
    mock.failNext({ delayMs: HOUR_MS });
    const error = await rejection(() =>
      client(mock.url).connectors.list(AGENT, { signal: AbortSignal.timeout(50) }),
    );
    expectScrubbed(error);
  });

  it("a refused redirect", async () => {
    const url = await serve((_, res) => {
      res.writeHead(307, { Location: `https://collector.example/steal?k=${KEY.slice(0, 4)}` });
      res.end();
    });
    const error = await rejection(() => client(url).connectors.list(AGENT));
    expect((error as APIError).code).toBe("REDIRECT_REFUSED");
    expectScrubbed(error);
  });
});

describe("an answer that echoes the key is scrubbed", () => {
  it("in PolyAI's error envelope", async () => {
    const mock = await startMock();
    mock.failNext({ status: 400, message: `Invalid header x-api-key: ${KEY}` });
    const error = await rejection(() => client(mock.url).connectors.list(AGENT));
    expectScrubbed(error);
    expect((error as APIError).message).toContain("x-api-key: [redacted]");
    expect(JSON.stringify((error as APIError).body)).toContain("[redacted]");
  });

  it("in a proxy's text error page", async () => {
    const mock = await startMock();
    mock.failNext({
      status: 502,
      times: 3,
      contentType: "text/html",
      body: `<html><body><pre>GET / HTTP/1.1\nx-api-key: ${KEY}\n</pre></body></html>`,
    });
    const error = await rejection(() => client(mock.url).connectors.list(AGENT));
    expectScrubbed(error);
    expect((error as APIError).body).toContain("x-api-key: [redacted]");
  });

  // The message quotes the start of a body that is not JSON: the key must not
  // survive there whole or in part, wherever in the body it is.
  async function notJson(offset: number): Promise<void> {
    const body = `${"<".repeat(offset)}${KEY} echoed back`;
    const url = await serve((_, res) => {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end(body);
    });
    const error = await rejection(() => client(url).connectors.list(AGENT));
    expect((error as APIError).code).toBe("INVALID_RESPONSE");
    expectScrubbed(error);
  }
  it.each([0, 20, 40, 46, 50, 55, 60, 70, 90])(
    "in a 200 answer that is not JSON, with the key at offset %i",
    notJson,
  );

  // A proxy may also echo request headers as response headers; APIError keeps
  // the answer's headers, and util.inspect shows them.
  async function echoedInHeader(
    status: number,
    body: string,
    options: ClientOptions = {},
  ): Promise<void> {
    const url = await serve((_, res) => {
      res.writeHead(status, {
        "Content-Type": "application/json",
        "X-Echo-Api-Key": KEY,
        ...(status === 307 ? { Location: "https://elsewhere.example/" } : {}),
      });
      res.end(body);
    });
    const error = await rejection(() =>
      client(url, { maxRetries: 0, ...options }).connectors.list(AGENT),
    );
    expectScrubbed(error);
    expect((error as APIError).headers.get("x-echo-api-key")).toBe("[redacted]");
  }
  it("in a response header of an error answer", () =>
    echoedInHeader(500, '{"error_message":"boom"}'));

  it.each([
    ["a 200 that is not JSON", 200, "<html>", {}],
    [
      "an oversized 200",
      200,
      JSON.stringify({ pad: "x".repeat(2_000) }),
      { maxResponseBytes: 1_000 },
    ],
    ["a refused redirect", 307, "", {}],
  ] as const)("in a response header of %s", (_, status, body, options) =>
    echoedInHeader(status, body, options),
  );
});

describe("the logger", () => {
  it("sees x-api-key and Authorization redacted", async () => {
    const mock = await startMock();
    const logged: unknown[] = [];
    const logger = {
      debug: (...args: unknown[]) => logged.push(args),
      warn: (...args: unknown[]) => logged.push(args),
    };
    mock.failNext({ status: 503 });
    await client(mock.url, { logger }).connectors.list(AGENT, {
      headers: { Authorization: `Bearer ${KEY}` },
    });
    const text = inspect(logged, { depth: Infinity });
    expect(text).not.toContain(KEY);
    expect(text).toContain("'x-api-key': '[redacted]'");
    expect(text).toContain("authorization: '[redacted]'");
  });
});

describe("path parameters cannot reach another path", () => {
  it.each(["a/../../v2", "a?admin=1", "a#frag", "a%2Fb", "%2e%2e", "..%2F..%2F"])(
    "agentId %s is sent percent-encoded",
    async (agentId) => {
      // Served, so the answer also shows the mock decoded the agent back to itself.
      const mock = await startMock(KEY, [agentId]);
      await expect(client(mock.url).connectors.list(agentId)).resolves.toEqual([]);
      expect(mock.requests.map((r) => r.path)).toEqual([
        `/v1/agents/${encodeURIComponent(agentId)}/telephony/connectors`,
      ]);
    },
  );

  it.each(["x/../../../v1/agents/OTHER/telephony/connectors/y", "y?x=1"])(
    "connectorId %s is sent percent-encoded",
    async (connectorId) => {
      const mock = await startMock();
      await rejection(() => client(mock.url).connectors.delete(AGENT, connectorId));
      expect(mock.requests.map((r) => [r.method, r.path])).toEqual([
        ["DELETE", `/v1/agents/${AGENT}/telephony/connectors/${encodeURIComponent(connectorId)}`],
      ]);
    },
  );
});

describe("headers the client sets itself are refused, on the client and per call", () => {
  const { KEY, AGENT, serve, json, rejection } = loopback;

  it("cannot be replaced through the client's headers, where no scrubbing would know it", () => {
    expect(() =>
      createPolyAIClient({
        apiKey: KEY,
        baseUrl: "https://api.example.test",
        headers: { "X-Api-Key": "sk_other" },
      }),
    ).toThrow(InvalidInputError);
    expect(() =>
      createPolyAIClient({
        apiKey: KEY,
        baseUrl: "https://api.example.test",
        headers: { "X-Api-Key": "sk_other" },
      }),
    ).toThrow(/headers\.X-Api-Key/);
  });

  it("a per-call x-api-key header is refused before sending", async () => {
    const server = await serve((_req, res) => json(res, 200, { connectors: [] }));
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = await rejection(
      poly.connectors.list(AGENT, { headers: { "x-api-key": "sk_other" } }),
    );
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).field).toBe("options.headers.x-api-key");
    expect(server.seen).toEqual([]);
  });

  it.each([
    "Content-Type",
    "content-length",
    "Transfer-Encoding",
    "accept",
    "Host",
    "connection",
    "Keep-Alive",
    "upgrade",
    "Expect",
    "content-encoding",
  ])("a %s header is refused on the client and per call, before sending", async (name) => {
    const server = await serve((_req, res) => json(res, 200, { connectors: [] }));
    expect(() =>
      createPolyAIClient({ apiKey: KEY, baseUrl: server.url, headers: { [name]: "5" } }),
    ).toThrow(`headers.${name}: is set by the client`);
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = (await rejection(
      poly.connectors.list(AGENT, { headers: { [name]: "5" } }),
    )) as InvalidInputError;
    expect(err.field).toBe(`options.headers.${name}`);
    expect(server.seen).toHaveLength(0);
  });
});

describe("redirects: a request goes only where it was addressed", () => {
  const { KEY, AGENT, CONN, serve, json, rejection } = loopback;

  it.each([
    ["an unparseable Location", "http://[::1"],
    ["a Location with a space in the host", "https://exa mple.com/"],
    ["a same-origin Location with credentials", "USERINFO"],
  ])("%s", async (_, location) => {
    const server = await serve((_req, res) => {
      res.writeHead(302, {
        location:
          location === "USERINFO"
            ? `http://user:pw@127.0.0.1:${(res.socket?.localPort ?? 0).toString()}/x`
            : location,
      });
      res.end();
    });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      backoff: { initialMs: 1 },
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).code).toBe("REDIRECT_REFUSED");
    expect((err as Error).message).not.toContain("pw");
    expect(server.seen).toHaveLength(1);
  });

  it("a 303 does not turn a PATCH into a GET that 'succeeds'", async () => {
    const server = await serve((req, res) => {
      if (req.method === "PATCH") {
        res.writeHead(303, { location: req.url ?? "/" });
        res.end();
      } else json(res, 200, sampleConnector);
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = await rejection(
      poly.connectors.update(AGENT, CONN, { voiceName: "en-US-Wavenet-B" }),
    );
    expect((err as APIError).code).toBe("REDIRECT_REFUSED");
    expect(server.seen.map((r) => r.method)).toEqual(["PATCH"]);
  });

  it("a refusal after a retry says how many attempts were made", async () => {
    let n = 0;
    const server = await serve((_req, res) => {
      if (n++ === 0) json(res, 503, {});
      else {
        res.writeHead(302, { location: "https://elsewhere.example/" });
        res.end();
      }
    });
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      backoff: { initialMs: 1 },
    });
    const err = (await rejection(poly.connectors.list(AGENT))) as APIError;
    expect(err.code).toBe("REDIRECT_REFUSED");
    expect(err.attempts).toBe(2);
    expect(err.message).toContain("after 2 attempts");
  });

  it("a PATCH redirected to another connector is refused and not repeated there", async () => {
    const server = await serve((req, res) => {
      if (req.url?.endsWith(`/${CONN}`)) {
        res.writeHead(307, { location: req.url.replace(CONN, "CONN-other") });
        return res.end();
      }
      json(res, 200, { ...sampleConnector, connectorId: "CONN-other" });
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = (await rejection(
      poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" }),
    )) as APIError;
    expect(err.code).toBe("REDIRECT_REFUSED");
    expect(err.message).toContain("a request goes only where it was addressed");
    expect(server.seen).toHaveLength(1);
  });

  it("a 303 of a read is followed: it cannot turn a write into a read", async () => {
    const server = await serve((req, res) => {
      if (!req.url?.startsWith("/v2")) {
        res.writeHead(303, { location: `/v2${req.url}` });
        return res.end();
      }
      json(res, 200, sampleConnector);
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    await expect(poly.connectors.get(AGENT, CONN)).resolves.toStrictEqual(sampleConnector);
    expect(server.seen.map((s) => s.method)).toEqual(["GET", "GET"]);
  });

  it("a read redirected to another agent is refused, not answered for that agent", async () => {
    const server = await serve((req, res) => {
      if (req.url?.includes(AGENT)) {
        res.writeHead(302, { location: req.url.replace(AGENT, "PROJECT-OTHER") });
        return res.end();
      }
      json(res, 200, { connectors: [] });
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.list(AGENT))) as APIError;
    expect(err.code).toBe("REDIRECT_REFUSED");
    expect(server.seen).toHaveLength(1);
  });
});

describe("a failing fetch's error, its causes, retry events and logs are scrubbed of the key", () => {
  const { KEY, AGENT, rejection } = loopback;
  const LONG_KEY = "sk_live_second_review_0123456789";

  it("does not leak through a failing fetch's error text, the retry event or the logger", async () => {
    const echoing: typeof fetch = async (_input, init) => {
      throw new TypeError(
        `refused, headers were ${JSON.stringify(Object.fromEntries(new Headers(init?.headers)))}`,
      );
    };
    const seen: unknown[] = [];
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: "https://api.example.test",
      fetch: echoing,
      maxRetries: 1,
      backoff: { initialMs: 1 },
      onRetry: (event) => seen.push(event),
      logger: { warn: (message, details) => seen.push(message, details) },
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect((err as Error).message).toContain("[redacted]");
    for (const thing of [err, ...seen]) expect(inspect(thing, { depth: 10 })).not.toContain(KEY);
  });

  it("is redacted from a cause nested inside the fetch error", async () => {
    const nested: typeof fetch = async (_input, init) => {
      throw new TypeError("fetch failed", {
        cause: new Error(`sent x-api-key: ${new Headers(init?.headers).get("x-api-key")}`),
      });
    };
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: "https://api.example.test",
      fetch: nested,
      maxRetries: 0,
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(inspect(err, { depth: 20 })).not.toContain(KEY);
  });

  it("a custom fetch that throws synchronously is a retried connection error, key scrubbed", async () => {
    let calls = 0;
    const throwing = ((_input: unknown, init?: RequestInit) => {
      calls++;
      throw new TypeError(`x-api-key=${new Headers(init?.headers).get("x-api-key")}`);
    }) as typeof fetch;
    const poly = createPolyAIClient({
      apiKey: LONG_KEY,
      baseUrl: "https://api.example.test",
      fetch: throwing,
      maxRetries: 2,
      backoff: { initialMs: 1 },
    });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(calls).toBe(3);
    expect(inspect(err, { depth: 20 })).not.toContain(LONG_KEY);
  });

  it("a cause keeps only its name, message, code, stack and cause: no config or request objects", async () => {
    const seen: unknown[] = [];
    const axiosLike: typeof fetch = async (_input, init) => {
      const headers = Object.fromEntries(new Headers(init?.headers));
      const inner = Object.assign(new Error("socket hang up"), {
        code: "ECONNRESET",
        config: { headers },
      });
      throw Object.assign(new TypeError("fetch failed", { cause: inner }), {
        request: { headers: new Headers(init?.headers) },
      });
    };
    const poly = createPolyAIClient({
      apiKey: LONG_KEY,
      baseUrl: "https://api.example.test",
      fetch: axiosLike,
      maxRetries: 1,
      backoff: { initialMs: 1 },
      onRetry: (event) => seen.push(event),
      logger: { warn: (message, details) => seen.push(message, details) },
    });
    const err = (await rejection(poly.connectors.list(AGENT))) as APIConnectionError;
    const cause = err.cause as Error & { code?: string; cause?: Error & { code?: string } };
    expect(cause.message).toBe("fetch failed");
    expect(cause.cause?.code).toBe("ECONNRESET");
    for (const thing of [err, ...seen])
      expect(inspect(thing, { depth: 20, showHidden: true })).not.toContain(LONG_KEY);
  });
});

describe("messages quoting a Location or a response field leave the key out", () => {
  const { AGENT, CONN, serve, json, rejection } = loopback;
  const LONG_KEY = "sk_live_second_review_0123456789";

  it("a refused redirect's message does not quote a Location that carries the key", async () => {
    for (const location of [`/v1/leak/${LONG_KEY}`, `http://${LONG_KEY}.evil.test/`]) {
      const server = await serve((_req, res) => {
        res.writeHead(307, { location });
        res.end();
      });
      const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
      const err = (await rejection(
        poly.connectors.update(AGENT, CONN, { voiceName: "en-GB-Neural2-A" }),
      )) as APIError;
      expect(err.code).toBe("REDIRECT_REFUSED");
      expect(err.message).toContain("[redacted]");
      expect(`${err.message} ${inspect(err, { depth: 10 })}`).not.toContain(LONG_KEY);
    }
  });

  it("an INVALID_RESPONSE message does not quote a key the server put in a field", async () => {
    const server = await serve((_req, res) =>
      json(res, 200, { ...sampleConnector, connectorId: LONG_KEY }),
    );
    const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.get(AGENT, CONN))) as APIError;
    expect(err.code).toBe("INVALID_RESPONSE");
    expect(err.message).toContain('it is connector "[redacted]"');
  });
});

describe("a key echoed back in another spelling or place is redacted", () => {
  const { AGENT, CONN, serve, json, rejection } = loopback;
  // Characters that JSON, percent-encoding and HTML each escape differently.
  const ODD_KEY = `sk"ab\\cd<e>&f/g+h='i'`;
  const spellings = [
    ["as is", ODD_KEY],
    ["as a JSON string", JSON.stringify(ODD_KEY).slice(1, -1)],
    [
      "JSON with \\u003c escapes",
      JSON.stringify(ODD_KEY)
        .slice(1, -1)
        .replace(/</g, "\\u003c")
        .replace(/>/g, "\\u003e")
        .replace(/&/g, "\\u0026"),
    ],
    ["percent-encoded", encodeURIComponent(ODD_KEY)],
    [
      "percent-encoded in lower case",
      encodeURIComponent(ODD_KEY).replace(/%[0-9A-F]{2}/g, (p) => p.toLowerCase()),
    ],
    [
      "as HTML entities",
      ODD_KEY.replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#x27;"),
    ],
    ["as numeric HTML entities", ODD_KEY.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)],
    ["as PHP's JSON, which escapes /", JSON.stringify(ODD_KEY).slice(1, -1).replace(/\//g, "\\/")],
    [
      "as .NET's JSON, which escapes + < > & ' as \\u00XX in upper case",
      JSON.stringify(ODD_KEY)
        .slice(1, -1)
        .replace(/[+<>&']/g, (c) => `\\u00${c.charCodeAt(0).toString(16).toUpperCase()}`),
    ],
    [
      "as escape-html, which writes ' as &#39;",
      ODD_KEY.replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&#39;"),
    ],
    [
      "as XML, which writes ' as &apos;",
      ODD_KEY.replace(/&/g, "&amp;")
        .replace(/</g, "&lt;")
        .replace(/>/g, "&gt;")
        .replace(/"/g, "&quot;")
        .replace(/'/g, "&apos;"),
    ],
    ["by encodeURI, which leaves / + = ' & alone", encodeURI(ODD_KEY)],
  ] as const;
  const LONG_KEY = "sk_live_third_Review_0123456789";

  it.each(spellings)("is redacted from bodies and headers when echoed %s", async (_how, echoed) => {
    for (const status of [200, 500]) {
      const server = await serve((_req, res) => {
        // Not JSON, so the raw text is what the error keeps.
        res.writeHead(status, {
          "content-type": "text/plain",
          "x-echo": encodeURIComponent(ODD_KEY),
        });
        res.end(`key was ${echoed}; truncated {`);
      });
      const poly = createPolyAIClient({ apiKey: ODD_KEY, baseUrl: server.url, maxRetries: 0 });
      const err = (await rejection(poly.connectors.list(AGENT))) as APIError;
      expect(err).toBeInstanceOf(APIError);
      const shown = `${err.message} ${inspect(err, { depth: 10 })} ${JSON.stringify(err.body)} ${JSON.stringify([...err.headers])}`;
      expect(shown).toContain("[redacted]");
      expect(shown).not.toContain(echoed);
      expect(shown).not.toContain(encodeURIComponent(ODD_KEY));
    }
  });

  it("redacts the key from header names, reason phrases and a lower-cased host", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(307, `moved ${LONG_KEY}`, {
        [`x-echo-${LONG_KEY}`]: "1",
        location: `http://${LONG_KEY}.evil.test/`,
      });
      res.end();
    });
    const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.get(AGENT, CONN))) as APIError;
    expect(err.code).toBe("REDIRECT_REFUSED");
    const shown = `${String(err)} ${inspect(err, { depth: 10 })} ${JSON.stringify(err)}`;
    expect(shown.toLowerCase()).not.toContain(LONG_KEY.toLowerCase());
    expect(err.message).toContain("[redacted]");
  });

  it("a long server value is redacted before it is shortened, so no part of the key shows", async () => {
    const server = await serve((_req, res) =>
      json(res, 200, { ...sampleConnector, connectorId: "x".repeat(40) + LONG_KEY }),
    );
    const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.get(AGENT, CONN))) as APIError;
    expect(err.message).toContain("[redacted]");
    expect(err.message).not.toContain(LONG_KEY.slice(0, 12));
  });

  it("an INVALID_RESPONSE body that is JSON is scrubbed after parsing, so escaped letters do not hide the key", async () => {
    const escaped = [...LONG_KEY]
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join("");
    const server = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(
        `{"echo":"${escaped}","html":"sk&lowbar;live&lowbar;third&lowbar;Review&lowbar;0123456789"}`,
      );
    });
    const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.list(AGENT))) as APIError;
    expect(err.code).toBe("INVALID_RESPONSE");
    expect(err.body).toStrictEqual({ echo: "[redacted]", html: "[redacted]" });
  });
});

describe("the caller's abort reason is kept unless it holds the key", () => {
  const { AGENT, serve, rejection } = loopback;
  const LONG_KEY = "sk_live_third_Review_0123456789";
  const ID_KEY = "sk_live_fourth_0123456789";

  it("the caller's abort reason is kept as given, unless it carries the key", async () => {
    const server = await serve(() => {}); // never answers
    const poly = createPolyAIClient({ apiKey: LONG_KEY, baseUrl: server.url });
    for (const [reason, kept] of [
      [new Error("user gave up"), true],
      [new Error(`gave up, key=${LONG_KEY}`), false],
    ] as const) {
      const controller = new AbortController();
      const pending = poly.connectors.list(AGENT, { signal: controller.signal });
      setTimeout(() => controller.abort(reason), 10);
      const err = (await rejection(pending)) as Error;
      expect(err).toBeInstanceOf(APIUserAbortError);
      if (kept) expect(err.cause).toBe(reason);
      expect(inspect(err, { depth: 10 })).not.toContain(LONG_KEY);
    }
  });

  it("an abort reason that holds the key in a property is not kept as it is", async () => {
    const server = await serve(() => {});
    const poly = createPolyAIClient({ apiKey: ID_KEY, baseUrl: server.url });
    const controller = new AbortController();
    const pending = poly.connectors.list(AGENT, { signal: controller.signal });
    const reason = { secret: ID_KEY };
    setTimeout(() => controller.abort(reason), 10);
    const err = (await rejection(pending)) as Error;
    expect(err.cause).not.toBe(reason);
    expect(inspect(err, { depth: 10 })).not.toContain(ID_KEY);
  });
});

describe("the key passed where another value belongs", () => {
  const { AGENT, CONN, serve, json, rejection } = loopback;
  const SWAPPED = "sk_live_swapped_0123456789";
  const ID_KEY = "sk_live_fourth_0123456789";

  it("is not quoted by the input error, on the client or on a call", async () => {
    expect(() => createPolyAIClient({ apiKey: SWAPPED, region: SWAPPED as never })).toThrow(
      /^region: "\[redacted\]" is not a region/,
    );
    const poly = createPolyAIClient({ apiKey: SWAPPED, baseUrl: "https://api.example.test" });
    for (const pending of [
      poly.connectors.update(AGENT, CONN, { voiceName: SWAPPED }),
      poly.connectors.batchGet(AGENT, [SWAPPED, SWAPPED]),
      poly.connectors.batchUpdate(AGENT, [
        { connectorId: SWAPPED, variantId: null },
        { connectorId: SWAPPED, variantId: null },
      ]),
    ]) {
      const err = (await rejection(pending)) as InvalidInputError;
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.message).toContain("[redacted]");
      expect(`${err.message} ${inspect(err)}`).not.toContain(SWAPPED);
    }
  });

  it("a key used as an ID does not show in the error's URL, message or JSON", async () => {
    const server = await serve((_req, res) =>
      json(res, 404, { error_code: "CONNECTORS_NOT_FOUND" }),
    );
    const lines: string[] = [];
    const poly = createPolyAIClient({
      apiKey: ID_KEY,
      baseUrl: server.url,
      logger: { debug: (message, details) => lines.push(message, JSON.stringify(details)) },
    });
    const err = (await rejection(poly.connectors.get(ID_KEY, "CONN-x"))) as APIError;
    expect(err.request?.url).toContain("[redacted]");
    expect(`${err.message} ${JSON.stringify(err)} ${lines.join(" ")}`).not.toContain(ID_KEY);
  });
});

describe("keys too short to redact are refused", () => {
  it.each(["k", "e", "1", "sk-1234"])(
    "a key as short as %j is refused: redacting it would garble text",
    (key) => {
      expect(() =>
        createPolyAIClient({ apiKey: key, baseUrl: "https://api.example.test" }),
      ).toThrow(/apiKey: is \d characters long; keys have at least 8/);
    },
  );
});

describe("keys too long to redact are refused, never quoted, nothing sent (#23)", () => {
  // A redactor of every spelling of a 7,000-character key is past what V8's regular
  // expressions take: it threw a SyntaxError spelling out the key, after a
  // provider's key had placed a call.
  const LONG = `sk-live-${"b".repeat(7_000)}`;

  it("a fixed key over 1,024 characters is refused when the client is made", () => {
    let thrown: unknown;
    try {
      createPolyAIClient({ apiKey: LONG, baseUrl: "https://api.example.test" });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InvalidInputError);
    expect(String((thrown as Error).message)).toMatch(
      /^apiKey: is 7008 characters long; keys have at most 1024/,
    );
    expect(inspect(thrown)).not.toContain("b".repeat(20));
  });

  it("a provider's key over 1,024 characters fails the call before anything is sent, even a trigger", async () => {
    let sent = 0;
    const poly = createPolyAIClient({
      apiKey: () => LONG,
      baseUrl: "https://api.example.test",
      fetch: async () => {
        sent++;
        return new Response("{}");
      },
    });
    const err = await poly.outboundCalls
      .create("PROJECT-58RP822I", { toNumber: "+447700900001", environment: "live" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).message).toContain(
      "the key provider returned 7008 characters long",
    );
    expect(`${inspect(err)} ${JSON.stringify(err)}`).not.toContain("b".repeat(20));
    expect(sent).toBe(0);
  });

  it("1,024 characters are taken, and redacted in every spelling", () => {
    const key = `sk-${"a/".repeat(510)}z`;
    expect(key).toHaveLength(1024);
    const redact = keyRedactor(key);
    expect(redact(`x ${encodeURIComponent(key)} y ${JSON.stringify(key)}`)).toBe(
      'x [redacted] y "[redacted]"',
    );
    // Over the cap (never sent), the redactor still builds: the key as itself.
    expect(keyRedactor(LONG)(`a ${LONG.toUpperCase()} b`)).toBe("a [redacted] b");
  });
});

describe("the logger and the mock's records hide the caller's other credentials", () => {
  const { KEY, AGENT, serve, json } = loopback;

  it("and the logger redacts the caller's own credentials as well", async () => {
    const server = await serve((_req, res) => json(res, 200, { connectors: [] }));
    const lines: string[] = [];
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: server.url,
      headers: { cookie: "session=secret-cookie", "proxy-authorization": "Basic secret-proxy" },
      logger: { debug: (message, details) => lines.push(message, JSON.stringify(details)) },
    });
    await poly.connectors.list(AGENT);
    expect(lines.join("\n")).toContain('"cookie":"[redacted]"');
    expect(lines.join("\n")).not.toMatch(/secret-cookie|secret-proxy|sk_live/);
  });

  it("logs and the mock's records hide any header named like a credential", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    const mock = await createMockPolyAI({ apiKey: KEY, allowedProjects: [AGENT] });
    try {
      const lines: string[] = [];
      const poly = createPolyAIClient({
        apiKey: KEY,
        baseUrl: mock.url,
        headers: { "x-gateway-key": "gw-secret-1", "x-session-token": "gw-secret-2" },
        logger: { debug: (message, details) => lines.push(message, JSON.stringify(details)) },
      });
      await poly.connectors.list(AGENT);
      expect(lines.join("\n")).not.toMatch(/gw-secret/);
      expect(mock.requests[0]?.headers["x-gateway-key"]).toBe("[redacted]");
      expect(mock.requests[0]?.headers["x-session-token"]).toBe("[redacted]");
    } finally {
      await mock.close();
    }
  });
});
