// #23: outbound calls against the local PolyAI: both operations from one book, the
// pace in status reads, per-number outcomes, environments without outbound calling,
// retention on an injected clock, and faults aimed at the trigger, counted at the mock.
import { describe, expect, it } from "vitest";
import {
  BadRequestError,
  CallOutcomeUnknownError,
  NotFoundError,
  createPolyAIClient,
  type OutboundCallRequest,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { sampleConnector } from "./support/fixtures.js";
import { mockPerTest } from "./support/mock-per-test.js";

const AGENT = sampleConnector.projectId;
const CALL: OutboundCallRequest = {
  toNumber: "+442079460000",
  environment: "live",
  metadata: { customer_name: "Paul Smith" },
};
let now = 0;
let mock: MockPolyAI;
const restart = mockPerTest(
  { connectors: [sampleConnector], outbound: { clock: () => now } },
  (m) => {
    mock = m;
    now = 0;
  },
);

function client(maxRetries = 2) {
  return createPolyAIClient({
    apiKey: mock.apiKey,
    baseUrl: mock.url,
    maxRetries,
    backoff: { initialMs: 1, maxMs: 1 },
  });
}

/** The code of what `p` rejects with. */
const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "resolved",
    (e: { code?: string }) => e.code,
  );

describe("placing and following a call", () => {
  it("places the call, lists it, and moves it QUEUED → CALLING → SUCCESS, one step per read", async () => {
    const poly = client();
    const placed = await poly.outboundCalls.create(AGENT, CALL);
    expect(placed).toMatchObject({ status: "QUEUED", callSid: expect.stringMatching(/^OUT-/) });
    expect(mock.outboundCalls).toEqual([
      {
        callSid: placed.callSid,
        agentId: AGENT,
        toNumber: "+442079460000",
        countryCode: undefined,
        environment: "live",
        variantId: undefined,
        encryption: undefined,
        metadata: { customer_name: "Paul Smith" },
        status: "QUEUED",
        reason: "",
      },
    ]);
    const env = { environment: "live" } as const;
    const reads = [];
    for (let i = 0; i < 3; i++)
      reads.push((await poly.outboundCalls.get(AGENT, placed.callSid, env)).status);
    expect(reads).toEqual(["CALLING", "SUCCESS", "SUCCESS"]);
    expect(mock.outboundCalls[0]?.status).toBe("SUCCESS");
  });

  it("createAndWait against the mock: one call, read at the chosen pace until it ends", async () => {
    await restart({ outbound: { readsPerStep: 3 } });
    const final = await client().outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 });
    expect(final).toMatchObject({ status: "SUCCESS", reason: "" });
    expect(mock.outboundCalls).toHaveLength(1);
    const gets = mock.requests.filter((r) => r.method === "GET");
    expect(gets).toHaveLength(6); // 3 reads QUEUED..CALLING, 3 more to the outcome
  });

  it("a number chosen to fail ends in FAILURE with its reason", async () => {
    await restart({
      outbound: { outcomes: { "+442079460001": { status: "FAILURE", reason: "busy" } } },
    });
    const poly = client();
    const failed = await poly.outboundCalls.createAndWait(
      AGENT,
      { ...CALL, toNumber: "+442079460001" },
      { pollIntervalMs: 1 },
    );
    expect(failed).toMatchObject({ status: "FAILURE", reason: "busy" });
    const other = await poly.outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 });
    expect(other.status).toBe("SUCCESS");
    expect(mock.outboundCalls.map((c) => c.status)).toEqual(["FAILURE", "SUCCESS"]);
  });

  it("a national number with its country code is placed as sent", async () => {
    const call = { toNumber: "020 7946 0000", countryCode: "GB", environment: "live" } as const;
    await client().outboundCalls.create(AGENT, call);
    expect(mock.outboundCalls[0]).toMatchObject(call);
  });
});

describe("refusals place no call", () => {
  it("an environment without outbound calling answers 400 OUTBOUND_CALLS_NOT_CONFIGURED, to both operations", async () => {
    await restart({ outbound: { notConfigured: ["pre-release"] } });
    const poly = client();
    const err = await poly.outboundCalls
      .create(AGENT, { ...CALL, environment: "pre-release" })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe("OUTBOUND_CALLS_NOT_CONFIGURED");
    const sid = "OUT-550e8400-e29b-41d4-a716-446655440000";
    expect(await codeOf(poly.outboundCalls.get(AGENT, sid, { environment: "pre-release" }))).toBe(
      "OUTBOUND_CALLS_NOT_CONFIGURED",
    );
    expect(mock.outboundCalls).toEqual([]);
    await poly.outboundCalls.create(AGENT, CALL); // live is set up
    expect(mock.outboundCalls).toHaveLength(1);
  });

  it("a variant without a connector in the environment answers 404 OUTBOUND_CALLS_NO_CONNECTOR", async () => {
    const poly = client();
    const missing = { ...CALL, variantId: "VARIANT-none" };
    expect(await codeOf(poly.outboundCalls.create(AGENT, missing))).toBe(
      "OUTBOUND_CALLS_NO_CONNECTOR",
    );
    const inSandbox = {
      ...CALL,
      environment: "sandbox",
      variantId: sampleConnector.variantId,
    } as const;
    expect(await codeOf(poly.outboundCalls.create(AGENT, inSandbox))).toBe(
      "OUTBOUND_CALLS_NO_CONNECTOR",
    );
    expect(mock.outboundCalls).toEqual([]);
    await poly.outboundCalls.create(AGENT, { ...CALL, variantId: sampleConnector.variantId });
    expect(mock.outboundCalls[0]?.variantId).toBe(sampleConnector.variantId);
  });

  it("an environment where the agent has no connector answers 404 OUTBOUND_CALLS_NO_CONNECTOR, as the spec says", async () => {
    // Only a live connector is seeded: sandbox has no default connector to place the call.
    const inSandbox = { ...CALL, environment: "sandbox" } as const;
    const err = await client()
      .outboundCalls.create(AGENT, inSandbox)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe("OUTBOUND_CALLS_NO_CONNECTOR");
    expect(mock.outboundCalls).toEqual([]);
  });

  it.each([
    [
      "a national number without countryCode",
      "PHONE_NUMBERS_INVALID_PHONE_NUMBER_FORMAT",
      { toNumber: "02079460000" },
    ],
    ["an unknown environment", "OUTBOUND_CALLS_VALIDATION_FAILED", { environment: "staging" }],
    ["a number in metadata", "OUTBOUND_CALLS_VALIDATION_FAILED", { metadata: { n: 1 } }],
    [
      "metadata too large",
      "OUTBOUND_CALLS_METADATA_TOO_LARGE",
      { metadata: { a: "x".repeat(19_500) } },
    ],
    ["an unknown field", "OUTBOUND_CALLS_VALIDATION_FAILED", { countrycode: "GB" }],
  ])("sent raw, %s is answered 400 %s by the mock's own check", async (_label, code, change) => {
    const { error, response } = await client().raw.POST(
      "/v1/agents/{agentId}/telephony/outbound-calls",
      {
        params: { path: { agentId: AGENT } },
        body: { ...CALL, ...change } as OutboundCallRequest,
      },
    );
    expect(response.status).toBe(400);
    expect(error?.error_code).toBe(code);
    expect(mock.outboundCalls).toEqual([]);
  });

  it.each([
    ["a call SID without OUT-", "CA3f9e", "?environment=live", "OUTBOUND_CALLS_INVALID_CALL_SID"],
    ["no environment", "OUT-1", "", "OUTBOUND_CALLS_VALIDATION_FAILED"],
  ])("sent raw, a status read with %s is answered 400", async (_label, sid, query, code) => {
    const res = await fetch(
      `${mock.url}/v1/agents/${AGENT}/telephony/outbound-calls/${sid}/status${query}`,
      {
        headers: { "x-api-key": mock.apiKey },
      },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error_code: string }).error_code).toBe(code);
  });
});

describe("a status is kept for the retention, then answered 404", () => {
  it("unknown, of another environment, or expired after the call ended: 404 OUTBOUND_CALLS_NOT_FOUND", async () => {
    await restart({ outbound: { retentionMs: 1_000, clock: () => now } });
    const poly = client();
    const { callSid } = await poly.outboundCalls.create(AGENT, CALL);
    const live = { environment: "live" } as const;
    expect(await codeOf(poly.outboundCalls.get(AGENT, "OUT-never-issued", live))).toBe(
      "OUTBOUND_CALLS_NOT_FOUND",
    );
    expect(await codeOf(poly.outboundCalls.get(AGENT, callSid, { environment: "sandbox" }))).toBe(
      "OUTBOUND_CALLS_NOT_FOUND",
    );
    now = 10_000; // a call still going does not expire
    await poly.outboundCalls.get(AGENT, callSid, live); // CALLING
    expect((await poly.outboundCalls.get(AGENT, callSid, live)).status).toBe("SUCCESS"); // ended at 10 000
    now = 11_000; // exactly the retention: still kept
    expect((await poly.outboundCalls.get(AGENT, callSid, live)).status).toBe("SUCCESS");
    now = 11_001;
    const err = await poly.outboundCalls.get(AGENT, callSid, live).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe("OUTBOUND_CALLS_NOT_FOUND");
    expect(mock.outboundCalls).toHaveLength(1); // the mock still lists the call it placed
  });
});

describe("a pace in time (stepMs), on the mock's clock", () => {
  it("a call moves one step per stepMs, read or not, and expires from when it ended by time", async () => {
    await restart({ outbound: { stepMs: 500, retentionMs: 1_000, clock: () => now } });
    now = 0;
    const poly = client();
    const { callSid } = await poly.outboundCalls.create(AGENT, CALL);
    const live = { environment: "live" } as const;
    expect(mock.outboundCalls[0]?.status).toBe("QUEUED");
    now = 500;
    expect(mock.outboundCalls[0]?.status).toBe("CALLING"); // by time, not read
    now = 999;
    expect(mock.outboundCalls[0]?.status).toBe("CALLING");
    now = 1_000;
    expect(mock.outboundCalls[0]?.status).toBe("SUCCESS");
    now = 2_000; // ended at 1 000: exactly the retention, still kept
    expect((await poly.outboundCalls.get(AGENT, callSid, live)).status).toBe("SUCCESS");
    now = 2_001;
    expect(await codeOf(poly.outboundCalls.get(AGENT, callSid, live))).toBe(
      "OUTBOUND_CALLS_NOT_FOUND",
    );
  });

  it("reads still move a call on before its time: whichever comes first", async () => {
    await restart({ outbound: { stepMs: 60_000, clock: () => now } });
    now = 0;
    const final = await client().outboundCalls.createAndWait(AGENT, CALL, { pollIntervalMs: 1 });
    expect(final.status).toBe("SUCCESS");
    expect(mock.requests.filter((r) => r.method === "GET")).toHaveLength(2);
  });
});

describe("faults aimed at the trigger, counted at the mock", () => {
  it("an answer lost after the trigger was processed: exactly one call placed, CALL_OUTCOME_UNKNOWN", async () => {
    mock.failNext({ operation: "createOutboundCall", processed: true, reset: true });
    const err = await client(5)
      .outboundCalls.create(AGENT, CALL, { maxRetries: 5 })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CallOutcomeUnknownError);
    expect((err as CallOutcomeUnknownError).code).toBe("CALL_OUTCOME_UNKNOWN");
    expect((err as CallOutcomeUnknownError).correlationId).toBe(
      mock.requests[0]?.headers["x-polyai-correlation-id"],
    );
    expect(mock.outboundCalls).toHaveLength(1);
    expect(mock.requestCount).toBe(1);
  });

  it("a 500 after the call was placed: not retried, one call, CALL_OUTCOME_UNKNOWN", async () => {
    mock.failNext({ operation: "createOutboundCall", processed: true, status: 500 });
    expect(await codeOf(client(5).outboundCalls.create(AGENT, CALL))).toBe("CALL_OUTCOME_UNKNOWN");
    expect(mock.outboundCalls).toHaveLength(1);
    expect(mock.requestCount).toBe(1);
  });

  it("an answer held past the client's timeout after the call was placed: one call, CALL_OUTCOME_UNKNOWN", async () => {
    mock.failNext({ operation: "createOutboundCall", processed: true, delayMs: 600_000 });
    const poly = createPolyAIClient({
      apiKey: mock.apiKey,
      baseUrl: mock.url,
      maxRetries: 5,
      timeoutMs: 50,
    });
    expect(await codeOf(poly.outboundCalls.create(AGENT, CALL))).toBe("CALL_OUTCOME_UNKNOWN");
    expect(mock.outboundCalls).toHaveLength(1);
    expect(mock.requestCount).toBe(1);
  });

  it.each([[504], [500]])(
    "a %i answered before the call was placed is still not retried (the client cannot tell)",
    async (status) => {
      mock.failNext({ operation: "createOutboundCall", status });
      expect(await codeOf(client(5).outboundCalls.create(AGENT, CALL))).toBe(
        "CALL_OUTCOME_UNKNOWN",
      );
      expect(mock.requestCount).toBe(1);
      expect(mock.outboundCalls).toHaveLength(0);
    },
  );

  it("a reset before the trigger was handled is not retried either: the client cannot tell, and no call was placed", async () => {
    mock.failNext({ operation: "createOutboundCall", reset: true });
    expect(await codeOf(client(5).outboundCalls.create(AGENT, CALL))).toBe("CALL_OUTCOME_UNKNOWN");
    expect(mock.requestCount).toBe(1);
    expect(mock.outboundCalls).toHaveLength(0);
  });

  it.each([[502], [503], [429]])("a %i then 200 places one call", async (status) => {
    mock.failNext({ operation: "createOutboundCall", status, times: 2 });
    const { attempts } = await client(5).outboundCalls.create(AGENT, CALL).withResponse();
    expect(attempts).toBe(3);
    expect(mock.outboundCalls).toHaveLength(1);
  });

  it("a reset aimed at the status read is retried as a read and places nothing", async () => {
    const poly = client();
    const { callSid } = await poly.outboundCalls.create(AGENT, CALL);
    mock.failNext({ operation: "getOutboundCallStatus", reset: true });
    expect((await poly.outboundCalls.get(AGENT, callSid, { environment: "live" })).status).toBe(
      "CALLING",
    );
    expect(mock.outboundCalls).toHaveLength(1);
  });
});

describe("the mock's outbound options are checked when it is created", () => {
  it.each([
    [{ notConfigured: ["staging"] }, /notConfigured must list environments/],
    [{ outcomes: { "+1": { status: "BUSY" } } }, /outcomes\["\+1"\]\.status must be/],
    [{ readsPerStep: 0 }, /readsPerStep must be a whole number/],
    [{ retentionMs: -1 }, /retentionMs must be/],
    [{ stepMs: 0 }, /stepMs must be a whole number of at least 1/],
    [{ stepMs: 1.5 }, /stepMs must be a whole number of at least 1/],
    [{ clock: 5 }, /clock must be a function/],
    [{ clock: () => NaN }, /clock must return a finite number of milliseconds, returned NaN/],
    [{ clock: () => "0" }, /clock must return a finite number/],
    [{ pace: 2 }, /"pace" is not an option/],
  ])("%o", async (outbound, message) => {
    await expect(createMockPolyAI({ outbound } as never)).rejects.toThrow(message);
  });

  it("failNext refuses a processed that is not a boolean", () => {
    expect(() => mock.failNext({ processed: "yes" } as never)).toThrow(
      /processed must be a boolean/,
    );
  });
});
