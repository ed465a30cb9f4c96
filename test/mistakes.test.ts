// Every mistake explained (issue 14): typos of a voice family, a base URL with /v1,
// arguments swapped, and failures that no retry can fix.
import { afterEach, describe, expect, it } from "vitest";
import {
  APIConnectionError,
  InvalidInputError,
  NotFoundError,
  createPolyAIClient,
} from "../src/index.js";
import { KNOWN_VOICE_FAMILIES, createMockPolyAI, type MockPolyAI } from "../src/testing/index.js";
import { operations } from "../generated/operations.js";
import { recordingFetch, sampleConnector, type Recorded } from "./support/fixtures.js";

const AGENT = sampleConnector.projectId;
const CONN = sampleConnector.connectorId;
let mock: MockPolyAI | undefined;
afterEach(async () => {
  await mock?.close();
  mock = undefined;
});

describe("voice families, checked like a person would", () => {
  const { fetch, seen } = recordingFetch((r: Recorded) => ({
    ...sampleConnector,
    connectorId: CONN,
    voiceName: JSON.parse(r.body).voiceName,
  }));
  const poly = createPolyAIClient({
    apiKey: "sk-mistakes-key",
    baseUrl: "http://127.0.0.1:9",
    fetch,
  });

  it.each([
    ["en-GB-Wavnet-A", "en-GB-Wavenet-A"],
    ["en-GB-neural2-A", "en-GB-Neural2-A"],
    ["en-GB-Nueral2-A", "en-GB-Neural2-A"],
    ["en-US-STUDIO-O", "en-US-Studio-O"],
    ["en-US-Chirp3HD-Achernar", "en-US-Chirp3-HD-Achernar"],
  ])("%s is refused with did you mean %s, nothing sent, also in a dry run", async (typo, meant) => {
    seen.length = 0;
    for (const call of [
      () => poly.connectors.update(AGENT, CONN, { voiceName: typo }),
      () => poly.connectors.update(AGENT, CONN, { voiceName: typo }, { dryRun: true }),
      () => poly.connectors.batchUpdate(AGENT, [{ connectorId: CONN, voiceName: typo }]),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).reason).toContain(`did you mean "${meant}"?`);
    }
    expect(seen).toHaveLength(0);
  });

  it.each([
    ["a family far from every known one (Google adds families)", "en-US-Quasar-A"],
    ["a version bump", "en-US-Chirp4-HD-Achernar"],
    ["a known family", "en-US-Chirp3-HD-Achernar"],
  ])("%s is sent", async (_label, voiceName) => {
    seen.length = 0;
    await expect(poly.connectors.update(AGENT, CONN, { voiceName })).resolves.toMatchObject({
      voiceName,
    });
    expect(seen).toHaveLength(1);
  });

  it("the known families come from the spec, shared by the core, the mock and the docs", () => {
    const rule = (
      operations.updateConnector.body as { props: Record<string, { families?: string[] }> }
    ).props["voiceName"];
    expect(rule?.families).toEqual([...KNOWN_VOICE_FAMILIES]);
  });
});

describe("a base URL that already holds /v1", () => {
  it.each([
    ["https://api.eu.poly.ai/v1", "https://api.eu.poly.ai"],
    ["https://api.eu.poly.ai/v1/", "https://api.eu.poly.ai"],
    ["https://gw.example.com/polyai/v1", "https://gw.example.com/polyai"],
  ])("%s is refused at creation, with the fix", (baseUrl, fix) => {
    expect(() => createPolyAIClient({ apiKey: "sk-mistakes-key", baseUrl })).toThrow(
      `baseUrl: must not include /v1: the client adds /v1/agents/… itself; pass ${fix}`,
    );
  });

  it("other proxy prefixes stay allowed", () => {
    const poly = createPolyAIClient({
      apiKey: "sk-mistakes-key",
      baseUrl: "https://gw.example.com/polyai/v2",
    });
    expect(poly.baseUrl).toBe("https://gw.example.com/polyai/v2");
  });
});

describe("arguments swapped", () => {
  it("a 404 for a connector ID shaped like an agent ID says the arguments may be swapped", async () => {
    mock = await createMockPolyAI({ apiKey: "sk-mistakes-key", connectors: [sampleConnector] });
    const poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url });
    const err = await poly.connectors.get(AGENT, AGENT).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toContain(
      `connectorId "${AGENT}" looks like an agent ID: are the arguments swapped? The order is (agentId, connectorId, …)`,
    );
    const plain = await poly.connectors.get(AGENT, "CONN-none").catch((e: unknown) => e);
    expect((plain as Error).message).not.toContain("swapped");
  });
});

describe("which failures retry", () => {
  const failing = (error: unknown) => {
    let calls = 0;
    const fetch: typeof globalThis.fetch = async () => {
      calls++;
      throw error;
    };
    const poly = createPolyAIClient({
      apiKey: "sk-mistakes-key",
      baseUrl: "https://api.example.invalid",
      fetch,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    return { poly, calls: () => calls };
  };
  const coded = (code: string, name = "Error") =>
    Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error(code), { code, name }),
    });

  it.each([
    ["DNS not found", coded("ENOTFOUND"), "the host name does not resolve"],
    [
      "an expired certificate",
      coded("CERT_HAS_EXPIRED"),
      "the server's certificate does not verify",
    ],
    [
      "a self-signed certificate",
      coded("DEPTH_ZERO_SELF_SIGNED_CERT"),
      "certificate does not verify",
    ],
    [
      "a host name that does not match",
      coded("ERR_TLS_CERT_ALTNAME_INVALID"),
      "certificate does not verify",
    ],
    [
      "a runtime's permission denial",
      Object.assign(new Error("Requires net access"), { name: "PermissionDenied" }),
      "the runtime denies network access",
    ],
  ])("%s is not retried, and says why", async (_label, error, why) => {
    const { poly, calls } = failing(error);
    const err = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(calls()).toBe(1);
    expect((err as Error).message).toContain("not retried: ");
    expect((err as Error).message).toContain(why);
  });

  it.each([
    ["a reset", coded("ECONNRESET")],
    ["a refused connection", coded("ECONNREFUSED")],
    ["a resolver that may answer next time", coded("EAI_AGAIN")],
  ])("%s is retried", async (_label, error) => {
    const { poly, calls } = failing(error);
    const err = await poly.connectors.get(AGENT, CONN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIConnectionError);
    expect(calls()).toBe(3);
    expect((err as Error).message).toContain("after 3 attempts");
  });
});

describe("from an outside review", () => {
  it("a connector ID in the agent slot, answered 403 for an unknown agent, also gets the swap hint", async () => {
    mock = await createMockPolyAI({ apiKey: "sk-mistakes-key", connectors: [sampleConnector] });
    const poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 0 });
    const err = await poly.connectors.get(CONN, AGENT).catch((e: unknown) => e);
    expect((err as Error).name).toBe("PermissionDeniedError");
    expect((err as Error).message).toContain("are the arguments swapped?");
  });

  it("https to a plain-http port is not retried; a refused localhost keeps its code", async () => {
    const attempts: string[] = [];
    const ssl = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(new Error("wrong version number"), {
        code: "ERR_SSL_WRONG_VERSION_NUMBER",
      }),
    });
    const poly = createPolyAIClient({
      apiKey: "sk-mistakes-key",
      baseUrl: "https://api.example.invalid",
      backoff: { initialMs: 1, maxMs: 1 },
      fetch: async () => {
        attempts.push("ssl");
        throw ssl;
      },
    });
    await expect(poly.connectors.get(AGENT, CONN)).rejects.toThrow(
      /not retried: the TLS handshake failed/,
    );
    expect(attempts).toHaveLength(1);
    const refused = Object.assign(new TypeError("fetch failed"), {
      cause: Object.assign(
        new AggregateError([Object.assign(new Error("connect"), { code: "ECONNREFUSED" })]),
        {},
      ),
    });
    const local = createPolyAIClient({
      apiKey: "sk-mistakes-key",
      baseUrl: "http://localhost:9",
      maxRetries: 0,
      fetch: async () => {
        throw refused;
      },
    });
    await expect(local.connectors.get(AGENT, CONN)).rejects.toThrow(
      /connection failed: ECONNREFUSED/,
    );
  });
});
