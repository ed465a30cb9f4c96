// Regressions from a review of the transport and the connector layer: each case
// once let a write through, a limit be bypassed, the key leak, or an untyped error
// escape.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIError,
  APITimeoutError,
  APIUserAbortError,
  BadRequestError,
  InternalServerError,
  InvalidInputError,
  PolyAIError,
  RateLimitError,
  createPolyAIClient,
  type ConnectorPatch,
} from "../src/index.js";
import { sampleConnector } from "./support/fixtures.js";

const KEY = "sk_live_hardening_0123456789";
const AGENT = "PROJECT-58RP822I";
const CONN = "CONN-7d2f9a";
const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
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
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const json = (
  res: ServerResponse,
  status: number,
  value: unknown,
  headers: Record<string, string> = {},
) => {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(value));
};
const rejection = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe("abort", () => {
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

describe("limits", () => {
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
});

describe("the key", () => {
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
});

describe("redirects and odd answers are refusals, not retried connection errors", () => {
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
});

describe("answers of the wrong shape", () => {
  it("a deeply nested error body is still a typed error", async () => {
    const deep = "[".repeat(200_000) + "]".repeat(200_000);
    const server = await serve((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(deep);
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = await rejection(poly.connectors.list(AGENT));
    expect(err).toBeInstanceOf(BadRequestError);
    expect(err).toBeInstanceOf(PolyAIError);
  });
});

describe("batch items", () => {
  it("a null connectorId is required, not clearable", async () => {
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.batchUpdate(AGENT, [
        { connectorId: null as unknown as string, voiceName: "en-GB-Neural2-A" },
      ]),
    )) as InvalidInputError;
    expect(err.field).toBe("updates[0].connectorId");
    expect(err.reason).toBe("is required and cannot be null");
  });
});

describe("sparse arrays", () => {
  // JSON.stringify turns a hole into null, so a skipped hole would be sent half-formed.
  it("a hole in updates or connectorIds is refused by index, and nothing is sent", async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const holes: [Promise<unknown>, string][] = [
      [
        poly.connectors.batchUpdate(AGENT, [, { connectorId: CONN, variantId: null }] as never),
        "updates[0]",
      ],
      [poly.connectors.batchGet(AGENT, new Array<string>(2)), "connectorIds[0]"],
      [poly.connectors.batchGet(AGENT, [CONN, , "C2"] as never), "connectorIds[1]"],
    ];
    for (const [pending, field] of holes) {
      const err = (await rejection(pending)) as InvalidInputError;
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.field).toBe(field);
    }
    expect(server.seen).toHaveLength(0);
  });
});

describe("messages about the wrong kind of object", () => {
  it("name the class that was passed instead of a plain object", async () => {
    class Patch {
      voiceName = "en-GB-Neural2-A";
    }
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.update(AGENT, CONN, new Patch() as ConnectorPatch),
    )) as InvalidInputError;
    expect(err.reason).toBe("expected a plain object, got an instance of Patch");
    const proto = (await rejection(
      poly.connectors.update(AGENT, CONN, { __proto__: { voiceName: "x" } } as ConnectorPatch),
    )) as InvalidInputError;
    expect(proto.reason).toBe("expected a plain object, got an object with a custom prototype");
  });
});

describe("the wire", () => {
  it("asks for JSON and sends the key and content type, nothing the caller did not set", async () => {
    const headers: Record<string, string | undefined>[] = [];
    const server = await serve((req, res) => {
      headers.push({
        accept: req.headers.accept,
        key: String(req.headers["x-api-key"]),
        type: req.headers["content-type"],
      });
      json(res, 200, sampleConnector);
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    // A JavaScript caller's undefined key (the type forbids it under exactOptionalPropertyTypes).
    const patch = {
      voiceName: "en-GB-Neural2-A",
      asrLangCode: undefined,
    } as unknown as ConnectorPatch;
    await poly.connectors.update(AGENT, CONN, patch);
    expect(headers).toEqual([{ accept: "application/json", key: KEY, type: "application/json" }]);
    expect(server.seen[0]?.body).toBe('{"voiceName":"en-GB-Neural2-A"}');
  });
});

describe("the local PolyAI", () => {
  it("does not show its key when printed or serialised", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    const mock = await createMockPolyAI({ apiKey: KEY });
    try {
      expect(mock.apiKey).toBe(KEY);
      expect(inspect(mock, { depth: 10 })).not.toContain(KEY);
      expect(JSON.stringify(mock)).not.toContain(KEY);
      expect(JSON.stringify(mock)).toContain(mock.url);
      // A spread, or a printer that skips custom inspectors (a test runner's diff).
      expect(JSON.stringify({ ...mock })).not.toContain(KEY);
      expect(inspect(mock, { depth: 10, customInspect: false })).not.toContain(KEY);
    } finally {
      await mock.close();
    }
  });

  it("refuses a mistyped option instead of ignoring it", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    await expect(createMockPolyAI({ apikey: KEY } as never)).rejects.toThrow(
      'createMockPolyAI: "apikey" is not an option; did you mean "apiKey"?',
    );
    const mock = await createMockPolyAI();
    try {
      expect(() => mock.failNext({ stauts: 429 } as never)).toThrow(
        /failNext: "stauts" is not an option; known options are status, times/,
      );
      expect(() => mock.failNext({ status: 429, retryafter: 5 } as never)).toThrow(
        'did you mean "retryAfter"?',
      );
      expect(() => mock.failNext(null as never)).toThrow(
        "failNext: expected an options object, got null",
      );
      expect(() => mock.failNext({ status: "503" } as never)).toThrow('got "503"');
      expect(mock.requests).toEqual([]);
    } finally {
      await mock.close();
    }
  });
});

describe("a key echoed back in another spelling", () => {
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
});

describe("redirects of writes", () => {
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
});

describe("more answers and inputs from the review", () => {
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

  it("a 429 that asks for a long wait says how long", async () => {
    const server = await serve((_req, res) => {
      res.writeHead(429, { "retry-after": "3600" });
      res.end();
    });
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const err = (await rejection(poly.connectors.list(AGENT))) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(err.message).toContain("the server asks to retry after 3600 s");
    expect(server.seen).toHaveLength(1);
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

  it('variantId "" says to send null, since that is how a connector reads without one', async () => {
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.update(AGENT, CONN, { variantId: "" }),
    )) as InvalidInputError;
    expect(err.field).toBe("variantId");
    expect(err.reason).toContain("send null to clear it (clearVariant())");
  });
});

describe("what a custom fetch sees on a timeout", () => {
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

describe("second review: the key in messages the SDK writes itself", () => {
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

  it.each(["k", "e", "1", "sk-1234"])(
    "a key as short as %j is refused: redacting it would garble text",
    (key) => {
      expect(() =>
        createPolyAIClient({ apiKey: key, baseUrl: "https://api.example.test" }),
      ).toThrow(/apiKey: is \d characters long; keys have at least 8/);
    },
  );
});

describe("second review: the mock's options are checked by type", () => {
  it("refuses failNext values of the wrong type, and bad port, host and apiKey", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    await expect(createMockPolyAI({ port: "4010x" } as never)).rejects.toThrow(
      'createMockPolyAI: port must be an integer from 0 to 65535, got "4010x"',
    );
    await expect(createMockPolyAI({ host: "" })).rejects.toThrow("host must be a non-empty string");
    for (const apiKey of [42, "", "a b c d e f g", "short"])
      await expect(createMockPolyAI({ apiKey } as never)).rejects.toThrow(
        "apiKey must be a string of at least 8 visible ASCII characters",
      );
    const mock = await createMockPolyAI();
    try {
      expect(() => mock.failNext({ body: { a: 1 } } as never)).toThrow(
        'body must be a string, got {"a":1}',
      );
      expect(() => mock.failNext({ retryAfter: true } as never)).toThrow(
        "retryAfter must be whole seconds",
      );
      expect(() => mock.failNext({ reset: "yes" } as never)).toThrow(
        'reset must be a boolean, got "yes"',
      );
      expect(() => mock.failNext({ errorCode: 5 } as never)).toThrow(
        "errorCode must be a string, got 5",
      );
    } finally {
      await mock.close();
    }
  });
});

describe("third review", () => {
  const LONG_KEY = "sk_live_third_Review_0123456789";
  const utf8Reason = (text: string) => Buffer.from(text).toString("latin1");

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

  it("a fetch error whose message is not a string is still a connection error", async () => {
    const odd: typeof fetch = async () => {
      throw Object.assign(new Error(), { message: { detail: "odd" } });
    };
    const poly = createPolyAIClient({
      apiKey: KEY,
      baseUrl: "https://api.example.test",
      fetch: odd,
      maxRetries: 0,
    });
    expect(await rejection(poly.connectors.list(AGENT))).toBeInstanceOf(APIConnectionError);
  });

  it("logs and the mock's records hide any header named like a credential", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    const mock = await createMockPolyAI({ apiKey: KEY });
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

describe("the key passed where another value belongs", () => {
  const SWAPPED = "sk_live_swapped_0123456789";

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
});

describe("fourth review", () => {
  const ID_KEY = "sk_live_fourth_0123456789";

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

  it("the mock refuses list options that are not arrays of strings", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    await expect(createMockPolyAI({ allowedProjects: "PROJECT-X" } as never)).rejects.toThrow(
      'allowedProjects must be an array of strings, got "PROJECT-X"',
    );
    await expect(createMockPolyAI({ unavailableVoices: 5 } as never)).rejects.toThrow(
      "unavailableVoices must be an array of strings, got 5",
    );
    await expect(createMockPolyAI({ onSpecViolation: "x" } as never)).rejects.toThrow(
      "onSpecViolation must be a function",
    );
  });
});
