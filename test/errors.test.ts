import type { IncomingMessage, ServerResponse } from "node:http";
import util from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorFromResponse, parseRetryAfter } from "../src/errors.js";
import {
  APIConnectionError,
  APIError,
  AuthenticationError,
  BadRequestError,
  CallOutcomeUnknownError,
  ConflictError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  PolyAIError,
  RateLimitError,
  UnprocessableEntityError,
  createPolyAIClient,
  type PolyAIClient,
} from "../src/index.js";
import { startServer } from "./support/fixtures.js";
// The recording server and the fixture key and IDs of the tests that use it; those
// tests bind its names at the top of their describe blocks (see support/loopback.ts).
import * as loopback from "./support/loopback.js";

const CORRELATION = "8f14e45f-ceea-467f-a0e6-7b5c2f3a9d10";

function envelope(code: string, message: string, errorId = CORRELATION) {
  return {
    success: false,
    error: "Summary",
    error_id: errorId,
    error_code: code,
    error_message: message,
    data: null,
  };
}

describe("errorFromResponse", () => {
  it.each([
    [400, BadRequestError, "CONNECTORS_VALIDATION_FAILED"],
    [401, AuthenticationError, "AUTH_USER_UNAUTHORISED"],
    [403, PermissionDeniedError, "USER_ACCESS_FORBIDDEN"],
    [404, NotFoundError, "CONNECTORS_NOT_FOUND"],
    [409, ConflictError, "CONFLICT"],
    [422, UnprocessableEntityError, "UNPROCESSABLE"],
    [429, RateLimitError, "RATE_LIMITED"],
    [500, InternalServerError, "INTERNAL_SERVER_ERROR"],
    [502, InternalServerError, "INTERNAL_SERVER_ERROR"],
    [503, InternalServerError, "INTERNAL_SERVER_ERROR"],
  ])(
    "%i → %o, with PolyAI's envelope read into code, errorId and message",
    (status, Class, code) => {
      const headers = new Headers({
        "x-polyai-correlation-id": CORRELATION,
        "content-type": "application/json",
      });
      const body = envelope(code, `what went wrong (${status})`);
      const err = errorFromResponse({
        status,
        headers,
        body,
        request: {
          method: "PATCH",
          url: "https://api.us.poly.ai/v1/agents/A/telephony/connectors/C",
        },
      });
      expect(err.constructor).toBe(Class);
      expect(err).toBeInstanceOf(APIError);
      expect(err).toBeInstanceOf(PolyAIError);
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe(Class.name);
      expect(err.status).toBe(status);
      expect(err.code).toBe(code);
      expect(err.errorId).toBe(CORRELATION);
      expect(err.headers).toBe(headers);
      expect(err.body).toBe(body);
      expect(err.attempts).toBe(1);
      expect(err.message).toBe(
        `${status} ${code}: what went wrong (${status}) (PATCH https://api.us.poly.ai/v1/agents/A/telephony/connectors/C) [error_id ${CORRELATION}]`,
      );
    },
  );

  it.each([[405], [408], [410], [412], [415]])(
    "%i, a status without its own class, is a plain APIError",
    (status) => {
      const err = errorFromResponse({
        status,
        headers: new Headers(),
        body: envelope("X", "nope"),
      });
      expect(err.constructor).toBe(APIError);
      expect(err.status).toBe(status);
    },
  );

  it.each([[501], [504]])("%i is an InternalServerError", (status) => {
    expect(errorFromResponse({ status, headers: new Headers(), body: undefined })).toBeInstanceOf(
      InternalServerError,
    );
  });

  it("takes errorId from the body first, then from X-PolyAI-Correlation-Id", () => {
    const headers = new Headers({ "X-PolyAI-Correlation-Id": "from-header" });
    expect(
      errorFromResponse({ status: 404, headers, body: envelope("C", "m", "from-body") }).errorId,
    ).toBe("from-body");
    const { error_id: _, ...withoutId } = envelope("C", "m");
    expect(errorFromResponse({ status: 404, headers, body: withoutId }).errorId).toBe(
      "from-header",
    );
    expect(
      errorFromResponse({ status: 404, headers: new Headers(), body: withoutId }).errorId,
    ).toBeUndefined();
  });

  it("falls back from error_message to error to message", () => {
    const h = new Headers();
    expect(
      errorFromResponse({
        status: 400,
        headers: h,
        body: { error: "Short summary", error_message: "" },
      }).message,
    ).toBe("400: Short summary");
    expect(
      errorFromResponse({ status: 400, headers: h, body: { message: "Generic proxy text" } })
        .message,
    ).toBe("400: Generic proxy text");
  });

  it("describes an HTML page, naming it and quoting the start of it", () => {
    const html = `<!DOCTYPE html>\n<html>\n<head><title>502 Bad Gateway</title></head>\n<body>${"<p>upstream</p>".repeat(200)}</body></html>`;
    const err = errorFromResponse({
      status: 502,
      headers: new Headers({ "x-polyai-correlation-id": "cid-1" }),
      body: html,
    });
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err.code).toBeUndefined();
    expect(err.errorId).toBe("cid-1");
    expect(err.message).toMatch(/^502: an HTML page: ".*502 Bad Gateway/);
    expect(err.message.length).toBeLessThan(300);
    expect(err.body).toBe(html);
  });

  it.each([[undefined], [""], ["  \n "], [null]])("says the body was empty for %j", (body) => {
    expect(errorFromResponse({ status: 503, headers: new Headers(), body }).message).toBe(
      "503: an empty body",
    );
  });

  it("quotes a non-JSON text body", () => {
    expect(
      errorFromResponse({
        status: 503,
        headers: new Headers(),
        body: "upstream connect error or disconnect/reset before headers",
      }).message,
    ).toBe('503: a non-JSON body: "upstream connect error or disconnect/reset before headers"');
  });

  it("gives a RateLimitError the server's Retry-After", () => {
    const limited = errorFromResponse({
      status: 429,
      headers: new Headers({ "retry-after": "3" }),
      body: envelope("RATE_LIMITED", "slow down"),
    });
    expect((limited as RateLimitError).retryAfterMs).toBe(3000);
    const unsaid = errorFromResponse({ status: 429, headers: new Headers(), body: undefined });
    expect((unsaid as RateLimitError).retryAfterMs).toBeUndefined();
  });

  it("says how many attempts were made", () => {
    expect(
      errorFromResponse({ status: 503, headers: new Headers(), body: undefined, attempts: 3 })
        .message,
    ).toBe("503: an empty body after 3 attempts");
  });
});

describe("parseRetryAfter", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");

  it.each([
    ["0", 0],
    ["2", 2000],
    [" 3 ", 3000],
    ["120", 120_000],
    ["1.5", 1500],
  ])("reads delta-seconds %j as %i ms", (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it("reads an HTTP date as the time until then", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60_000);
  });

  it("reads a date in the past as 0", () => {
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(0);
  });

  it.each([
    [null],
    [""],
    ["soon"],
    ["tomorrow"],
    ["-1"],
    ["1e3"],
    ["0x10"],
    ["5 seconds"],
    ["NaN"],
    ["Infinity"],
    ["2s"],
  ])("gives undefined for %j, never 'retry now'", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });

  it.each([["Retry 2"], ["later 5"], ["a 1"], ["Mon 99"]])(
    "gives undefined for the garbage %j",
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );
});

describe("errors of the client, from a server on 127.0.0.1", () => {
  let server: { url: string; close: () => Promise<void> };
  let poly: PolyAIClient;

  beforeAll(async () => {
    server = await startServer((req: IncomingMessage, res: ServerResponse) => {
      const [, , , , , , id] = (req.url ?? "").split("/");
      if (id === "html") {
        res.writeHead(502, { "content-type": "text/html" });
        res.end(
          "<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>",
        );
      } else if (id === "empty") {
        res.writeHead(503, { "x-polyai-correlation-id": "cid-503" });
        res.end();
      } else {
        res.writeHead(404, {
          "content-type": "application/json",
          "x-polyai-correlation-id": CORRELATION,
        });
        res.end(JSON.stringify(envelope("CONNECTORS_NOT_FOUND", `Connector ${id} not found`)));
      }
    });
    poly = createPolyAIClient({ apiKey: "sk-test-key", baseUrl: server.url, maxRetries: 0 });
  });
  afterAll(() => server.close());

  it("turns PolyAI's 404 envelope into a NotFoundError that names the request", async () => {
    const err = await poly.connectors.get("PROJECT-1", "CONN-x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    const e = err as NotFoundError;
    expect(e.code).toBe("CONNECTORS_NOT_FOUND");
    expect(e.errorId).toBe(CORRELATION);
    expect(e.headers.get("x-polyai-correlation-id")).toBe(CORRELATION);
    expect(e.message).toBe(
      `404 CONNECTORS_NOT_FOUND: Connector CONN-x not found (GET ${server.url}/v1/agents/PROJECT-1/telephony/connectors/CONN-x) [error_id ${CORRELATION}]`,
    );
  });

  it("says a proxy answered with an HTML page", async () => {
    const err = await poly.connectors.get("PROJECT-1", "html").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as Error).message).toMatch(/^502: an HTML page: ".*502 Bad Gateway.*" \(GET /);
  });

  it("says the body was empty, and still gives the correlation id", async () => {
    const err = await poly.connectors.get("PROJECT-1", "empty").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as Error).message).toMatch(/^503: an empty body \(GET .*\) \[error_id cid-503\]$/);
  });
});

describe("the API key never shows", () => {
  const KEY = "sk-secret-123";

  it("in util.inspect or JSON.stringify of the client", () => {
    const poly = createPolyAIClient({ apiKey: KEY, region: "eu" });
    for (const text of [
      util.inspect(poly),
      util.inspect(poly, { depth: null, showHidden: true }),
      util.inspect(poly, { depth: null, showHidden: true, customInspect: false, getters: true }),
      JSON.stringify(poly),
      String(poly),
    ]) {
      expect(text).not.toContain(KEY);
    }
    expect(JSON.parse(JSON.stringify(poly))).toEqual({
      baseUrl: "https://api.eu.poly.ai",
      region: "eu",
    });
  });

  describe("in errors from a 401 whose body echoes the request's headers", () => {
    let server: { url: string; close: () => Promise<void> };
    const keysSeen: string[] = [];

    beforeAll(async () => {
      server = await startServer((req, res) => {
        const key = String(req.headers["x-api-key"]);
        keysSeen.push(key);
        if (req.url?.includes("/text")) {
          res.writeHead(401, { "content-type": "text/plain" });
          res.end(`invalid key ${key}\n${JSON.stringify(req.headers)}`);
          return;
        }
        res.writeHead(401, {
          "content-type": "application/json",
          "x-polyai-correlation-id": CORRELATION,
        });
        res.end(
          JSON.stringify({
            ...envelope("AUTH_USER_UNAUTHORISED", `invalid key ${key}`),
            error: `key ${key} rejected`,
            echo: req.headers,
          }),
        );
      });
    });
    afterAll(() => server.close());

    function leaks(err: unknown, key: string): string[] {
      const e = err as APIError;
      const views = {
        message: e.message,
        string: String(e),
        stack: e.stack ?? "",
        inspect: util.inspect(e, { depth: null, showHidden: true }),
        json: JSON.stringify(e),
        body: JSON.stringify(e.body) ?? "",
      };
      return Object.entries(views)
        .filter(([, text]) => text.includes(key) || text.includes(JSON.stringify(key).slice(1, -1)))
        .map(([view]) => view);
    }

    function calls(poly: PolyAIClient): [string, () => Promise<unknown>][] {
      return [
        ["list", () => poly.connectors.list("PROJECT-1")],
        ["get", () => poly.connectors.get("PROJECT-1", "CONN-1")],
        ["get (text body)", () => poly.connectors.get("PROJECT-1", "text")],
        [
          "update",
          () => poly.connectors.update("PROJECT-1", "CONN-1", { voiceName: "en-GB-Neural2-A" }),
        ],
        [
          "update dryRun",
          () =>
            poly.connectors.update(
              "PROJECT-1",
              "CONN-1",
              { voiceName: "en-GB-Neural2-A" },
              { dryRun: true },
            ),
        ],
        ["delete", () => poly.connectors.delete("PROJECT-1", "CONN-1")],
        ["batchGet", () => poly.connectors.batchGet("PROJECT-1", ["CONN-1"])],
        [
          "batchUpdate",
          () =>
            poly.connectors.batchUpdate("PROJECT-1", [{ connectorId: "CONN-1", variantId: null }]),
        ],
        ["lookup", () => poly.connectors.lookup("PROJECT-1", "+14155550123")],
      ];
    }

    it("for every method", async () => {
      const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
      keysSeen.length = 0;
      for (const [name, call] of calls(poly)) {
        const err = await call().then(
          () => new Error(`${name} resolved`),
          (e: unknown) => e,
        );
        expect(err, name).toBeInstanceOf(AuthenticationError);
        expect(leaks(err, KEY), name).toEqual([]);
      }
      // The server did get the key, and echoed it: the redaction is what kept it out.
      expect(keysSeen).toHaveLength(9);
      expect(new Set(keysSeen)).toEqual(new Set([KEY]));
    });

    it("keeps the rest of the message readable", async () => {
      const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url, maxRetries: 0 });
      const err = (await poly.connectors
        .get("PROJECT-1", "CONN-1")
        .catch((e: unknown) => e)) as AuthenticationError;
      expect(err.code).toBe("AUTH_USER_UNAUTHORISED");
      expect(err.errorId).toBe(CORRELATION);
      expect(err.message).toMatch(/^401 AUTH_USER_UNAUTHORISED: invalid key \[redacted\] \(GET /);
    });

    it("also for a key that contains a double quote", async () => {
      const key = 'sk-"quoted"-123';
      const poly = createPolyAIClient({ apiKey: key, baseUrl: server.url, maxRetries: 0 });
      const err = await poly.connectors.get("PROJECT-1", "CONN-1").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AuthenticationError);
      expect(leaks(err, key)).toEqual([]);
    });
  });
});

describe("errors in structured logs", () => {
  it("JSON.stringify shows the message, the fields and the headers", () => {
    const err = errorFromResponse({
      status: 404,
      headers: new Headers({ "x-polyai-correlation-id": CORRELATION }),
      body: envelope("CONNECTORS_NOT_FOUND", "Connector CONN-x not found"),
      request: { method: "GET", url: "https://api.us.poly.ai/v1/x" },
    });
    const logged = JSON.parse(JSON.stringify(err)) as Record<string, unknown>;
    expect(logged).toMatchObject({
      name: "NotFoundError",
      message: expect.stringContaining("Connector CONN-x not found"),
      status: 404,
      code: "CONNECTORS_NOT_FOUND",
      errorId: CORRELATION,
      headers: { "x-polyai-correlation-id": CORRELATION },
      request: { method: "GET", url: "https://api.us.poly.ai/v1/x" },
    });
  });

  it("an aborted call's error names the request", async () => {
    const server = await startServer(() => {}); // never answers
    try {
      const poly = createPolyAIClient({ apiKey: "sk-abort", baseUrl: server.url });
      const controller = new AbortController();
      const pending = poly.connectors.list("PROJECT-1", { signal: controller.signal });
      setTimeout(() => controller.abort(), 20);
      const err = await pending.catch((e: unknown) => e);
      expect((err as Error).name).toBe("APIUserAbortError");
      expect((err as { request?: unknown }).request).toEqual({
        method: "GET",
        url: `${server.url}/v1/agents/PROJECT-1/telephony/connectors`,
        correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
    } finally {
      await server.close();
    }
  });
});

describe("answers and failures of an odd shape are still typed errors", () => {
  const { KEY, AGENT, serve, rejection } = loopback;

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
});

describe("RateLimitError with a long Retry-After", () => {
  const { KEY, AGENT, serve, rejection } = loopback;

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
});

describe("CallOutcomeUnknownError", () => {
  it("takes its status from an APIError cause unless one is given, and has none without an answer", () => {
    const cause = errorFromResponse({ status: 504, headers: new Headers(), body: undefined });
    expect(new CallOutcomeUnknownError(cause, {}).status).toBe(504);
    expect(new CallOutcomeUnknownError(cause, { status: 500 }).status).toBe(500);
    const lost = new APIConnectionError("connection failed: reset");
    expect(new CallOutcomeUnknownError(lost, {}).status).toBeUndefined();
  });
});
