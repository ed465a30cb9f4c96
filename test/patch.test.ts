import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  InvalidInputError,
  applyConnectorPatch,
  clearVariant,
  createPolyAIClient,
  type Connector,
  type ConnectorPatch,
} from "../src/index.js";
import {
  connectorArb,
  connectorIdArb,
  idArb,
  loadVoiceRows,
  patchArb,
  patchValueArbs,
  echoConnector,
  recordingFetch,
  sampleConnector,
} from "./support/fixtures.js";

const rows = loadVoiceRows();
const PATCH_KEYS = ["variantId", "asrLangCode", "voiceName", "projectId"] as const;

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("clearVariant", () => {
  it("is exactly { variantId: null }", () => {
    expect(clearVariant()).toStrictEqual({ variantId: null });
    expect(JSON.stringify(clearVariant())).toBe('{"variantId":null}');
  });

  it("returns a new object each time, so spreading and mutating is safe", () => {
    const a = clearVariant();
    expect(a).not.toBe(clearVariant());
  });
});

describe("applyConnectorPatch rules", () => {
  it("leaves absent fields unchanged", () => {
    const next = applyConnectorPatch(sampleConnector, { asrLangCode: "en-GB" });
    expect(next).toStrictEqual({ ...sampleConnector, asrLangCode: "en-GB" });
  });

  it("turns variantId null into the empty string", () => {
    expect(applyConnectorPatch(sampleConnector, clearVariant()).variantId).toBe("");
    expect(applyConnectorPatch(sampleConnector, { variantId: "VARIANT-b" }).variantId).toBe(
      "VARIANT-b",
    );
  });

  it("sets ttsLangCode from a new voiceName, in canonical case", () => {
    const next = applyConnectorPatch(sampleConnector, { voiceName: "cmn-CN-Standard-A" });
    expect(next.voiceName).toBe("cmn-CN-Standard-A");
    expect(next.ttsLangCode).toBe("cmn-CN");
    expect(applyConnectorPatch(sampleConnector, { voiceName: "EN-gb-Neural2-A" }).ttsLangCode).toBe(
      "en-GB",
    );
  });

  it("does not touch ttsLangCode when voiceName is absent", () => {
    const odd = { ...sampleConnector, ttsLangCode: "xx-XX" };
    expect(applyConnectorPatch(odd, { asrLangCode: "de-DE" }).ttsLangCode).toBe("xx-XX");
  });

  it("combines clearVariant with other fields", () => {
    const next = applyConnectorPatch(sampleConnector, {
      ...clearVariant(),
      voiceName: "en-GB-Wavenet-B",
      projectId: "PROJECT-2",
    });
    expect(next).toStrictEqual({
      ...sampleConnector,
      variantId: "",
      voiceName: "en-GB-Wavenet-B",
      ttsLangCode: "en-GB",
      projectId: "PROJECT-2",
    });
  });

  it("does not mutate the connector or the patch", () => {
    const connector = Object.freeze({ ...sampleConnector });
    const patch = Object.freeze({ variantId: null, voiceName: "en-GB-Neural2-A" });
    const next = applyConnectorPatch(connector, patch);
    expect(connector).toStrictEqual(sampleConnector);
    expect(patch).toStrictEqual({ variantId: null, voiceName: "en-GB-Neural2-A" });
    expect(next).not.toBe(connector);
  });

  it("treats undefined values as absent", () => {
    const patch = {
      voiceName: "en-GB-Neural2-A",
      asrLangCode: undefined,
    } as unknown as ConnectorPatch;
    expect(applyConnectorPatch(sampleConnector, patch)).toStrictEqual(
      applyConnectorPatch(sampleConnector, { voiceName: "en-GB-Neural2-A" }),
    );
  });

  it.each<[string, unknown, string, RegExp]>([
    [
      "voiceName null",
      { voiceName: null },
      "voiceName",
      /cannot be null: only variantId can be cleared/,
    ],
    ["asrLangCode null", { asrLangCode: null }, "asrLangCode", /cannot be null/],
    ["projectId null", { projectId: null }, "projectId", /cannot be null/],
    [
      "ttsLangCode",
      { ttsLangCode: "en-GB" },
      "ttsLangCode",
      /is not a field that can be set; allowed keys are variantId, asrLangCode, voiceName, projectId/,
    ],
    [
      "a near-miss key",
      { voice_name: "en-GB-Neural2-A" },
      "voice_name",
      /did you mean "voiceName"\?/,
    ],
    ["a bad voice", { voiceName: "english-Neural2-A" }, "voiceName", /locale prefix/],
    ["a bad language", { asrLangCode: "en US" }, "asrLangCode", /whitespace at index 2/],
    ["an empty variantId", { variantId: "" }, "variantId", /must not be empty/],
    ["a non-string projectId", { projectId: 7 }, "projectId", /expected a string, got a number/],
    ["an empty patch", {}, "patch", /sets no field to change/],
    ["only undefined values", { voiceName: undefined }, "patch", /sets no field to change/],
    ["an array", [], "patch", /expected a plain object, got an array/],
    ["null", null, "patch", /expected a plain object, got null/],
  ])("rejects %s with InvalidInputError naming the field", (_what, patch, field, why) => {
    const err = thrown(() => applyConnectorPatch(sampleConnector, patch as ConnectorPatch));
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).field).toBe(field);
    expect((err as InvalidInputError).reason).toMatch(why);
  });

  it.each([["constructor"], ["toString"], ["hasOwnProperty"]])(
    "rejects the inherited key %s as an unknown field",
    (key) => {
      const err = thrown(() =>
        applyConnectorPatch(sampleConnector, { [key]: "x" } as ConnectorPatch),
      );
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as InvalidInputError).reason).toMatch(/is not a field that can be set/);
    },
  );
});

describe("applyConnectorPatch properties", () => {
  const connectors = connectorArb(rows);
  const patches = patchArb(rows);

  it("changes exactly the patched keys (and ttsLangCode with voiceName); the rest stay as they were", () => {
    fc.assert(
      fc.property(connectors, patches, (connector, patch) => {
        const before = structuredClone(connector);
        const next = applyConnectorPatch(connector, patch);
        expect(connector).toEqual(before);
        const touched = new Set<string>(Object.keys(patch));
        if (patch.voiceName !== undefined) touched.add("ttsLangCode");
        for (const key of Object.keys(connector) as (keyof Connector)[]) {
          if (!touched.has(key)) expect(next[key], key).toBe(connector[key]);
        }
        expect(Object.keys(next).sort()).toEqual(Object.keys(connector).sort());
        if (patch.variantId !== undefined) expect(next.variantId).toBe(patch.variantId ?? "");
        if (patch.asrLangCode !== undefined) expect(next.asrLangCode).toBe(patch.asrLangCode);
        if (patch.projectId !== undefined) expect(next.projectId).toBe(patch.projectId);
        if (patch.voiceName !== undefined) {
          expect(next.voiceName).toBe(patch.voiceName);
          const [language = "", region = ""] = patch.voiceName.split("-");
          expect(next.ttsLangCode).toBe(`${language.toLowerCase()}-${region.toUpperCase()}`);
        }
      }),
    );
  });

  it("is idempotent: applying a patch twice equals applying it once", () => {
    fc.assert(
      fc.property(connectors, patches, (connector, patch) => {
        const once = applyConnectorPatch(connector, patch);
        expect(applyConnectorPatch(once, patch)).toStrictEqual(once);
      }),
    );
  });
});

/** Each field absent, present as undefined, or set to a valid value. */
function sparsePatchArb(
  values: Record<string, fc.Arbitrary<unknown>>,
): fc.Arbitrary<Record<string, unknown>> {
  const ABSENT = Symbol("absent");
  const slots = Object.fromEntries(
    Object.entries(values).map(([key, arb]) => [
      key,
      fc.oneof(fc.constant(ABSENT), fc.constant(undefined), arb),
    ]),
  );
  return fc.record(slots).map((slotsOf) => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(slotsOf)) if (value !== ABSENT) out[key] = value;
    return out;
  });
}

function defined(obj: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined));
}

describe("what the client sends", () => {
  const baseUrl = "http://127.0.0.1:9";
  const values = patchValueArbs(rows);
  const sparse = sparsePatchArb(values).filter((p) => Object.keys(defined(p)).length > 0);

  it("update sends exactly the defined keys, values unchanged, and PATCHes the right URL", async () => {
    const { fetch, seen } = recordingFetch(echoConnector);
    const poly = createPolyAIClient({ apiKey: "sk-test-key", baseUrl, fetch, maxRetries: 0 });
    await fc.assert(
      fc.asyncProperty(idArb, connectorIdArb, sparse, async (agentId, connectorId, patch) => {
        seen.length = 0;
        await expect(
          poly.connectors.update(agentId, connectorId, patch as ConnectorPatch),
        ).resolves.toStrictEqual({ ...sampleConnector, connectorId });
        expect(seen).toHaveLength(1);
        const [request] = seen;
        if (!request) throw new Error("no request");
        const expected = defined(patch);
        expect(request.method).toBe("PATCH");
        expect(request.body).toBe(JSON.stringify(expected));
        expect(Object.keys(JSON.parse(request.body) as object)).toEqual(Object.keys(expected));
        expect(request.headers.get("content-type")).toMatch(/^application\/json/);
        expect(request.headers.get("x-api-key")).toBe("sk-test-key");
        const segments = request.url.pathname.split("/").slice(1);
        expect(segments.map(decodeURIComponent)).toEqual([
          "v1",
          "agents",
          agentId,
          "telephony",
          "connectors",
          connectorId,
        ]);
      }),
      { numRuns: 60 },
    );
  });

  it("batchUpdate sends each item with exactly its defined keys", async () => {
    const { fetch, seen } = recordingFetch(echoConnector);
    const poly = createPolyAIClient({ apiKey: "sk-test-key", baseUrl, fetch, maxRetries: 0 });
    const items = fc.uniqueArray(
      fc.tuple(idArb, sparse).map(([connectorId, patch]) => ({ connectorId, ...patch })),
      { minLength: 1, maxLength: 4, selector: (item) => item.connectorId },
    );
    await fc.assert(
      fc.asyncProperty(items, async (updates) => {
        seen.length = 0;
        await poly.connectors.batchUpdate("PROJECT-1", updates as never);
        const expected = { updates: updates.map(defined) };
        expect(seen[0]?.body).toBe(JSON.stringify(expected));
        expect(seen[0]?.url.pathname).toBe("/v1/agents/PROJECT-1/telephony/connectors/batch");
      }),
      { numRuns: 40 },
    );
  });

  it("sends nothing when the patch is invalid", async () => {
    const { fetch, seen } = recordingFetch(echoConnector);
    const poly = createPolyAIClient({ apiKey: "sk-test-key", baseUrl, fetch, maxRetries: 0 });
    for (const key of PATCH_KEYS.filter((k) => k !== "variantId")) {
      await expect(
        poly.connectors.update("A", "C", { [key]: null } as never),
      ).rejects.toBeInstanceOf(InvalidInputError);
    }
    await expect(
      poly.connectors.update("A", "C", { ttsLangCode: "en-GB" } as never),
    ).rejects.toThrow(/ttsLangCode: is not a field/);
    expect(seen).toEqual([]);
  });
});
