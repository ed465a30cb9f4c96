// The mock's API behaviour, driven with raw fetch (not the SDK), so these tests
// check the mock against PolyAI's documented behaviour and the spec, not against
// the SDK's own assumptions.
import { readFileSync } from "node:fs";
import { inspect } from "node:util";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { spec } from "../generated/spec.js";
import { createMockPolyAI, type MockPolyAI, type SeedConnector } from "../src/testing/index.js";
import type { Connector } from "../src/types.js";
// The fixture key of the tests that use it; those tests bind it at the top of their
// describe blocks (see support/loopback.ts).
import * as loopback from "./support/loopback.js";
import { mockPerTest } from "./support/mock-per-test.js";

const KEY = "test-key";
const AGENT = "PROJECT-58RP822I";
const BASE = `/v1/agents/${AGENT}/telephony/connectors`;
const seedFile = JSON.parse(
  readFileSync(new URL("../examples/seed.json", import.meta.url), "utf8"),
) as {
  connectors: SeedConnector[];
  allowedProjects: string[];
};

// The Error schema straight from the bundled spec, compiled independently of the
// mock's own validator so a bug there cannot hide here.
const errorSchema = (spec as { components: { schemas: Record<string, object> } }).components
  .schemas["Error"];
const isErrorEnvelope = new Ajv2020({ strict: false }).compile(errorSchema ?? {});

interface Reply {
  status: number;
  headers: Headers;
  body: unknown;
}

let mock: MockPolyAI;
/** Replaces this test's mock with one built from the seed file plus `options`. */
const restart = mockPerTest({ apiKey: KEY, ...seedFile }, (started) => (mock = started));

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = { "x-api-key": KEY },
): Promise<Reply> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === "string" ? body : JSON.stringify(body);
    init.headers = { "content-type": "application/json", ...headers };
  }
  const res = await fetch(`${mock.url}${path}`, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed };
}

/** Checks an error answer: status, envelope per the spec, code, correlation id, and the message. */
function expectError(reply: Reply, status: number, code: string, message?: RegExp): void {
  expect(reply.status).toBe(status);
  expect(isErrorEnvelope(reply.body), JSON.stringify(isErrorEnvelope.errors)).toBe(true);
  const body = reply.body as { error_code: string; error_id: string; error_message: string };
  expect(body.error_code).toBe(code);
  expect(body.error_id).toMatch(/^[0-9a-f-]{36}$/);
  expect(reply.headers.get("x-polyai-correlation-id")).toBe(body.error_id);
  if (message) expect(body.error_message).toMatch(message);
}

/** The connector as the API shows it: mock.connectors adds the agentId it is served under. */
function seeded(id: string): Connector {
  const found = mock.connectors.find((c) => c.connectorId === id);
  if (!found) throw new Error(`no seeded connector ${id}`);
  const { agentId: _, ...connector } = found;
  return connector;
}

describe("operations", () => {
  it("lists the agent's connectors, without seed-only fields", async () => {
    const reply = await call("GET", BASE);
    expect(reply.status).toBe(200);
    const { connectors } = reply.body as { connectors: Connector[] };
    expect(connectors.map((c) => c.connectorId)).toEqual([
      "CONN-7d2f9a",
      "CONN-3c1b0e",
      "CONN-9e4a71",
    ]);
    expect(connectors[0]).not.toHaveProperty("phoneNumbers");
    expect(reply.headers.get("x-polyai-correlation-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("lists nothing for an agent it serves without connectors (one in allowedProjects)", async () => {
    await restart({ allowedProjects: [...seedFile.allowedProjects, "PROJECT-EMPTY"] });
    const reply = await call("GET", "/v1/agents/PROJECT-EMPTY/telephony/connectors");
    expect(reply).toMatchObject({ status: 200, body: { connectors: [] } });
  });

  it("answers 403 for an agent it does not serve, not an empty list", async () => {
    const reply = await call("GET", "/v1/agents/PROJECT-EMPTY/telephony/connectors");
    expectError(reply, 403, "USER_ACCESS_FORBIDDEN", /no access to project PROJECT-EMPTY/);
  });

  it("gets one connector", async () => {
    const reply = await call("GET", `${BASE}/CONN-7d2f9a`);
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual(seeded("CONN-7d2f9a"));
  });

  it("merge-patches: derives ttsLangCode, clears variantId with null, leaves the rest", async () => {
    const before = seeded("CONN-7d2f9a");
    const reply = await call("PATCH", `${BASE}/CONN-7d2f9a`, {
      voiceName: "en-US-Neural2-C",
      variantId: null,
    });
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({
      ...before,
      voiceName: "en-US-Neural2-C",
      ttsLangCode: "en-US",
      variantId: "",
    });
    expect(seeded("CONN-7d2f9a").voiceName).toBe("en-US-Neural2-C");
    expect((await call("GET", `${BASE}/CONN-7d2f9a`)).body).toEqual(reply.body);
  });

  it("moves a connector to an allowed project and keeps serving it under its agent", async () => {
    const reply = await call("PATCH", `${BASE}/CONN-9e4a71`, { projectId: "PROJECT-K4T7Q2ZD" });
    expect(reply.status).toBe(200);
    expect((await call("GET", `${BASE}/CONN-9e4a71`)).body).toMatchObject({
      projectId: "PROJECT-K4T7Q2ZD",
    });
  });

  it("deletes a connector, releases its numbers, and later reads do not see it", async () => {
    const reply = await call("DELETE", `${BASE}/CONN-7d2f9a`);
    expect(reply).toMatchObject({
      status: 200,
      body: {
        deletedConnector: "CONN-7d2f9a",
        deletedPhoneNumbers: ["+442079460000", "+442079460001"],
      },
    });
    expectError(
      await call("GET", `${BASE}/CONN-7d2f9a`),
      404,
      "CONNECTORS_NOT_FOUND",
      /CONN-7d2f9a/,
    );
    const list = (await call("GET", BASE)).body as { connectors: Connector[] };
    expect(list.connectors.map((c) => c.connectorId)).not.toContain("CONN-7d2f9a");
    expectError(
      await call("POST", `${BASE}/lookup`, { phoneNumber: "+442079460000" }),
      404,
      "PHONE_NUMBERS_NOT_FOUND",
    );
    expectError(await call("DELETE", `${BASE}/CONN-7d2f9a`), 404, "CONNECTORS_NOT_FOUND");
  });

  it("batch-gets: found in request order, unknown IDs in notFound", async () => {
    const reply = await call("POST", `${BASE}/batch`, {
      connectorIds: ["CONN-3c1b0e", "CONN-nope", "CONN-7d2f9a"],
    });
    expect(reply.status).toBe(200);
    const body = reply.body as { found: Connector[]; notFound: string[] };
    expect(body.found.map((c) => c.connectorId)).toEqual(["CONN-3c1b0e", "CONN-7d2f9a"]);
    expect(body.notFound).toEqual(["CONN-nope"]);
  });

  it("batch-updates each item independently: good applied, unknown id and bad voice fail", async () => {
    const unknownVoiceTarget = seeded("CONN-3c1b0e");
    const reply = await call("PATCH", `${BASE}/batch`, {
      updates: [
        { connectorId: "CONN-7d2f9a", asrLangCode: "en-US" },
        { connectorId: "CONN-missing", asrLangCode: "en-US" },
        { connectorId: "CONN-3c1b0e", voiceName: "en-GB-Nueral2-A" },
      ],
    });
    expect(reply.status).toBe(200);
    const { results } = reply.body as {
      results: Array<{ connectorId: string; success: boolean; data?: Connector; error?: string }>;
    };
    expect(results.map((r) => [r.connectorId, r.success])).toEqual([
      ["CONN-7d2f9a", true],
      ["CONN-missing", false],
      ["CONN-3c1b0e", false],
    ]);
    expect(results[0]?.data?.asrLangCode).toBe("en-US");
    expect(results[1]?.error).toMatch(/CONN-missing not found/);
    expect(results[2]?.error).toMatch(/^voiceName: .*not an available voice/);
    expect(seeded("CONN-7d2f9a").asrLangCode).toBe("en-US");
    expect(seeded("CONN-3c1b0e")).toEqual(unknownVoiceTarget);
  });

  it("batch-updates a forbidden project move as a failure result", async () => {
    const reply = await call("PATCH", `${BASE}/batch`, {
      updates: [{ connectorId: "CONN-7d2f9a", projectId: "PROJECT-OTHER" }],
    });
    expect(reply.body).toEqual({
      results: [
        {
          connectorId: "CONN-7d2f9a",
          success: false,
          error: "The API key has no access to project PROJECT-OTHER",
        },
      ],
    });
    expect(seeded("CONN-7d2f9a").projectId).toBe(AGENT);
  });

  it("looks up the connector of an E.164 number", async () => {
    const reply = await call("POST", `${BASE}/lookup`, { phoneNumber: "+442079460002" });
    expect(reply.status).toBe(200);
    expect((reply.body as Connector).connectorId).toBe("CONN-3c1b0e");
  });

  it("serves connectors seeded under an explicit agentId there only", async () => {
    const [first] = seedFile.connectors;
    await restart({ connectors: [{ ...(first as SeedConnector), agentId: "AGENT-x" }] });
    expect((await call("GET", "/v1/agents/AGENT-x/telephony/connectors/CONN-7d2f9a")).status).toBe(
      200,
    );
    expectError(await call("GET", `${BASE}/CONN-7d2f9a`), 404, "CONNECTORS_NOT_FOUND");
  });
});

describe("errors", () => {
  it("401 without a key", async () => {
    expectError(await call("GET", BASE, undefined, {}), 401, "AUTH_USER_UNAUTHORISED", /missing/i);
  });

  it("401 with a wrong key", async () => {
    expectError(
      await call("GET", BASE, undefined, { "x-api-key": "not-the-key" }),
      401,
      "AUTH_USER_UNAUTHORISED",
      /invalid/i,
    );
  });

  it("404 for an unknown connector", async () => {
    expectError(
      await call("PATCH", `${BASE}/CONN-nope`, { asrLangCode: "en-US" }),
      404,
      "CONNECTORS_NOT_FOUND",
      /CONN-nope/,
    );
  });

  it("404 for a number no connector answers", async () => {
    expectError(
      await call("POST", `${BASE}/lookup`, { phoneNumber: "+14155550199" }),
      404,
      "PHONE_NUMBERS_NOT_FOUND",
      /\+14155550199/,
    );
  });

  it("400 for a number that is not E.164", async () => {
    expectError(
      await call("POST", `${BASE}/lookup`, { phoneNumber: "0207 946 0000" }),
      400,
      "PHONE_NUMBERS_INVALID_PHONE_NUMBER_FORMAT",
      /^phoneNumber: .*E\.164/,
    );
  });

  it.each([
    [
      "a voice the TTS probe rejects",
      { voiceName: "en-GB-Nueral2-A" },
      /^voiceName: "en-GB-Nueral2-A" is not an available voice/,
    ],
    [
      "a family spelled in the wrong case",
      { voiceName: "en-GB-neural2-A" },
      /^voiceName: .*not an available voice/,
    ],
    ["a voice that is not a voice name", { voiceName: "Neural2 A" }, /^voiceName: must/],
    ["an unknown key", { voicename: "en-GB-Neural2-A" }, /^voicename: unknown field/],
    ["a null asrLangCode", { asrLangCode: null }, /^asrLangCode: must be string, got null/],
    ["ttsLangCode, which is read-only", { ttsLangCode: "en-US" }, /^ttsLangCode: unknown field/],
    ["an empty patch", {}, /^body: must set at least one field/],
    ["an array", [], /^body: must be object/],
    ["malformed JSON", '{"voiceName":', /^body: is not valid JSON/],
  ])("400 naming the field for %s", async (_name, body, message) => {
    const before = seeded("CONN-7d2f9a");
    expectError(
      await call("PATCH", `${BASE}/CONN-7d2f9a`, body),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      message,
    );
    expect(seeded("CONN-7d2f9a")).toEqual(before);
  });

  it("400 for a missing body, or one not sent as JSON", async () => {
    const reply = await call("PATCH", `${BASE}/CONN-7d2f9a`, undefined, {
      "x-api-key": KEY,
      "content-type": "text/plain",
    });
    expectError(reply, 400, "CONNECTORS_VALIDATION_FAILED", /^body: is required/);
    const res = await fetch(`${mock.url}${BASE}/CONN-7d2f9a`, {
      method: "PATCH",
      headers: { "x-api-key": KEY, "content-type": "text/plain" },
      body: '{"asrLangCode":"en-US"}',
    });
    expectError(
      { status: res.status, headers: res.headers, body: await res.json() },
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /application\/json/,
    );
  });

  it("400 for an empty batch update", async () => {
    expectError(
      await call("PATCH", `${BASE}/batch`, { updates: [] }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^updates: /,
    );
  });

  it("400 for a batch update item that changes nothing, naming the item", async () => {
    expectError(
      await call("PATCH", `${BASE}/batch`, { updates: [{ connectorId: "CONN-7d2f9a" }] }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^updates\[0\]: /,
    );
  });

  it("400 for one connector updated twice in a batch", async () => {
    const updates = [
      { connectorId: "CONN-7d2f9a", asrLangCode: "en-US" },
      { connectorId: "CONN-7d2f9a", asrLangCode: "fr-FR" },
    ];
    expectError(
      await call("PATCH", `${BASE}/batch`, { updates }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^updates\[1\]\.connectorId: /,
    );
    expect(seeded("CONN-7d2f9a").asrLangCode).toBe("en-GB");
  });

  it("400 for an empty or duplicated batch get", async () => {
    expectError(
      await call("POST", `${BASE}/batch`, { connectorIds: [] }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^connectorIds: /,
    );
    expectError(
      await call("POST", `${BASE}/batch`, { connectorIds: ["CONN-7d2f9a", "CONN-7d2f9a"] }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^connectorIds: must not contain duplicates/,
    );
  });

  it("400 naming a path parameter that breaks the spec", async () => {
    expectError(
      await call("GET", `${BASE}/CONN%207d2f9a`),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^connectorId: must match pattern/,
    );
    expectError(
      await call("GET", `${BASE}/%E0%A4%A`),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^connectorId: .*percent-encoding/,
    );
  });

  it("403 for a move to a project the key cannot reach", async () => {
    const reply = await call("PATCH", `${BASE}/CONN-7d2f9a`, { projectId: "PROJECT-OTHER" });
    expectError(reply, 403, "USER_ACCESS_FORBIDDEN", /PROJECT-OTHER/);
    expect(seeded("CONN-7d2f9a").projectId).toBe(AGENT);
  });

  it("403 when allowedProjects leaves out the connector's current project", async () => {
    await restart({ allowedProjects: ["PROJECT-K4T7Q2ZD"] });
    expectError(
      await call("PATCH", `${BASE}/CONN-7d2f9a`, { projectId: "PROJECT-K4T7Q2ZD" }),
      403,
      "USER_ACCESS_FORBIDDEN",
      new RegExp(AGENT),
    );
  });

  it("400 for a voice listed in unavailableVoices", async () => {
    await restart({ unavailableVoices: ["en-GB-Studio-B"] });
    expectError(
      await call("PATCH", `${BASE}/CONN-7d2f9a`, { voiceName: "en-GB-Studio-B" }),
      400,
      "CONNECTORS_VALIDATION_FAILED",
      /^voiceName: /,
    );
    expect(
      (await call("PATCH", `${BASE}/CONN-7d2f9a`, { voiceName: "en-GB-Studio-C" })).status,
    ).toBe(200);
  });

  it("405 with Allow for a method the path does not serve", async () => {
    const reply = await call("GET", `${BASE}/batch`);
    expectError(reply, 405, "METHOD_NOT_ALLOWED");
    expect(reply.headers.get("allow")).toBe("PATCH, POST");
    expect(
      (await call("PUT", `${BASE}/CONN-7d2f9a`, { asrLangCode: "en-US" })).headers.get("allow"),
    ).toBe("DELETE, GET, PATCH");
  });

  it("404 for a path the API does not have", async () => {
    expectError(await call("GET", `/v1/agents/${AGENT}/telephony/numbers`), 404, "NOT_FOUND");
  });
});

describe("the mock's printed and serialised forms", () => {
  const { KEY } = loopback;

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
});

describe("the mock refuses bad options instead of ignoring them", () => {
  const { KEY } = loopback;

  it("refuses a mistyped option instead of ignoring it", async () => {
    const { createMockPolyAI } = await import("../src/testing/index.js");
    await expect(createMockPolyAI({ apikey: KEY } as never)).rejects.toThrow(
      'createMockPolyAI: "apikey" is not an option; did you mean "apiKey"?',
    );
    const mock = await createMockPolyAI();
    try {
      // One typo is a near miss too; a name like none of them lists them all.
      expect(() => mock.failNext({ stauts: 429 } as never)).toThrow(
        'failNext: "stauts" is not an option; did you mean "status"?',
      );
      expect(() => mock.failNext({ code: 429 } as never)).toThrow(
        /failNext: "code" is not an option; known options are status, times/,
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
