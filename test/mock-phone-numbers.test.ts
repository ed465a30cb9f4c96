// The local PolyAI's phone numbers, driven through the SDK (and raw fetch where the
// SDK would refuse to send): every operation changes one state shared with the
// connectors, as the operations' descriptions in openapi/paths/phone-number*.yaml
// say, and every answer the mock sends is checked against the spec by the mock.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  APITimeoutError,
  createPolyAIClient,
  InternalServerError,
  NotFoundError,
  PermissionDeniedError,
  type PolyAIClient,
} from "../src/index.js";
import {
  createMockPolyAI,
  type MockPhoneNumber,
  type MockPolyAI,
  type MockPolyAIOptions,
  type SeedConnector,
} from "../src/testing/index.js";
import { ConnectorStore } from "../src/testing/store.js";
import { sampleConnector } from "./support/fixtures.js";

const KEY = "test-key";
const AGENT = sampleConnector.projectId; // PROJECT-58RP822I
const OTHER = "PROJECT-K4T7Q2ZD";
const ACCOUNT = sampleConnector.accountId;
const PN = `/v1/agents/${AGENT}/telephony/phone-numbers`;

// Numbers: two routed to CONN-1, one to CONN-2 (sandbox), one unrouted, and one
// of another agent (project).
const N1 = "+14155550101";
const N1B = "+14155550111";
const N2 = "+14155550102";
const N3 = "+14155550103"; // unrouted
const N_OTHER = "+14155550109";
const MISSING = "+14155550199";

const connectors: SeedConnector[] = [
  { ...sampleConnector, connectorId: "CONN-1", name: "One", phoneNumbers: [N1, N1B] },
  {
    ...sampleConnector,
    connectorId: "CONN-2",
    name: "Two",
    clientEnv: "sandbox",
    phoneNumbers: [N2],
  },
  {
    ...sampleConnector,
    connectorId: "CONN-X",
    name: "Other project",
    projectId: OTHER,
    accountId: "ws-other01",
    phoneNumbers: [N_OTHER],
  },
];
const seedOptions: MockPolyAIOptions = {
  apiKey: KEY,
  connectors,
  phoneNumbers: [{ number: N3, agentId: AGENT }],
};

/** A number of AGENT as the API shows it. */
function pn(
  number: string,
  connectorId?: string,
  clientEnv: "live" | "sandbox" | "pre-release" = "live",
) {
  return {
    number,
    projectId: AGENT,
    accountId: ACCOUNT,
    clientEnv,
    ...(connectorId === undefined ? {} : { connectorId }),
  };
}

/** A number of AGENT as `mock.phoneNumbers` shows it. */
function stored(...args: Parameters<typeof pn>): MockPhoneNumber {
  return { ...pn(...args), agentId: AGENT };
}

const initialState: MockPhoneNumber[] = [
  stored(N1, "CONN-1"),
  stored(N1B, "CONN-1"),
  stored(N2, "CONN-2", "sandbox"),
  {
    number: N_OTHER,
    projectId: OTHER,
    accountId: "ws-other01",
    clientEnv: "live",
    connectorId: "CONN-X",
    agentId: OTHER,
  },
  stored(N3),
];

/** `mock.phoneNumbers` of one agent, by number, so order does not matter. */
function byNumber(numbers: readonly { number: string }[]) {
  return [...numbers].sort((a, b) => a.number.localeCompare(b.number));
}

let mock: MockPolyAI;
let poly: PolyAIClient;

async function start(options: MockPolyAIOptions = seedOptions): Promise<void> {
  mock = await createMockPolyAI(options);
  poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 0 });
}

beforeEach(async () => {
  await start();
});
afterEach(async () => {
  vi.restoreAllMocks();
  await mock.close();
});

/** The last request the mock received: method, path (as sent) and parsed body. */
function lastRequest() {
  const { method, path, body } = mock.requests.at(-1) ?? {};
  return { method, path, body };
}

/** A raw request with the key, for what the SDK would refuse to send. */
async function raw(method: string, path: string, body?: unknown) {
  const res = await fetch(`${mock.url}${path}`, {
    method,
    headers: {
      "x-api-key": KEY,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
}

describe("every phone-number operation", () => {
  it("starts from the seed: connector numbers and the unrouted option numbers", () => {
    expect(mock.phoneNumbers).toEqual(initialState);
    // Deep copies: changing them changes nothing.
    const copy = mock.phoneNumbers;
    copy[0]!.connectorId = "CONN-2";
    expect(mock.phoneNumbers[0]?.connectorId).toBe("CONN-1");
  });

  it("list: every number of the agent, routed or not; another agent's are not there", async () => {
    const all = await poly.phoneNumbers.list(AGENT);
    expect(byNumber(all)).toEqual(
      byNumber([pn(N1, "CONN-1"), pn(N1B, "CONN-1"), pn(N2, "CONN-2", "sandbox"), pn(N3)]),
    );
    expect(all.find((n) => n.number === N3)).not.toHaveProperty("connectorId");
    expect(lastRequest()).toEqual({ method: "GET", path: PN, body: undefined });
  });

  it("list with connectorId: only the numbers routed to it; an unknown connector matches none", async () => {
    expect(byNumber(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-1" }))).toEqual([
      pn(N1, "CONN-1"),
      pn(N1B, "CONN-1"),
    ]);
    expect(lastRequest()).toEqual({
      method: "GET",
      path: `${PN}?connectorId=CONN-1`,
      body: undefined,
    });
    expect(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-missing" })).toEqual([]);
    // A connector of another agent is one this agent does not have.
    expect(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-X" })).toEqual([]);
    expect(mock.phoneNumbers).toEqual(initialState);
  });

  it("get: one number with its route, or without one when unrouted", async () => {
    expect(await poly.phoneNumbers.get(AGENT, N2)).toEqual(pn(N2, "CONN-2", "sandbox"));
    expect(lastRequest()).toEqual({ method: "GET", path: `${PN}/%2B14155550102`, body: undefined });
    const unrouted = await poly.phoneNumbers.get(AGENT, N3);
    expect(unrouted).toEqual(pn(N3));
    expect(unrouted).not.toHaveProperty("connectorId");
  });

  it("batchGet: the agent's numbers in found, the rest (missing or another agent's) in notFound", async () => {
    const result = await poly.phoneNumbers.batchGet(AGENT, [N1, MISSING, N_OTHER, N3]);
    expect(result).toEqual({ found: [pn(N1, "CONN-1"), pn(N3)], notFound: [MISSING, N_OTHER] });
    expect(lastRequest()).toEqual({
      method: "POST",
      path: `${PN}/batch`,
      body: { phoneNumbers: [N1, MISSING, N_OTHER, N3] },
    });
    expect(mock.phoneNumbers).toEqual(initialState);
  });

  it("import: new numbers unrouted for clientEnv; a number already there is listed and unchanged", async () => {
    const result = await poly.phoneNumbers.import(AGENT, ["+14155550104", N1], {
      clientEnv: "sandbox",
    });
    expect(result).toEqual({ imported: ["+14155550104", N1] });
    expect(lastRequest()).toEqual({
      method: "POST",
      path: PN,
      body: { phoneNumbers: ["+14155550104", N1], clientEnv: "sandbox" },
    });
    expect(mock.phoneNumbers).toEqual([
      ...initialState,
      stored("+14155550104", undefined, "sandbox"),
    ]);
    // Without clientEnv: live.
    await poly.phoneNumbers.import(AGENT, ["+14155550105"]);
    expect(lastRequest().body).toEqual({ phoneNumbers: ["+14155550105"] });
    expect(mock.phoneNumbers.at(-1)).toEqual(stored("+14155550105"));
  });

  it("importOne: without settings sends {} for live (#24: PolyAI requires a body), with settings their clientEnv; again is a no-op", async () => {
    expect(await poly.phoneNumbers.importOne(AGENT, "+14155550104")).toEqual({
      imported: "+14155550104",
    });
    expect(lastRequest()).toEqual({
      method: "POST",
      path: `${PN}/%2B14155550104`,
      body: {},
    });
    expect(mock.phoneNumbers.at(-1)).toEqual(stored("+14155550104"));

    await poly.phoneNumbers.importOne(AGENT, "+14155550105", { clientEnv: "pre-release" });
    expect(lastRequest()).toEqual({
      method: "POST",
      path: `${PN}/%2B14155550105`,
      body: { clientEnv: "pre-release" },
    });
    expect(mock.phoneNumbers.at(-1)).toEqual(stored("+14155550105", undefined, "pre-release"));

    // Re-importing a routed number keeps its route and clientEnv.
    const before = mock.phoneNumbers;
    expect(await poly.phoneNumbers.importOne(AGENT, N2, { clientEnv: "live" })).toEqual({
      imported: N2,
    });
    expect(mock.phoneNumbers).toEqual(before);
  });

  it("importOne: a request without a body is refused with 400, as PolyAI's spec requires one (#24)", async () => {
    const reply = await raw("POST", `${PN}/%2B14155550106`);
    expect(reply.status).toBe(400);
    expect(mock.phoneNumbers.some((n) => n.number === "+14155550106")).toBe(false);
  });

  it("reassign: moves the route only; to the same connector again is a no-op", async () => {
    expect(await poly.phoneNumbers.reassign(AGENT, N2, "CONN-1")).toEqual(
      pn(N2, "CONN-1", "sandbox"),
    );
    expect(lastRequest()).toEqual({
      method: "PATCH",
      path: `${PN}/%2B14155550102`,
      body: { connectorId: "CONN-1" },
    });
    expect(mock.phoneNumbers.find((n) => n.number === N2)).toEqual(stored(N2, "CONN-1", "sandbox"));
    // An unrouted number gets its first route.
    expect(await poly.phoneNumbers.reassign(AGENT, N3, "CONN-2")).toEqual(pn(N3, "CONN-2"));
    const after = mock.phoneNumbers;
    expect(await poly.phoneNumbers.reassign(AGENT, N3, "CONN-2")).toEqual(pn(N3, "CONN-2"));
    expect(mock.phoneNumbers).toEqual(after);
  });

  it("delete: releases the number and leaves its connector; a second delete is 404", async () => {
    expect(await poly.phoneNumbers.delete(AGENT, N1)).toEqual({ deleted: N1 });
    expect(lastRequest()).toEqual({
      method: "DELETE",
      path: `${PN}/%2B14155550101`,
      body: undefined,
    });
    expect(mock.phoneNumbers).toEqual(initialState.filter((n) => n.number !== N1));
    expect(mock.connectors.map((c) => c.connectorId)).toEqual(["CONN-1", "CONN-2", "CONN-X"]);
    const again = await poly.phoneNumbers.delete(AGENT, N1).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(NotFoundError);
    expect((again as NotFoundError).code).toBe("PHONE_NUMBERS_NOT_FOUND");
    // A released number can be imported again: unrouted now.
    await poly.phoneNumbers.importOne(AGENT, N1);
    expect(mock.phoneNumbers.at(-1)).toEqual(stored(N1));
  });

  it("deleteMany: releases every number asked for", async () => {
    expect(await poly.phoneNumbers.deleteMany(AGENT, [N1, N3])).toEqual({
      deleted: [N1, N3],
      errors: [],
    });
    expect(lastRequest()).toEqual({
      method: "DELETE",
      path: PN,
      body: { phoneNumbers: [N1, N3] },
    });
    expect(mock.phoneNumbers).toEqual(
      initialState.filter((n) => n.number !== N1 && n.number !== N3),
    );
  });
});

describe("the number in the path", () => {
  it("is sent as %2B… and reaches the store as +…", async () => {
    const getNumber = vi.spyOn(ConnectorStore.prototype, "getNumber");
    const reassignNumber = vi.spyOn(ConnectorStore.prototype, "reassignNumber");
    await poly.phoneNumbers.get(AGENT, N1);
    await poly.phoneNumbers.reassign(AGENT, N3, "CONN-1");
    expect(mock.requests.map((r) => r.path)).toEqual([
      `${PN}/%2B14155550101`,
      `${PN}/%2B14155550103`,
    ]);
    expect(getNumber).toHaveBeenCalledWith(AGENT, N1);
    expect(reassignNumber).toHaveBeenCalledWith(AGENT, N3, "CONN-1");
    expect(mock.phoneNumbers.find((n) => n.number === N3)?.connectorId).toBe("CONN-1");
  });

  it("names the same number whether its + is encoded or not (no form decoding)", async () => {
    const encoded = await raw("GET", `${PN}/%2B14155550101`);
    const literal = await raw("GET", `${PN}/+14155550101`);
    expect(encoded.status).toBe(200);
    expect(literal.json).toEqual(encoded.json);
    expect(encoded.json["number"]).toBe(N1);
  });
});

describe("one state for connectors and numbers", () => {
  it("import, get, list, filter, reassign, lookup, connectors.delete, batchGet and deleteMany agree", async () => {
    const NEW_A = "+442079460003";
    const NEW_B = "+442079460004";

    // Import two numbers: unrouted, so lookup does not find them.
    await poly.phoneNumbers.import(AGENT, [NEW_A, NEW_B]);
    expect(await poly.phoneNumbers.get(AGENT, NEW_A)).toEqual(pn(NEW_A));
    await expect(poly.connectors.lookup(AGENT, NEW_A)).rejects.toMatchObject({
      status: 404,
      code: "PHONE_NUMBERS_NOT_FOUND",
    });
    expect(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-2" })).toEqual([
      pn(N2, "CONN-2", "sandbox"),
    ]);

    // Route one to CONN-2 and move N1 from CONN-1 onto CONN-2 as well.
    await poly.phoneNumbers.reassign(AGENT, NEW_A, "CONN-2");
    await poly.phoneNumbers.reassign(AGENT, N1, "CONN-2");
    expect((await poly.connectors.lookup(AGENT, NEW_A)).connectorId).toBe("CONN-2");
    expect((await poly.connectors.lookup(AGENT, N1)).connectorId).toBe("CONN-2");
    expect(byNumber(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-2" }))).toEqual(
      byNumber([pn(N2, "CONN-2", "sandbox"), pn(NEW_A, "CONN-2"), pn(N1, "CONN-2")]),
    );
    expect(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-1" })).toEqual([
      pn(N1B, "CONN-1"),
    ]);

    // Deleting CONN-2 releases what routes to it now, including the numbers moved onto it.
    const deleted = await poly.connectors.delete(AGENT, "CONN-2");
    expect(deleted.deletedConnector).toBe("CONN-2");
    expect([...deleted.deletedPhoneNumbers].sort()).toEqual([N1, N2, NEW_A].sort());
    for (const number of [N1, N2, NEW_A]) {
      await expect(poly.phoneNumbers.get(AGENT, number)).rejects.toBeInstanceOf(NotFoundError);
      await expect(poly.connectors.lookup(AGENT, number)).rejects.toBeInstanceOf(NotFoundError);
    }
    expect(byNumber(await poly.phoneNumbers.list(AGENT))).toEqual(
      byNumber([pn(N1B, "CONN-1"), pn(N3), pn(NEW_B)]),
    );

    // batchGet sees the same, and deleteMany releases what is left but one.
    expect(await poly.phoneNumbers.batchGet(AGENT, [N1, N1B, NEW_A, NEW_B])).toEqual({
      found: [pn(N1B, "CONN-1"), pn(NEW_B)],
      notFound: [N1, NEW_A],
    });
    expect(await poly.phoneNumbers.deleteMany(AGENT, [N1B, NEW_B, NEW_A])).toEqual({
      deleted: [N1B, NEW_B],
      errors: [{ phoneNumber: NEW_A, error: `Phone number ${NEW_A} not found` }],
    });
    expect(await poly.phoneNumbers.list(AGENT)).toEqual([pn(N3)]);
    // CONN-1 lost its last number and stays; the other agent is untouched.
    expect(mock.connectors.map((c) => c.connectorId)).toEqual(["CONN-1", "CONN-X"]);
    expect(mock.phoneNumbers).toEqual([initialState[3], stored(N3)]);
  });
});

describe("errors", () => {
  it("404 PHONE_NUMBERS_NOT_FOUND for a missing number and for another agent's", async () => {
    for (const number of [MISSING, N_OTHER]) {
      for (const call of [
        () => poly.phoneNumbers.get(AGENT, number),
        () => poly.phoneNumbers.reassign(AGENT, number, "CONN-1"),
        () => poly.phoneNumbers.delete(AGENT, number),
      ]) {
        const err = await call().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(NotFoundError);
        expect((err as NotFoundError).code).toBe("PHONE_NUMBERS_NOT_FOUND");
        expect((err as NotFoundError).message).toContain(number);
      }
    }
    expect(mock.phoneNumbers).toEqual(initialState);
  });

  it("reassign to a connector the agent does not have: 404 CONNECTORS_NOT_FOUND, nothing changes", async () => {
    for (const connectorId of ["CONN-missing", "CONN-X"]) {
      const err = await poly.phoneNumbers.reassign(AGENT, N1, connectorId).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).code).toBe("CONNECTORS_NOT_FOUND");
    }
    expect(mock.phoneNumbers).toEqual(initialState);
    expect((await poly.connectors.lookup(AGENT, N1)).connectorId).toBe("CONN-1");
  });

  it("reassign with both missing: the number is checked first", async () => {
    const err = await poly.phoneNumbers
      .reassign(AGENT, MISSING, "CONN-missing")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe("PHONE_NUMBERS_NOT_FOUND");
  });

  it("import of another project's number: 403, and nothing of the request is imported", async () => {
    const many = await poly.phoneNumbers
      .import(AGENT, ["+14155550104", N_OTHER])
      .catch((e: unknown) => e);
    expect(many).toBeInstanceOf(PermissionDeniedError);
    expect((many as PermissionDeniedError).code).toBe("USER_ACCESS_FORBIDDEN");
    expect((many as PermissionDeniedError).message).toContain(N_OTHER);
    const one = await poly.phoneNumbers.importOne(AGENT, N_OTHER).catch((e: unknown) => e);
    expect(one).toBeInstanceOf(PermissionDeniedError);
    expect(mock.phoneNumbers).toEqual(initialState);
  });

  it.each([
    ["GET", "the path", `${PN}/${encodeURIComponent("0207 946 0000")}`, undefined, "phoneNumber"],
    ["POST", "the path of importOne", `${PN}/%2B0123`, undefined, "phoneNumber"],
    ["DELETE", "the path of delete", `${PN}/14155550101`, undefined, "phoneNumber"],
    ["POST", "the import body", PN, { phoneNumbers: [N1, "+1 415 555 0104"] }, "phoneNumbers[1]"],
    [
      "POST",
      "the batchGet body",
      `${PN}/batch`,
      { phoneNumbers: ["4155550101"] },
      "phoneNumbers[0]",
    ],
    ["DELETE", "the deleteMany body", PN, { phoneNumbers: ["+14155550101x"] }, "phoneNumbers[0]"],
    [
      "POST",
      "the lookup body",
      `/v1/agents/${AGENT}/telephony/connectors/lookup`,
      { phoneNumber: "+" },
      "phoneNumber",
    ],
  ])(
    "400 PHONE_NUMBERS_INVALID_PHONE_NUMBER_FORMAT for a number not in E.164 in %s %s",
    async (method, _where, path, body, field) => {
      const reply = await raw(method, path, body);
      expect(reply.status).toBe(400);
      expect(reply.json).toMatchObject({
        success: false,
        error: "Invalid phone number",
        error_code: "PHONE_NUMBERS_INVALID_PHONE_NUMBER_FORMAT",
      });
      const message = String(reply.json["error_message"]);
      expect(message.startsWith(`${field}: `), message).toBe(true);
      // A pattern failure names what the value should be, from the schema's title.
      if (message.includes("pattern")) expect(message).toMatch(/E\.164 phone number/);
      expect(mock.phoneNumbers).toEqual(initialState);
    },
  );

  it("a non-number error in a phone-number body keeps the generic validation code", async () => {
    const reply = await raw("POST", PN, { phoneNumbers: [N1, N1] });
    expect(reply.status).toBe(400);
    expect(reply.json["error_code"]).toBe("CONNECTORS_VALIDATION_FAILED");
    const unknown = await raw("PATCH", `${PN}/%2B14155550101`, { connectorId: "CONN-1", x: 1 });
    expect(unknown.json["error_code"]).toBe("CONNECTORS_VALIDATION_FAILED");
  });
});

describe("deleteMany partial success", () => {
  it("lists a missing number in errors and releases the rest", async () => {
    const result = await poly.phoneNumbers.deleteMany(AGENT, [N1, MISSING, N_OTHER, N2]);
    expect(result).toEqual({
      deleted: [N1, N2],
      errors: [
        { phoneNumber: MISSING, error: `Phone number ${MISSING} not found` },
        { phoneNumber: N_OTHER, error: `Phone number ${N_OTHER} not found` },
      ],
    });
    expect(mock.phoneNumbers).toEqual(
      initialState.filter((n) => n.number !== N1 && n.number !== N2),
    );
  });

  it("omits errors on the wire when every number is released; the SDK fills in []", async () => {
    const wire = await raw("DELETE", PN, { phoneNumbers: [N1] });
    expect(wire.status).toBe(200);
    expect(JSON.parse(wire.text)).toStrictEqual({ deleted: [N1] });

    const bodies: string[] = [];
    const spying = createPolyAIClient({
      apiKey: mock.apiKey,
      baseUrl: mock.url,
      maxRetries: 0,
      fetch: async (input, init) => {
        const res = await fetch(input, init);
        bodies.push(await res.clone().text());
        return res;
      },
    });
    expect(await spying.phoneNumbers.deleteMany(AGENT, [N2, N3])).toStrictEqual({
      deleted: [N2, N3],
      errors: [],
    });
    expect(bodies).toEqual([JSON.stringify({ deleted: [N2, N3] })]);
  });
});

describe("faults and latency", () => {
  it("failNext fails the next phone-number request, which changes nothing; the one after works", async () => {
    mock.failNext({ status: 503, errorCode: "INTERNAL_SERVER_ERROR" });
    const err = await poly.phoneNumbers.reassign(AGENT, N3, "CONN-1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InternalServerError);
    expect((err as InternalServerError).status).toBe(503);
    expect(mock.phoneNumbers).toEqual(initialState);
    expect(await poly.phoneNumbers.reassign(AGENT, N3, "CONN-1")).toEqual(pn(N3, "CONN-1"));
    expect(mock.requests).toHaveLength(2);
  });

  it("failNext with a 404 in PolyAI's envelope reads as the operation's NotFoundError", async () => {
    mock.failNext({ status: 404, errorCode: "PHONE_NUMBERS_NOT_FOUND", message: "injected" });
    const err = await poly.phoneNumbers.get(AGENT, N1).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).code).toBe("PHONE_NUMBERS_NOT_FOUND");
    expect(await poly.phoneNumbers.get(AGENT, N1)).toEqual(pn(N1, "CONN-1"));
  });

  it("delay slows phone-number answers; past the client's timeout the call times out", async () => {
    mock.delay(150);
    const started = performance.now();
    expect(await poly.phoneNumbers.list(AGENT, { connectorId: "CONN-2" })).toEqual([
      pn(N2, "CONN-2", "sandbox"),
    ]);
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    await expect(poly.phoneNumbers.get(AGENT, N1, { timeoutMs: 50 })).rejects.toBeInstanceOf(
      APITimeoutError,
    );
    mock.delay(0);
    mock.failNext({ delayMs: 150 });
    await expect(poly.phoneNumbers.batchGet(AGENT, [N1], { timeoutMs: 50 })).rejects.toBeInstanceOf(
      APITimeoutError,
    );
    expect(await poly.phoneNumbers.get(AGENT, N1)).toEqual(pn(N1, "CONN-1"));
  });
});

describe("the phoneNumbers option", () => {
  it("defaults: the agent's project and account, clientEnv live, unrouted; with connectorId the connector's", async () => {
    await mock.close();
    await start({
      apiKey: KEY,
      connectors,
      phoneNumbers: [
        { number: "+442079460003", agentId: AGENT },
        { number: "+442079460004", agentId: AGENT, connectorId: "CONN-2" },
        {
          number: "+442079460005",
          agentId: AGENT,
          connectorId: "CONN-2",
          clientEnv: "pre-release",
          projectId: "PROJECT-X",
          accountId: "ws-x",
        },
        { number: "+442079460006", agentId: "AGENT-new" },
        { number: "+442079460007", agentId: "AGENT-acct", accountId: "ws-acct", projectId: "P-A" },
      ],
      // AGENT-none is served with nothing seeded: an agent the key reaches, empty.
      allowedProjects: [AGENT, "AGENT-none"],
    });
    expect(mock.phoneNumbers.slice(4)).toEqual([
      stored("+442079460003"),
      stored("+442079460004", "CONN-2", "sandbox"),
      {
        number: "+442079460005",
        agentId: AGENT,
        projectId: "PROJECT-X",
        accountId: "ws-x",
        clientEnv: "pre-release",
        connectorId: "CONN-2",
      },
      {
        number: "+442079460006",
        agentId: "AGENT-new",
        projectId: "AGENT-new",
        accountId: "ws-local",
        clientEnv: "live",
      },
      {
        number: "+442079460007",
        agentId: "AGENT-acct",
        projectId: "P-A",
        accountId: "ws-acct",
        clientEnv: "live",
      },
    ]);
    // Imports take the agent's project and account the same way.
    await poly.phoneNumbers.import("AGENT-acct", ["+442079460008"]);
    await poly.phoneNumbers.import("AGENT-none", ["+442079460009"]);
    expect(mock.phoneNumbers.slice(-2)).toEqual([
      {
        number: "+442079460008",
        agentId: "AGENT-acct",
        projectId: "P-A",
        accountId: "ws-acct",
        clientEnv: "live",
      },
      {
        number: "+442079460009",
        agentId: "AGENT-none",
        projectId: "AGENT-none",
        accountId: "ws-local",
        clientEnv: "live",
      },
    ]);
    // The option's routed number is found by lookup.
    expect((await poly.connectors.lookup(AGENT, "+442079460004")).connectorId).toBe("CONN-2");
  });

  it.each([
    ["not an array", { number: N3 }, /phoneNumbers: must be an array/],
    ["not an object", ["+442079460003"], /phoneNumbers\[0\]: must be an object/],
    [
      "an unknown field",
      [{ number: N3, agentId: AGENT, route: "x" }],
      /phoneNumbers\[0\]\.route: unknown field/,
    ],
    ["no number", [{ agentId: AGENT }], /phoneNumbers\[0\]\.number: is required/],
    [
      "a number not in E.164",
      [{ number: "0207 946 0000", agentId: AGENT }],
      /phoneNumbers\[0\]\.number: /,
    ],
    ["no agentId", [{ number: "+442079460003" }], /phoneNumbers\[0\]\.agentId: is required/],
    [
      "a bad agentId",
      [{ number: "+442079460003", agentId: "a b" }],
      /phoneNumbers\[0\]\.agentId: /,
    ],
    [
      "a number a connector already has",
      [{ number: N1, agentId: AGENT }],
      /phoneNumbers\[0\]\.number: \+14155550101 is already seeded .*CONN-1/,
    ],
    [
      "a number twice",
      [
        { number: "+442079460003", agentId: AGENT },
        { number: "+442079460003", agentId: OTHER },
      ],
      /phoneNumbers\[1\]\.number: .*already seeded/,
    ],
    [
      "a connector of another agent",
      [{ number: "+442079460003", agentId: AGENT, connectorId: "CONN-X" }],
      /phoneNumbers\[0\]\.connectorId: no connector "CONN-X" is seeded under agent PROJECT-58RP822I/,
    ],
    [
      "a bad clientEnv",
      [{ number: "+442079460003", agentId: AGENT, clientEnv: "prod" }],
      /phoneNumbers\[0\]\.clientEnv: /,
    ],
    [
      "an empty accountId",
      [{ number: "+442079460003", agentId: AGENT, accountId: "" }],
      /phoneNumbers\[0\]\.accountId: must be a non-empty string/,
    ],
    [
      "a projectId that is not a string",
      [{ number: "+442079460003", agentId: AGENT, projectId: 7 }],
      /phoneNumbers\[0\]\.projectId: must be a non-empty string/,
    ],
  ])("refuses %s with a TypeError naming the field", async (_name, phoneNumbers, message) => {
    const attempt = createMockPolyAI({
      connectors,
      phoneNumbers: phoneNumbers as MockPolyAIOptions["phoneNumbers"],
    });
    await expect(attempt).rejects.toThrow(TypeError);
    await expect(attempt).rejects.toThrow(message);
  });

  it("is a known option: a near miss is named", async () => {
    await expect(
      createMockPolyAI({ phonenumbers: [] } as unknown as MockPolyAIOptions),
    ).rejects.toThrow(/"phonenumbers" is not an option; did you mean "phoneNumbers"\?/);
  });
});

describe("lookup of a number that routes nowhere", () => {
  it("is a 404 that says the number is not routed, not that it does not exist", async () => {
    const mock = await createMockPolyAI({
      apiKey: "sk-unrouted-lookup",
      connectors: [sampleConnector],
      phoneNumbers: [{ number: "+442079460088", agentId: sampleConnector.projectId }],
    });
    try {
      const poly = createPolyAIClient({ apiKey: mock.apiKey, baseUrl: mock.url, maxRetries: 0 });
      const err = await poly.connectors
        .lookup(sampleConnector.projectId, "+442079460088")
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(NotFoundError);
      expect((err as NotFoundError).code).toBe("PHONE_NUMBERS_NOT_FOUND");
      expect((err as Error).message).toContain("routes to no connector; reassign it to one first");
    } finally {
      await mock.close();
    }
  });
});
