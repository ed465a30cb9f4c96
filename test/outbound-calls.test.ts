// #23: placing an outbound call on the wire (a recording server on 127.0.0.1): the
// trigger's retry rule (never where the call may have been placed), the checks made
// before anything is sent, and createAndWait.
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import type { ServerResponse } from "node:http";
import { describe, expect, it } from "vitest";
import {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  CallOutcomeUnknownError,
  CallWaitError,
  CallWaitTimeoutError,
  InternalServerError,
  InvalidInputError,
  RateLimitError,
  createPolyAIClient,
  type ClientOptions,
  type OutboundCallRequest,
} from "../src/index.js";
import { AGENT, KEY, json, rejection, serve } from "./support/loopback.js";

const SID = "OUT-550e8400-e29b-41d4-a716-446655440000";
const CALL: OutboundCallRequest = { toNumber: "+442079460000", environment: "live" };
function client(baseUrl: string, options: ClientOptions = {}) {
  return createPolyAIClient({
    apiKey: KEY,
    baseUrl,
    timeoutMs: 30_000, // a hang guard; the timeout tests set their own
    backoff: { initialMs: 1, maxMs: 1 },
    ...options,
  });
}

/** A server that answers the trigger with `statuses` in turn (then 200), and counts calls placed. */
async function trigger(statuses: readonly number[]) {
  let placed = 0;
  const server = await serve((req, res) => {
    const status = statuses[server.seen.length - 1] ?? 200;
    if (status === 200) {
      placed++;
      json(res, 200, { callSid: SID, status: "QUEUED" });
      return;
    }
    const headers: Record<string, string> = status === 429 ? { "retry-after": "0" } : {};
    json(res, status, envelope(status), headers);
  });
  return { ...server, placed: () => placed };
}

function envelope(status: number) {
  return {
    success: false,
    error: "fault",
    error_id: "e-1",
    error_code: "INTERNAL_SERVER_ERROR",
    error_message: `injected ${status}`,
    data: null,
  };
}

/** A port nothing listens on: bound, then closed. */
async function closedPort(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describe("the trigger is retried only where the call was certainly not placed", () => {
  it("a 502 then 200 places one call, in two attempts", async () => {
    const server = await trigger([502]);
    const { data, attempts } = await client(server.url)
      .outboundCalls.create(AGENT, CALL)
      .withResponse();
    expect(data).toEqual({ callSid: SID, status: "QUEUED" });
    expect(attempts).toBe(2);
    expect(server.placed()).toBe(1);
  });

  it.each([[429], [502], [503]])("%i is retried, and only one call is placed", async (status) => {
    const server = await trigger([status, status]);
    const { attempts } = await client(server.url)
      .outboundCalls.create(AGENT, CALL, { maxRetries: 5 })
      .withResponse();
    expect(attempts).toBe(3);
    expect(server.seen).toHaveLength(3);
    expect(server.placed()).toBe(1);
  });

  it("a 503 on every attempt ends in the ordinary error after maxRetries: the call was not placed", async () => {
    const server = await trigger([503, 503, 503, 503]);
    const err = await rejection(
      client(server.url, { maxRetries: 2 }).outboundCalls.create(AGENT, CALL),
    );
    expect(err).toBeInstanceOf(InternalServerError);
    expect(err).not.toBeInstanceOf(CallOutcomeUnknownError);
    expect(server.seen).toHaveLength(3);
  });

  it("a 429 beyond the retries is a RateLimitError, not an unknown outcome", async () => {
    const server = await trigger([429, 429]);
    const err = await rejection(
      client(server.url, { maxRetries: 1 }).outboundCalls.create(AGENT, CALL),
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect(server.seen).toHaveLength(2);
  });

  it.each([[500], [504], [408]])(
    "%i is never retried, even with maxRetries 5, and throws CALL_OUTCOME_UNKNOWN",
    async (status) => {
      const server = await trigger([status]);
      const poly = client(server.url, { maxRetries: 5 });
      const { correlationId, err } = await poly.outboundCalls
        .create(AGENT, CALL, { maxRetries: 5 })
        .withResponse()
        .then(
          () => ({ correlationId: undefined, err: undefined }),
          (e: CallOutcomeUnknownError) => ({ correlationId: e.correlationId, err: e }),
        );
      expect(err).toBeInstanceOf(CallOutcomeUnknownError);
      expect(err?.code).toBe("CALL_OUTCOME_UNKNOWN");
      expect(err?.status).toBe(status);
      expect(err?.message).toContain("may have been placed");
      expect(err?.cause).toBeInstanceOf(Error);
      expect(server.seen).toHaveLength(1);
      // The ID the request carried, which PolyAI's logs know it by.
      expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(err?.message).toContain(correlationId);
    },
  );

  it("a reset after a retried 503 says which attempt may have placed the call", async () => {
    const server = await serve((req, res) => {
      if (server.seen.length === 1) return json(res, 503, envelope(503));
      req.socket.destroy();
    });
    const err = await rejection(client(server.url).outboundCalls.create(AGENT, CALL));
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as CallOutcomeUnknownError).attempts).toBe(2);
    expect((err as Error).message).toContain("(attempt 2; those before it were refused, unplaced)");
    expect(server.seen).toHaveLength(2);
  });

  it("a reset after the request was sent is never retried and throws CALL_OUTCOME_UNKNOWN", async () => {
    const server = await serve((req) => req.socket.destroy());
    const err = await rejection(
      client(server.url, { maxRetries: 5 }).outboundCalls.create(AGENT, CALL),
    );
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as CallOutcomeUnknownError).cause).toBeInstanceOf(APIConnectionError);
    expect((err as CallOutcomeUnknownError).status).toBeUndefined();
    expect(server.seen).toHaveLength(1);
  });

  it("a timeout after the request was sent is never retried and throws CALL_OUTCOME_UNKNOWN", async () => {
    const held: ServerResponse[] = [];
    const server = await serve((_req, res) => held.push(res)); // never answers
    const err = await rejection(
      client(server.url, { maxRetries: 5, timeoutMs: 50 }).outboundCalls.create(AGENT, CALL),
    );
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as Error).message).toContain("timed out");
    expect(server.seen).toHaveLength(1);
  });

  it("the caller's abort after the request was sent leaves the outcome unknown", async () => {
    const controller = new AbortController();
    const server = await serve(() => controller.abort()); // received, then never answered
    const err = await rejection(
      client(server.url).outboundCalls.create(AGENT, CALL, { signal: controller.signal }),
    );
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as CallOutcomeUnknownError).cause).toBeInstanceOf(APIUserAbortError);
    expect(server.seen).toHaveLength(1);
  });

  it("an abort before sending is a plain abort: nothing was sent", async () => {
    const server = await trigger([]);
    const err = await rejection(
      client(server.url).outboundCalls.create(AGENT, CALL, { signal: AbortSignal.abort() }),
    );
    expect(err).toBeInstanceOf(APIUserAbortError);
    expect(server.seen).toHaveLength(0);
  });

  it("a 200 whose body cannot be read leaves the outcome unknown (no callSid to follow)", async () => {
    const server = await serve((_req, res) => json(res, 200, { status: "QUEUED" }));
    const err = await rejection(client(server.url).outboundCalls.create(AGENT, CALL));
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as Error).message).toContain("callSid");
    expect(server.seen).toHaveLength(1);
  });

  it("a 200 with a callSid but no status is the placed call, read as QUEUED (#24)", async () => {
    // PolyAI requires neither field; refusing this answer would hide the SID of a call
    // that rings.
    const server = await serve((_req, res) => json(res, 200, { callSid: SID }));
    const poly = client(server.url);
    expect(await poly.outboundCalls.create(AGENT, CALL)).toEqual({
      callSid: SID,
      status: "QUEUED",
    });
    expect(server.seen).toHaveLength(1);
  });

  it("a refused connection is retried (nothing was sent), then reported as a connection error", async () => {
    const attempts: number[] = [];
    const poly = client(await closedPort(), {
      maxRetries: 3,
      onRetry: (event) => attempts.push(event.attempt),
    });
    const err = await rejection(poly.outboundCalls.create(AGENT, CALL));
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(err).not.toBeInstanceOf(CallOutcomeUnknownError);
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("a resolver that did not answer (EAI_AGAIN) is retried; a reset in a custom fetch is not", async () => {
    const coded = (code: string) =>
      Object.assign(new TypeError("fetch failed"), {
        cause: Object.assign(new Error(code), { code }),
      });
    for (const [code, calls, unknown] of [
      ["EAI_AGAIN", 3, false],
      ["ECONNRESET", 1, true],
    ] as const) {
      let n = 0;
      const poly = client("https://api.example.invalid", {
        maxRetries: 2,
        fetch: async () => {
          n++;
          throw coded(code);
        },
      });
      const err = await rejection(poly.outboundCalls.create(AGENT, CALL));
      expect(n, code).toBe(calls);
      expect(err instanceof CallOutcomeUnknownError, code).toBe(unknown);
    }
  });

  it("poly.raw follows the same rule: a 500 to the trigger is not retried", async () => {
    const server = await trigger([500]);
    const { response } = await client(server.url, { maxRetries: 5 }).raw.POST(
      "/v1/agents/{agentId}/telephony/outbound-calls",
      { params: { path: { agentId: AGENT } }, body: CALL },
    );
    expect(response.status).toBe(500);
    expect(server.seen).toHaveLength(1);
  });

  it("a reset wrapped around a refusal (or the reverse) is not taken for a refusal: not retried", async () => {
    // A fetch wrapper may retry on its own and throw its last failure with an earlier
    // one beside it: any code in the chain that is not "nothing sent" leaves the outcome unknown.
    const coded = (code: string, cause?: unknown) =>
      Object.assign(new Error(`failed: ${code}`, { cause }), { code });
    for (const thrown of [
      coded("ECONNRESET", coded("ECONNREFUSED")),
      coded("ECONNREFUSED", coded("UND_ERR_SOCKET")),
    ]) {
      let n = 0;
      const poly = client("https://api.example.invalid", {
        maxRetries: 3,
        fetch: async () => {
          n++;
          throw thrown;
        },
      });
      const err = await rejection(poly.outboundCalls.create(AGENT, CALL));
      expect(err, thrown.code).toBeInstanceOf(CallOutcomeUnknownError);
      expect(n, thrown.code).toBe(1);
    }
  });

  it.each([
    ["a trailing slash", "/v1/agents/{agentId}/telephony/outbound-calls/"],
    ["a doubled slash", "/v1/agents/{agentId}/telephony//outbound-calls"],
    ["capitals", "/v1/agents/{agentId}/telephony/Outbound-Calls"],
    ["a letter percent-encoded", "/v1/agents/{agentId}/telephony/%6Futbound-calls"],
    ["a hyphen percent-encoded", "/v1/agents/{agentId}/telephony/outbound%2Dcalls"],
    ["a ;param (Java servers drop it)", "/v1/agents/{agentId}/telephony/outbound-calls;x=1"],
    ["a ;param mid-path", "/v1/agents/{agentId}/telephony;v=2/outbound-calls"],
  ])("poly.raw posts to the trigger written with %s follow the same rule", async (_, path) => {
    // Servers commonly route these to the same handler (nginx merges slashes), so they ring too.
    const server = await trigger([500]);
    const { response } = await client(server.url, { maxRetries: 5 }).raw.POST(
      path as never,
      {
        params: { path: { agentId: AGENT } },
        body: CALL,
      } as never,
    );
    expect(response.status).toBe(500);
    expect(server.seen).toHaveLength(1);
  });

  it.each([307, 308])(
    "a %i redirect of the trigger is not followed: the trigger reaches the server once",
    async (status) => {
      const server = await serve((req, res) => {
        res.writeHead(status, { location: req.url ?? "/" });
        res.end();
      });
      const err = await rejection(
        client(server.url, { maxRetries: 5 }).outboundCalls.create(AGENT, CALL),
      );
      expect((err as APIError).code).toBe("REDIRECT_REFUSED");
      expect((err as Error).message).toContain("must not be sent twice");
      expect(server.seen).toHaveLength(1);
    },
  );

  it("a custom fetch that answers with something that is no Response leaves the outcome unknown", async () => {
    let n = 0;
    const poly = client("https://api.example.invalid", {
      maxRetries: 3,
      fetch: (async () => {
        n++;
        return { status: 200 }; // a polyfill's answer, say: no headers, no body
      }) as unknown as typeof fetch,
    });
    const err = await rejection(poly.outboundCalls.create(AGENT, CALL));
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as Error).message).toContain("the answer could not be read");
    expect(n).toBe(1);
  });

  it("with middleware that rebuilds the answer, a 500 still carries the request and its correlation ID", async () => {
    const server = await trigger([500]);
    const poly = client(server.url);
    poly.raw.use({ onResponse: ({ response }) => new Response(response.body, response) });
    const err = await rejection(poly.outboundCalls.create(AGENT, CALL));
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    const { correlationId, request } = err as CallOutcomeUnknownError;
    expect(correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(request?.method).toBe("POST");
    expect((err as Error).message).toContain(`correlation id ${correlationId}`);
    expect(server.seen).toHaveLength(1);
  });

  it("the status read is an ordinary read: a 500 is retried", async () => {
    const statuses = [500, 200];
    const server = await serve((_req, res) => {
      const status = statuses[server.seen.length - 1] ?? 200;
      if (status === 200) json(res, 200, { callSid: SID, status: "CALLING", reason: "" });
      else json(res, status, envelope(status));
    });
    const status = await client(server.url).outboundCalls.get(AGENT, SID, { environment: "live" });
    expect(status.status).toBe("CALLING");
    expect(server.seen).toHaveLength(2);
    expect(server.seen[1]?.url).toBe(
      `/v1/agents/${AGENT}/telephony/outbound-calls/${SID}/status?environment=live`,
    );
  });
});

describe("what is sent", () => {
  it("the body as given, nothing added: the server applies its defaults", async () => {
    const server = await trigger([]);
    const call: OutboundCallRequest = {
      toNumber: "020 7946 0000",
      countryCode: "GB",
      environment: "sandbox",
      variantId: "VARIANT-reminders",
      metadata: { customer_name: "Paul Smith", note: "ünïcode" },
    };
    await client(server.url).outboundCalls.create(AGENT, call);
    expect(server.seen[0]?.method).toBe("POST");
    expect(server.seen[0]?.url).toBe(`/v1/agents/${AGENT}/telephony/outbound-calls`);
    expect(JSON.parse(server.seen[0]?.body ?? "")).toEqual(call);
  });

  it("a metadata key named __proto__ is sent as a key, not taken as a prototype", async () => {
    const server = await trigger([]);
    // JSON.parse makes "__proto__" an own key, as a CSV header or a JSON-lines row does.
    const metadata = JSON.parse('{"__proto__":"x","constructor":"y","a":"b"}') as Record<
      string,
      string
    >;
    await client(server.url).outboundCalls.create(AGENT, { ...CALL, metadata });
    const sent = JSON.parse(server.seen[0]?.body ?? "") as { metadata: object };
    expect(Object.keys(sent.metadata)).toEqual(["__proto__", "constructor", "a"]);
    expect(Object.getPrototypeOf(sent.metadata)).toBe(Object.prototype);
  });

  it("a status answer about another call is refused", async () => {
    const server = await serve((_req, res) =>
      json(res, 200, { callSid: "OUT-other", status: "SUCCESS", reason: "" }),
    );
    await expect(
      client(server.url).outboundCalls.get(AGENT, SID, { environment: "live" }),
    ).rejects.toThrow(/it is call "OUT-other", not the requested/);
  });
});

/** A client whose fetch only counts the requests it is handed. */
function counting() {
  let sent = 0;
  const poly = client("https://api.example.invalid", {
    fetch: async () => {
      sent++;
      return new Response("{}");
    },
  });
  return { poly, sent: () => sent };
}

describe("bad input is refused before anything is sent", () => {
  // {"a":"…"} is 8 bytes and the string: 19,508 bytes, whose base64 is 26,012.
  const big = "x".repeat(19_500);
  it.each([
    [
      "a national number without countryCode",
      { toNumber: "020 7946 0000" },
      "toNumber",
      /E\.164.*or set countryCode/,
    ],
    ["a number that is not one", { toNumber: "call me" }, "toNumber", /phone number to dial/],
    [
      "a lower-case country code",
      { toNumber: "02079460000", countryCode: "gb" },
      "countryCode",
      /two capital letters/,
    ],
    [
      "a three-letter country code",
      { toNumber: "02079460000", countryCode: "GBR" },
      "countryCode",
      /limit is 2/,
    ],
    [
      "a near-miss environment",
      { environment: "prerelease" },
      "environment",
      /did you mean "pre-release"\?/,
    ],
    ["an upper-case environment", { environment: "LIVE" }, "environment", /did you mean "live"\?/],
    // One typo: a letter left out, two swapped, one added.
    ["a letter left out", { environment: "sanbox" }, "environment", /did you mean "sandbox"\?/],
    ["two letters swapped", { environment: "lvie" }, "environment", /did you mean "live"\?/],
    [
      "a letter added",
      { environment: "pre-releasee" },
      "environment",
      /did you mean "pre-release"\?/,
    ],
    [
      "an unknown environment",
      { environment: "staging" },
      "environment",
      /is not one of sandbox, pre-release, live$/,
    ],
    // Other words, not typos: nothing points at live, which rings real people.
    ...["dive", "love", "olive"].map((environment): [string, object, string, RegExp] => [
      `a word that is not a typo of live (${environment})`,
      { environment },
      "environment",
      /is not one of sandbox, pre-release, live$/,
    ]),
    [
      "a number in metadata",
      { metadata: { attempt: 3 } },
      "metadata.attempt",
      /expected a string, got a number/,
    ],
    [
      "nested metadata",
      { metadata: { customer: { name: "Paul" } } },
      "metadata.customer",
      /expected a string/,
    ],
    ["metadata that is a list", { metadata: ["a"] }, "metadata", /expected a plain object/],
    [
      "metadata too large",
      { metadata: { a: big } },
      "metadata",
      /base64 \(of its JSON text\) is 26,012 bytes; PolyAI accepts under 26,000 bytes/,
    ],
    ["a misspelt key", { countrycode: "GB" }, "countrycode", /did you mean "countryCode"\?/],
    ["an empty variant", { variantId: "" }, "variantId", /must not be empty/],
  ] as const)("%s", async (_label, change, field, message) => {
    const { poly, sent } = counting();
    const body = { ...CALL, ...change } as unknown as OutboundCallRequest;
    for (const run of [
      () => poly.outboundCalls.create(AGENT, body),
      () => poly.outboundCalls.createAndWait(AGENT, body),
    ]) {
      const err = await rejection(run());
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).field).toBe(field);
      expect((err as InvalidInputError).reason).toMatch(message);
    }
    expect(sent()).toBe(0);
  });

  it("metadata just under the limit is sent", async () => {
    const server = await trigger([]);
    // {"a":"…"} of 19,497 bytes, whose base64 is 25,996; 3 bytes more would make it 26,000.
    await client(server.url).outboundCalls.create(AGENT, {
      ...CALL,
      metadata: { a: "x".repeat(19_489) },
    });
    expect(server.placed()).toBe(1);
  });

  it.each([
    [
      "a call SID without OUT-",
      ["CA3f9e", { environment: "live" }],
      "callSid",
      /not a valid call SID/,
    ],
    ["no environment", [SID, {}], "query.environment", /is required/],
    ["no query at all", [SID], "query", /is required: pass \{ environment \}/],
    [
      "a near-miss environment",
      [SID, { environment: "Sandbox" }],
      "query.environment",
      /did you mean "sandbox"/,
    ],
  ] as const)("get: %s", async (_label, args, field, message) => {
    const { poly, sent } = counting();
    const get = poly.outboundCalls.get as (...a: unknown[]) => Promise<unknown>;
    const err = await rejection(get(AGENT, ...args));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).field).toBe(field);
    expect((err as InvalidInputError).reason).toMatch(message);
    expect(sent()).toBe(0);
  });

  it.each([
    [{ pollIntervalMs: 0 }, "options.pollIntervalMs"],
    [{ timeoutMs: -1 }, "options.timeoutMs"],
    [{ timeout: 5 }, "options.timeout"],
    [{ signal: "stop" }, "options.signal"],
    [{ onPlaced: true }, "options.onPlaced"],
  ])("createAndWait refuses %o before placing the call", async (options, field) => {
    const server = await trigger([]);
    const wait = client(server.url).outboundCalls.createAndWait as (
      ...a: unknown[]
    ) => Promise<unknown>;
    const err = await rejection(wait(AGENT, CALL, options));
    expect((err as InvalidInputError).field).toBe(field);
    expect(server.seen).toHaveLength(0);
  });

  it.each([
    ["createAndWait", { timeout: 5 }, "timeoutMs"],
    ["createAndWait", { pollInterval: 5 }, "pollIntervalMs"],
    ["create", { timeout: 5 }, "timeoutMs"],
  ] as const)(
    "%s names the option a key without its unit stands for: %o",
    async (method, options, meant) => {
      // docs/outbound-calls.md promises "did you mean" for `options.timeout`.
      const { poly, sent } = counting();
      const call = poly.outboundCalls[method] as (...a: unknown[]) => Promise<unknown>;
      const err = await rejection(call(AGENT, CALL, options));
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).reason).toContain(`did you mean "${meant}"?`);
      expect(sent()).toBe(0);
    },
  );
});

describe("createAndWait", () => {
  /** Answers the trigger with QUEUED, then each status read with the next of `states`. */
  async function call(states: readonly string[], onRead?: (n: number) => void) {
    let reads = 0;
    const server = await serve((req, res) => {
      if (req.method === "POST") return json(res, 200, { callSid: SID, status: "QUEUED" });
      reads++;
      onRead?.(reads);
      const status = states[Math.min(reads, states.length) - 1];
      json(res, 200, { callSid: SID, status, reason: status === "FAILURE" ? "busy" : "" });
    });
    const posts = () => server.seen.filter((r) => r.method === "POST").length;
    return { ...server, posts, reads: () => reads };
  }

  it("places the call once and reads until it ends, returning the last status", async () => {
    const server = await call(["QUEUED", "CALLING", "CALLING", "SUCCESS"]);
    const placed: string[] = [];
    const final = await client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
      pollIntervalMs: 1,
      onPlaced: (c) => placed.push(c.callSid),
    });
    expect(final).toEqual({ callSid: SID, status: "SUCCESS", reason: "" });
    expect(placed).toEqual([SID]);
    expect(server.posts()).toBe(1);
    expect(server.reads()).toBe(4);
    expect(server.seen[1]?.url).toContain("?environment=live");
  });

  it("returns a FAILURE with its reason", async () => {
    const server = await call(["CALLING", "FAILURE"]);
    const final = await client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
      pollIntervalMs: 1,
    });
    expect(final).toEqual({ callSid: SID, status: "FAILURE", reason: "busy" });
  });

  it("a failed read is retried as a read; the call is never placed again", async () => {
    let failed = false;
    const server = await serve((req, res) => {
      if (req.method === "POST") return json(res, 200, { callSid: SID, status: "QUEUED" });
      if (!failed) {
        failed = true;
        return json(res, 502, envelope(502));
      }
      json(res, 200, { callSid: SID, status: "SUCCESS", reason: "" });
    });
    const final = await client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
      pollIntervalMs: 1,
    });
    expect(final.status).toBe("SUCCESS");
    expect(server.seen.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);
  });

  it("abort during a pause stops at once: no further read; the error says the call was placed", async () => {
    const controller = new AbortController();
    const server = await call(["CALLING"]);
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
        signal: controller.signal,
        pollIntervalMs: 600_000, // the first read would come long after the test ended
        onPlaced: () => controller.abort(),
      }),
    );
    expect(err).toBeInstanceOf(CallWaitError);
    expect((err as CallWaitError).cause).toBeInstanceOf(APIUserAbortError);
    expect((err as CallWaitError).callSid).toBe(SID);
    expect(server.posts()).toBe(1);
    expect(server.reads()).toBe(0);
  });

  it("abort during a read stops at once: no further read; the error says the call was placed", async () => {
    const controller = new AbortController();
    const server = await call(["CALLING"], (n) => n === 2 && controller.abort());
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
        signal: controller.signal,
        pollIntervalMs: 1,
      }),
    );
    expect(err).toBeInstanceOf(CallWaitError);
    expect((err as CallWaitError).cause).toBeInstanceOf(APIUserAbortError);
    expect(server.posts()).toBe(1);
    expect(server.reads()).toBe(2);
  });

  it("a call that does not end within timeoutMs throws CallWaitTimeoutError carrying its callSid", async () => {
    const server = await call(["CALLING"]); // never ends
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
        pollIntervalMs: 1,
        timeoutMs: 30,
      }),
    );
    expect(err).toBeInstanceOf(CallWaitTimeoutError);
    expect((err as CallWaitTimeoutError).callSid).toBe(SID);
    expect((err as CallWaitTimeoutError).code).toBe("CALL_WAIT_TIMEOUT");
    expect(err).toBeInstanceOf(CallWaitError); // the call was placed, then not followed to its end
    expect((err as Error).message).toContain("the call was placed");
    expect(server.posts()).toBe(1);
  });

  it.each([
    ["a 404 once the status expired", 404, { callSid: SID, status: "CALLING", reason: "" }],
    ["a 401 after the key was revoked", 401, { callSid: SID, status: "CALLING", reason: "" }],
    ["a 400 to the read", 400, { callSid: SID, status: "CALLING", reason: "" }],
  ])(
    "%s mid-wait says the call was placed (CallWaitError with its callSid), never a bare refusal",
    async (_, status, first) => {
      // A bare NotFoundError or BadRequestError reads like the trigger's own refusals
      // (no connector, a bad number), after which placing the call again is right.
      const server = await serve((req, res) => {
        if (req.method === "POST") return json(res, 200, { callSid: SID, status: "QUEUED" });
        if (server.seen.length === 2) return json(res, 200, first);
        json(res, status, envelope(status));
      });
      const err = await rejection(
        client(server.url).outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 }),
      );
      expect(err).toBeInstanceOf(CallWaitError);
      expect((err as CallWaitError).code).toBe("CALL_WAIT_FAILED");
      expect((err as CallWaitError).callSid).toBe(SID);
      expect((err as CallWaitError).lastStatus.status).toBe("CALLING");
      expect(((err as CallWaitError).cause as APIError).status).toBe(status);
      expect((err as Error).message).toContain(`the call was placed (callSid ${SID})`);
      expect(server.seen.map((r) => r.method)).toEqual(["POST", "GET", "GET"]);
    },
  );

  it("a placed call whose SID the status read refuses is a CallWaitError, not an InvalidInputError", async () => {
    // Every InvalidInputError means "nothing was sent"; this call was placed.
    const server = await serve((_req, res) =>
      json(res, 200, { callSid: "CA123", status: "QUEUED" }),
    );
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 }),
    );
    expect(err).toBeInstanceOf(CallWaitError);
    expect(err).not.toBeInstanceOf(InvalidInputError);
    expect((err as CallWaitError).callSid).toBe("CA123");
    expect((err as CallWaitError).cause).toBeInstanceOf(InvalidInputError);
    expect(server.seen).toHaveLength(1);
  });

  it("an onPlaced that throws is a CallWaitError carrying the callSid, and nothing more is sent", async () => {
    const server = await call(["SUCCESS"]);
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, {
        pollIntervalMs: 1,
        onPlaced: () => {
          throw new Error("journal full");
        },
      }),
    );
    expect(err).toBeInstanceOf(CallWaitError);
    expect((err as CallWaitError).callSid).toBe(SID);
    expect(((err as CallWaitError).cause as Error).message).toBe("journal full");
    expect(server.seen).toHaveLength(1);
  });

  it("many waits sharing one signal add no listener to it each (Node warns past 10)", async () => {
    // A campaign waits on many calls with one signal: the wait must hold it as the transport does.
    const server = await call(["CALLING", "SUCCESS"]);
    const shared = new AbortController();
    const added: unknown[] = [];
    const listen = shared.signal.addEventListener.bind(shared.signal);
    shared.signal.addEventListener = ((...args: Parameters<typeof listen>) => {
      added.push(args[0]);
      listen(...args);
    }) as typeof listen;
    const poly = client(server.url);
    const waits = Array.from({ length: 12 }, () =>
      poly.outboundCalls.createAndWait(AGENT, CALL, { signal: shared.signal, pollIntervalMs: 1 }),
    );
    expect((await Promise.all(waits)).every((s) => s.status === "SUCCESS")).toBe(true);
    expect(added).toEqual([]);
  });

  it("a trigger whose outcome is unknown is not waited on: CALL_OUTCOME_UNKNOWN, no read", async () => {
    const server = await trigger([500]);
    const err = await rejection(
      client(server.url).outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 }),
    );
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect(server.seen).toHaveLength(1);
  });
});
