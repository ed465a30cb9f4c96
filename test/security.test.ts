// Where the key may go and where it must never appear: base URL rules, the client's
// printed forms, error messages and bodies, logs, and path parameters that try to
// reach another path.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIError,
  InvalidInputError,
  PolyAIError,
  createPolyAIClient,
  type ClientOptions,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";

const KEY = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
const AGENT = "PROJECT-SEC";

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function startMock(apiKey = KEY): Promise<MockPolyAI> {
  const mock = await createMockPolyAI({ apiKey });
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

function client(baseUrl: string, options: ClientOptions = {}) {
  return createPolyAIClient({
    apiKey: KEY,
    baseUrl,
    timeoutMs: 150,
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
    ["a timeout", (mock: MockPolyAI) => mock.failNext({ delayMs: 2_000, times: 3 })],
    ["a 404", (mock: MockPolyAI) => mock.failNext({ status: 404 })],
  ])("%s", async (_, fault) => {
    const mock = await startMock("sk-another-key-the-mock-wants");
    fault(mock);
    const error = await rejection(() => client(mock.url).connectors.get(AGENT, "CONN-1"));
    expectScrubbed(error);
  });

  it("a caller abort", async () => {
    const mock = await startMock();
    mock.failNext({ delayMs: 2_000 });
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
      const mock = await startMock();
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
