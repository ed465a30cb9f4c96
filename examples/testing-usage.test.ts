// Every export of `polyai-connectors/testing`, used once, as a test you can run:
// `npx vitest run examples/testing-usage.test.ts`.
// In your project: import { … } from "polyai-connectors/testing";
import { expect, it } from "vitest";
import { CallOutcomeUnknownError, NotFoundError, createPolyAIClient } from "../src/index.js";
import {
  KNOWN_VOICE_FAMILIES,
  MockSpecViolationError,
  createMockPolyAI,
  type FailNextOptions,
  type MockCallOutcome,
  type MockConnector,
  type MockOutboundCall,
  type MockOutboundOptions,
  type MockPhoneNumber,
  type MockPolyAI,
  type MockPolyAIOptions,
  type RecordedRequest,
  type SeedConnector,
  type SeedPhoneNumber,
} from "../src/testing/index.js";

const seed: SeedConnector = {
  connectorId: "CONN-main",
  name: "Main line",
  accountId: "ws-fd112d8f",
  projectId: "PROJECT-58RP822I",
  clientEnv: "live",
  variantId: "",
  asrLangCode: "en-GB",
  ttsLangCode: "en-GB",
  voiceName: "en-GB-Neural2-A",
  disableHandoff: false,
  phoneNumbers: ["+442079460000"],
};
// A seed needs only connectorId and voiceName; the rest default (see SeedConnector).
const spare: SeedConnector = {
  connectorId: "CONN-spare",
  voiceName: "en-US-Neural2-C",
  agentId: "PROJECT-58RP822I",
};

it("uses every export of the testing entry", async () => {
  const violations: MockSpecViolationError[] = [];
  const options: MockPolyAIOptions = {
    apiKey: "test-key",
    connectors: [seed, spare],
    // A number the project has that routes nowhere yet.
    phoneNumbers: [
      { number: "+442079460001", agentId: "PROJECT-58RP822I" },
    ] satisfies SeedPhoneNumber[],
    allowedProjects: ["PROJECT-58RP822I"],
    unavailableVoices: ["en-GB-Neural2-Z"],
    onSpecViolation: (error) => violations.push(error),
    maxBodyBytes: 1024 * 1024, // a larger body answers 413 PAYLOAD_TOO_LARGE (the default)
    maxRecordedRequests: 100, // mock.requests keeps the last 100; mock.requestCount counts all
    maxBodyBytesInFlight: 64 * 1024 * 1024, // bodies being read at once, together; past it 503
    requestTimeoutMs: 60_000, // a request not whole by then answers 408 (the default)
  };
  const mock: MockPolyAI = await createMockPolyAI(options);
  try {
    const poly = createPolyAIClient({
      apiKey: "test-key",
      baseUrl: mock.url,
      backoff: { initialMs: 1 },
    });

    // Any family the mock's TTS probe knows is accepted.
    const family = KNOWN_VOICE_FAMILIES.includes("Wavenet") ? "Wavenet" : KNOWN_VOICE_FAMILIES[0];
    const updated = await poly.connectors.update("PROJECT-58RP822I", "CONN-main", {
      voiceName: `en-US-${family}-B`,
    });
    expect(updated.ttsLangCode).toBe("en-US");

    // One 503 aimed at the get (the list before it passes), which the client rides out.
    const fault: FailNextOptions = { operation: "getConnector", status: 503 };
    mock.failNext(fault);
    await expect(poly.connectors.list("PROJECT-58RP822I")).resolves.toHaveLength(2);
    await expect(poly.connectors.get("PROJECT-58RP822I", "CONN-main")).resolves.toMatchObject({
      connectorId: "CONN-main",
    });
    expect(mock.requests.filter((r) => r.method === "GET")).toHaveLength(3);
    expect(mock.requestCount).toBe(4); // the update, the list, the get's 503 and its retry
    await expect(poly.connectors.get("PROJECT-58RP822I", "CONN-none")).rejects.toBeInstanceOf(
      NotFoundError,
    );

    const patches: RecordedRequest[] = mock.requests.filter((r) => r.method === "PATCH");
    expect(patches.map((r) => r.body)).toEqual([{ voiceName: `en-US-${family}-B` }]);
    expect(patches[0]?.headers["x-api-key"]).toBe("[redacted]");
    // Route the spare number to the main line; lookup follows the route.
    await poly.phoneNumbers.reassign("PROJECT-58RP822I", "+442079460001", "CONN-main");
    const numbers: MockPhoneNumber[] = mock.phoneNumbers;
    expect(numbers.map((n) => [n.number, n.connectorId])).toEqual([
      ["+442079460000", "CONN-main"],
      ["+442079460001", "CONN-main"],
    ]);
    await expect(
      poly.connectors.lookup("PROJECT-58RP822I", "+442079460001"),
    ).resolves.toMatchObject({ connectorId: "CONN-main" });
    // Each connector with the agent it is served under; the spare got its defaults.
    const state: MockConnector[] = mock.connectors;
    expect(state.find((c) => c.connectorId === "CONN-spare")).toEqual({
      connectorId: "CONN-spare",
      name: "CONN-spare",
      accountId: "ws-local",
      projectId: "PROJECT-58RP822I",
      clientEnv: "live",
      variantId: "",
      asrLangCode: "en-US",
      ttsLangCode: "en-US",
      voiceName: "en-US-Neural2-C",
      disableHandoff: false,
      agentId: "PROJECT-58RP822I",
    });
    expect(violations).toEqual([]);
    expect(new MockSpecViolationError("example")).toBeInstanceOf(Error);
  } finally {
    await mock.close();
  }
});

it("#23: places outbound calls at a pace counted in status reads, and loses an answer on demand", async () => {
  let now = 0; // the mock's clock: statuses expire by it, never by waiting
  const busy: MockCallOutcome = { status: "FAILURE", reason: "busy" };
  const outbound: MockOutboundOptions = {
    notConfigured: ["pre-release"], // a call there answers 400 OUTBOUND_CALLS_NOT_CONFIGURED
    outcomes: { "+442079460001": busy },
    readsPerStep: 1, // QUEUED, then CALLING at the first read, the outcome at the second
    retentionMs: 60_000,
    clock: () => now,
  };
  const mock = await createMockPolyAI({ connectors: [seed], outbound });
  try {
    const poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 5 });
    const call = { toNumber: "+442079460001", environment: "live" } as const;
    const final = await poly.outboundCalls.createAndWait("PROJECT-58RP822I", call, {
      pollIntervalMs: 1,
    });
    expect(final).toMatchObject({ status: "FAILURE", reason: "busy" });
    // The call is placed, then its answer is lost: the client cannot know, and does not redial.
    mock.failNext({ operation: "createOutboundCall", processed: true, reset: true });
    await expect(poly.outboundCalls.create("PROJECT-58RP822I", call)).rejects.toBeInstanceOf(
      CallOutcomeUnknownError,
    );
    const placed: MockOutboundCall[] = mock.outboundCalls;
    expect(placed.map((c) => [c.toNumber, c.status])).toEqual([
      ["+442079460001", "FAILURE"],
      ["+442079460001", "QUEUED"],
    ]);
    now += 60_001; // the first call's status is gone
    await expect(
      poly.outboundCalls.get("PROJECT-58RP822I", final.callSid, { environment: "live" }),
    ).rejects.toMatchObject({ code: "OUTBOUND_CALLS_NOT_FOUND" });
  } finally {
    await mock.close();
  }
});
