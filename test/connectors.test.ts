// Every operation through the SDK against the local PolyAI: its success, and each
// error response the spec documents for it, arriving as the right typed error.
// The statuses come from the bundled spec, so a response added to the spec
// without a case here fails the coverage test.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import bundled from "../generated/openapi.json" with { type: "json" };
import {
  APIError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  createPolyAIClient,
  type PolyAIClient,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "../src/testing/index.js";

const KEY = "test-key";
const AGENT = "PROJECT-58RP822I";
const base = {
  accountId: "ws-fd112d8f",
  projectId: AGENT,
  clientEnv: "live",
  variantId: "VARIANT-a",
  asrLangCode: "en-US",
  ttsLangCode: "en-US",
  voiceName: "en-US-Neural2-A",
  disableHandoff: false,
} as const;
const seed: SeedConnector[] = [
  { ...base, connectorId: "CONN-1", name: "One", phoneNumbers: ["+14155550123"] },
  { ...base, connectorId: "CONN-2", name: "Two", phoneNumbers: ["+14155550124"] },
  { ...base, connectorId: "CONN-3", name: "Three" },
];

type Op =
  | "listConnectors"
  | "getConnector"
  | "updateConnector"
  | "deleteConnector"
  | "batchGetConnectors"
  | "batchUpdateConnectors"
  | "lookupConnector";

let mock: MockPolyAI;
let poly: PolyAIClient;
let wrongKey: PolyAIClient;

// Each operation, called the way a user would, with valid input.
const call: Record<Op, (p: PolyAIClient) => Promise<unknown>> = {
  listConnectors: (p) => p.connectors.list(AGENT),
  getConnector: (p) => p.connectors.get(AGENT, "CONN-1"),
  updateConnector: (p) => p.connectors.update(AGENT, "CONN-1", { voiceName: "en-GB-Neural2-A" }),
  deleteConnector: (p) => p.connectors.delete(AGENT, "CONN-3"),
  batchGetConnectors: (p) => p.connectors.batchGet(AGENT, ["CONN-1", "CONN-2"]),
  batchUpdateConnectors: (p) =>
    p.connectors.batchUpdate(AGENT, [{ connectorId: "CONN-1", asrLangCode: "en-GB" }]),
  lookupConnector: (p) => p.connectors.lookup(AGENT, "+14155550123"),
};

// How the server is brought to each documented status. Where valid input cannot
// provoke it (the client checks first), the mock is told to answer that way.
type Provoke =
  | { run: (p: PolyAIClient) => Promise<unknown>; via: "input" }
  | { fault: number; code: string; via: "fault" };
const natural: Partial<Record<Op, Partial<Record<string, (p: PolyAIClient) => Promise<unknown>>>>> =
  {
    getConnector: { "404": (p) => p.connectors.get(AGENT, "CONN-missing") },
    updateConnector: {
      "400": (p) => p.connectors.update(AGENT, "CONN-1", { voiceName: "en-US-Quasar-A" }), // well-formed, a family far from every known one
      "403": (p) => p.connectors.update(AGENT, "CONN-1", { projectId: "PROJECT-OTHER" }),
      "404": (p) => p.connectors.update(AGENT, "CONN-missing", { voiceName: "en-GB-Neural2-A" }),
    },
    deleteConnector: { "404": (p) => p.connectors.delete(AGENT, "CONN-missing") },
    lookupConnector: { "404": (p) => p.connectors.lookup(AGENT, "+14155550199") },
  };
const expected: Record<string, new (...args: never[]) => APIError> = {
  "400": BadRequestError,
  "401": AuthenticationError,
  "403": PermissionDeniedError,
  "404": NotFoundError,
  "429": RateLimitError,
  "500": InternalServerError,
  "502": InternalServerError,
  "503": InternalServerError,
};

function documented(op: Op): string[] {
  for (const item of Object.values(bundled.paths) as Record<
    string,
    { operationId?: string; responses?: Record<string, unknown> }
  >[]) {
    for (const operation of Object.values(item)) {
      if (operation?.operationId === op)
        return Object.keys(operation.responses ?? {}).filter((s) => s !== "200");
    }
  }
  throw new Error(`${op} is not in the spec`);
}

function provoke(op: Op, status: string): Provoke {
  const run = natural[op]?.[status];
  if (run) return { run, via: "input" };
  if (status === "401") return { run: (_p) => call[op](wrongKey), via: "input" };
  return {
    fault: Number(status),
    code: status === "400" ? "CONNECTORS_VALIDATION_FAILED" : `TEST_${status}`,
    via: "fault",
  };
}

beforeAll(async () => {
  mock = await createMockPolyAI({ apiKey: KEY, connectors: seed });
  poly = createPolyAIClient({ apiKey: KEY, baseUrl: mock.url, maxRetries: 0 });
  wrongKey = createPolyAIClient({ apiKey: "not-the-key", baseUrl: mock.url, maxRetries: 0 });
});
afterAll(() => mock.close());
beforeEach(() => mock.reset());

describe("every operation succeeds", () => {
  it("list, get, update, batchGet, batchUpdate, lookup, delete: state is shared", async () => {
    expect((await poly.connectors.list(AGENT)).map((c) => c.connectorId)).toEqual([
      "CONN-1",
      "CONN-2",
      "CONN-3",
    ]);
    expect((await poly.connectors.get(AGENT, "CONN-2")).name).toBe("Two");
    const updated = await poly.connectors.update(AGENT, "CONN-2", {
      voiceName: "cmn-CN-Wavenet-A",
    });
    expect(updated).toMatchObject({
      voiceName: "cmn-CN-Wavenet-A",
      ttsLangCode: "cmn-CN",
      variantId: "VARIANT-a",
      asrLangCode: "en-US",
    });
    expect(mock.requests.at(-1)?.body).toEqual({ voiceName: "cmn-CN-Wavenet-A" });
    const got = await poly.connectors.batchGet(AGENT, ["CONN-2", "CONN-nope"]);
    expect(got.found.map((c) => c.voiceName)).toEqual(["cmn-CN-Wavenet-A"]);
    expect(got.notFound).toEqual(["CONN-nope"]);
    const results = await poly.connectors.batchUpdate(AGENT, [
      { connectorId: "CONN-1", variantId: null },
      { connectorId: "CONN-nope", asrLangCode: "en-GB" },
      { connectorId: "CONN-2", voiceName: "en-GB-Quasar-A" },
    ]);
    expect(results.map((r) => r.success)).toEqual([true, false, false]);
    const [first] = results;
    expect(first?.success && first.data.variantId).toBe("");
    expect((await poly.connectors.get(AGENT, "CONN-2")).voiceName).toBe("cmn-CN-Wavenet-A");
    expect((await poly.connectors.lookup(AGENT, "+14155550124")).connectorId).toBe("CONN-2");
    const deleted = await poly.connectors.delete(AGENT, "CONN-2");
    expect(deleted).toEqual({ deletedConnector: "CONN-2", deletedPhoneNumbers: ["+14155550124"] });
    await expect(poly.connectors.get(AGENT, "CONN-2")).rejects.toBeInstanceOf(NotFoundError);
    await expect(poly.connectors.lookup(AGENT, "+14155550124")).rejects.toBeInstanceOf(
      NotFoundError,
    );
    expect((await poly.connectors.list(AGENT)).map((c) => c.connectorId)).toEqual([
      "CONN-1",
      "CONN-3",
    ]);
  });

  it("a dry run predicts the write and sends none", async () => {
    const before = mock.connectors;
    const predicted = await poly.connectors.update(
      AGENT,
      "CONN-1",
      { voiceName: "en-GB-Neural2-A" },
      { dryRun: true },
    );
    expect(predicted).toMatchObject({ voiceName: "en-GB-Neural2-A", ttsLangCode: "en-GB" });
    const batch = await poly.connectors.batchUpdate(
      AGENT,
      [
        { connectorId: "CONN-1", variantId: null },
        { connectorId: "CONN-x", asrLangCode: "en-GB" },
      ],
      { dryRun: true },
    );
    expect(batch.map((r) => r.success)).toEqual([true, false]);
    expect(mock.requests.map((r) => r.method)).toEqual(["GET", "POST"]);
    expect(mock.connectors).toEqual(before);
  });
});

describe("every documented error of every operation is the right typed error", () => {
  const ops = Object.keys(call) as Op[];
  const cases = ops.flatMap((op) => documented(op).map((status) => [op, status] as const));

  it("covers what the spec documents", () => {
    expect(cases.length).toBeGreaterThanOrEqual(ops.length * 7);
    for (const [, status] of cases)
      expect(expected[status], `no expectation for ${status}`).toBeDefined();
  });

  it.each(cases)("%s %s", async (op, status) => {
    const how = provoke(op, status);
    if (how.via === "fault")
      mock.failNext({
        status: how.fault,
        errorCode: how.code,
        ...(how.fault === 429 ? { retryAfter: 2 } : {}),
      });
    const err = await (how.via === "input" ? how.run(poly) : call[op](poly)).then(
      () => undefined,
      (e: unknown) => e,
    );
    const Class = expected[status] as new (...args: never[]) => APIError;
    expect(err).toBeInstanceOf(Class);
    const apiError = err as APIError;
    expect(apiError.status).toBe(Number(status));
    expect(apiError.code).toMatch(/^[A-Z0-9_]+$/);
    expect(apiError.errorId).toBe(apiError.headers.get("x-polyai-correlation-id"));
    expect(apiError.message).toContain(String(status));
    if (how.via === "fault") expect(apiError.code).toBe(how.code);
    if (status === "429") expect((err as RateLimitError).retryAfterMs).toBe(2000);
  });
});

describe("a 200 whose JSON has the wrong shape is an APIError, not a crash later", () => {
  it.each([
    [
      "list without connectors",
      (p: PolyAIClient) => p.connectors.list(AGENT),
      '{"items":[]}',
      "connectors",
    ],
    [
      "batchGet without notFound",
      (p: PolyAIClient) => p.connectors.batchGet(AGENT, ["CONN-1"]),
      '{"found":[]}',
      "notFound",
    ],
    [
      "batchUpdate with results not an array",
      (p: PolyAIClient) =>
        p.connectors.batchUpdate(AGENT, [{ connectorId: "CONN-1", asrLangCode: "en-GB" }]),
      '{"results":{}}',
      "results",
    ],
    [
      "delete without deletedPhoneNumbers",
      (p: PolyAIClient) => p.connectors.delete(AGENT, "CONN-1"),
      '{"deletedConnector":"CONN-1"}',
      "deletedPhoneNumbers",
    ],
    [
      "get with an array",
      (p: PolyAIClient) => p.connectors.get(AGENT, "CONN-1"),
      "[]",
      "JSON object",
    ],
  ] as const)("%s", async (_, run, body, named) => {
    mock.failNext({ status: 200, body, contentType: "application/json" });
    const err = await run(poly).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(APIError);
    expect((err as APIError).code).toBe("INVALID_RESPONSE");
    expect((err as APIError).status).toBe(200);
    expect((err as APIError).message).toContain(named);
  });
});
