// An example to copy: testing YOUR code that uses polyai-connectors, against the
// local PolyAI from `polyai-connectors/testing` instead of a real account.
//
// In your project the imports read:
//   import { createPolyAIClient, BadRequestError, type PolyAIClient } from "polyai-connectors";
//   import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "polyai-connectors/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  BadRequestError,
  createPolyAIClient,
  type Connector,
  type PolyAIClient,
} from "../src/index.js";
import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "../src/testing/index.js";

// ---- The code under test: your own provisioning function ------------------

/**
 * Gives every live connector of an agent the brand voice and removes any A/B
 * variant. Sends only what differs, so running it twice changes nothing.
 * Returns the IDs it changed.
 */
async function applyBrandVoice(
  poly: PolyAIClient,
  agentId: string,
  voiceName: string,
): Promise<string[]> {
  const changed: string[] = [];
  for (const connector of await poly.connectors.list(agentId)) {
    if (connector.clientEnv !== "live") continue;
    const patch = {
      ...(connector.voiceName === voiceName ? {} : { voiceName }),
      ...(connector.variantId === "" ? {} : { variantId: null }),
    };
    if (Object.keys(patch).length === 0) continue;
    await poly.connectors.update(agentId, connector.connectorId, patch);
    changed.push(connector.connectorId);
  }
  return changed;
}

// ---- The tests ----------------------------------------------------------

const AGENT = "PROJECT-58RP822I";
const base = { accountId: "ws-fd112d8f", projectId: AGENT, disableHandoff: false } as const;
const seed: SeedConnector[] = [
  {
    ...base,
    connectorId: "CONN-main",
    name: "Main line",
    clientEnv: "live",
    variantId: "VARIANT-spring",
    asrLangCode: "en-GB",
    ttsLangCode: "en-GB",
    voiceName: "en-GB-Wavenet-B",
    phoneNumbers: ["+442079460000"],
  },
  {
    ...base,
    connectorId: "CONN-done",
    name: "Support",
    clientEnv: "live",
    variantId: "",
    asrLangCode: "en-GB",
    ttsLangCode: "en-GB",
    voiceName: "en-GB-Neural2-A",
  },
  {
    ...base,
    connectorId: "CONN-test",
    name: "Test line",
    clientEnv: "sandbox",
    variantId: "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Standard-C",
  },
];

let mock: MockPolyAI;
let poly: PolyAIClient;

beforeEach(async () => {
  mock = await createMockPolyAI({ apiKey: "test-key", connectors: seed });
  // A short backoff keeps retry tests fast; everything else is the client's default.
  poly = createPolyAIClient({ apiKey: "test-key", baseUrl: mock.url, backoff: { initialMs: 10 } });
});

afterEach(async () => {
  await mock.close();
});

const byId = (id: string): Connector | undefined =>
  mock.connectors.find((c) => c.connectorId === id);
const patchesSent = () => mock.requests.filter((r) => r.method === "PATCH");

describe("applyBrandVoice", () => {
  it("changes only live connectors that differ, and sends only the differing fields", async () => {
    expect(await applyBrandVoice(poly, AGENT, "en-GB-Neural2-A")).toEqual(["CONN-main"]);

    expect(byId("CONN-main")).toMatchObject({
      voiceName: "en-GB-Neural2-A",
      ttsLangCode: "en-GB",
      variantId: "",
    });
    expect(byId("CONN-test")?.voiceName).toBe("en-US-Standard-C"); // sandbox left alone
    expect(patchesSent().map((r) => r.body)).toEqual([
      { voiceName: "en-GB-Neural2-A", variantId: null },
    ]);
  });

  it("is idempotent: a second run sends no update", async () => {
    await applyBrandVoice(poly, AGENT, "en-GB-Neural2-A");
    mock.reset(); // forget the first run's requests

    expect(await applyBrandVoice(poly, AGENT, "en-GB-Neural2-A")).toEqual([]);
    expect(patchesSent()).toEqual([]);
  });

  it("gets through a brief PolyAI outage (the client retries)", async () => {
    mock.failNext({ status: 503, times: 2 });

    expect(await applyBrandVoice(poly, AGENT, "en-GB-Neural2-A")).toEqual(["CONN-main"]);
    expect(mock.requests.filter((r) => r.method === "GET")).toHaveLength(3); // two 503s, then the list
  });

  it("surfaces a voice PolyAI does not have as a 400 naming voiceName, and changes nothing", async () => {
    // Well-formed and far from every known family (so not refused as a typo, which
    // Google may have added): the client sends it; PolyAI's TTS probe rejects it.
    const attempt = applyBrandVoice(poly, AGENT, "en-GB-Quasar-A");

    await expect(attempt).rejects.toBeInstanceOf(BadRequestError);
    await expect(attempt).rejects.toThrow(/voiceName/);
    expect(byId("CONN-main")?.voiceName).toBe("en-GB-Wavenet-B");
  });
});
