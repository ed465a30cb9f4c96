// Every public entry point against every class of bad value: each must throw an
// InvalidInputError whose `field` names the input, before anything is sent. The
// client under test has a `fetch` that records calls; it must never be called.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  InvalidInputError,
  applyConnectorPatch,
  createPolyAIClient,
  parseVoiceName,
  ttsLangCodeFromVoice,
  type Connector,
  type ConnectorPatch,
} from "../src/index.js";
import { sampleConnector } from "./support/fixtures.js";
// The recording server and the fixture key and IDs of the tests that use it; those
// tests bind its names at the top of their describe blocks (see support/loopback.ts).
import * as loopback from "./support/loopback.js";

const KEY = "sk-bad-input-test-key";
const AGENT = "PROJECT-58RP822I";
const CONN = "CONN-7d2f9a";
const VOICE = "en-GB-Neural2-A";
const PHONE = "+14155550123";

let sent: unknown[] = [];
const recordingFetch: typeof fetch = async (...args) => {
  sent.push(args);
  return new Response(JSON.stringify(sampleConnector), {
    status: 200,
    headers: { "Content-Type": "application/json" },
  });
};
const poly = createPolyAIClient({
  apiKey: KEY,
  baseUrl: "http://127.0.0.1:9",
  fetch: recordingFetch,
  maxRetries: 0,
});
const { connectors } = poly;

beforeEach(() => {
  sent = [];
  vi.stubEnv("POLYAI_API_KEY", "");
  vi.stubEnv("POLYAI_REGION", "");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

/** A value of the wrong type, passed where the types would not allow it. */
const bad = (value: unknown) => value as never;

type Values = readonly (readonly [label: string, value: unknown])[];

/** Bad values for any identifier (agent, connector, variant, project IDs). */
const BAD_IDS: Values = [
  ["a number", 42],
  ["NaN", NaN],
  ["an object", { id: CONN }],
  ["an array", [CONN]],
  ["null", null],
  ["undefined", undefined],
  ["empty", ""],
  ["whitespace only", "   "],
  ["an inner space", "CONN 7d2f9a"],
  ["a trailing newline", `${CONN}\n`],
  ["a tab", "CONN\t7d2f9a"],
  ["the dot segment .", "."],
  ["the dot segment ..", ".."],
  ["a NUL", "CONN\u00007d2f9a"],
  ["DEL", "CONN-7d2f9a\u007f"],
  ["257 characters", "C".repeat(257)],
  ["a Cyrillic look-alike", "\u0421ONN-7d2f9a"],
  ["a zero-width space", "CONN-\u200b7d2f9a"],
  ["a no-break space", "CONN\u00a07d2f9a"],
  ["a full-width letter", "\uff23ONN-7d2f9a"],
];

const BAD_VOICES: Values = [
  ["a number", 42],
  ["NaN", NaN],
  ["an array", [VOICE]],
  ["null", null],
  ["empty", ""],
  ["whitespace only", "   "],
  ["a trailing space", `${VOICE} `],
  ["an inner space", "en-GB-Neural2 A"],
  ["a NUL", `${VOICE}\u0000`],
  ["a newline", "en-GB-\nNeural2-A"],
  ["the dot segment ..", ".."],
  ["101 characters", `en-GB-Neural2-${"A".repeat(87)}`],
  ["a Cyrillic look-alike", "en-GB-Neural2-\u0410"],
  ["a Greek look-alike in the locale", "\u03b5n-GB-Neural2-A"],
  ["a full-width hyphen", "en\uff0dGB-Neural2-A"],
  ["a non-breaking hyphen", "en\u2011GB-Neural2-A"],
  ["a locale only", "en-GB"],
  ["no variant", "en-GB-Neural2"],
  ["a doubled hyphen", "en--GB-Neural2-A"],
  ["a trailing hyphen", `${VOICE}-`],
  ["an underscore", "en_GB-Neural2-A"],
  ["a region of one letter", "en-G-Neural2-A"],
  ["a language of four letters", "engl-GB-Neural2-A"],
];

const BAD_PHONES: Values = [
  ["a number", 14155550123],
  ["NaN", NaN],
  ["null", null],
  ["undefined", undefined],
  ["empty", ""],
  ["whitespace only", "  "],
  ["no plus", "14155550123"],
  ["a leading zero", "+04155550123"],
  ["spaces", "+1 415 555 0123"],
  ["hyphens", "+1-415-555-0123"],
  ["a trailing newline", `${PHONE}\n`],
  ["16 digits", "+1415555012345678"],
  ["Arabic-Indic digits", "+\u0661\u0664\u0661\u0665\u0665\u0665\u0665\u0660\u0661\u0662\u0663"],
  ["a full-width plus", "\uff0b14155550123"],
  ["a NUL", "+1415555\u00000123"],
];

const BAD_LANGS: Values = [
  ["a number", 42],
  ["null", null],
  ["empty", ""],
  ["whitespace only", " "],
  ["a word", "english"],
  ["an underscore", "en_GB"],
  ["a trailing space", "en-GB "],
  ["a Cyrillic look-alike", "\u0435n-GB"],
  ["36 characters", `en-${"a".repeat(33)}`],
  ["a NUL", "en\u0000GB"],
];

/** Bad per-call options, with the field each must be reported under. */
const BAD_OPTIONS: readonly (readonly [label: string, options: unknown, field: string])[] = [
  ["a string", "fast", "options"],
  ["null", null, "options"],
  ["an array", [], "options"],
  ["an unknown key", { retries: 2 }, "options.retries"],
  ["a client-only key", { backoff: { initialMs: 1 } }, "options.backoff"],
  ["maxRetries NaN", { maxRetries: NaN }, "options.maxRetries"],
  ["maxRetries -1", { maxRetries: -1 }, "options.maxRetries"],
  ["maxRetries 11", { maxRetries: 11 }, "options.maxRetries"],
  ["maxRetries 1.5", { maxRetries: 1.5 }, "options.maxRetries"],
  ["maxRetries a string", { maxRetries: "2" }, "options.maxRetries"],
  ["maxRetries null", { maxRetries: null }, "options.maxRetries"],
  ["timeoutMs 0", { timeoutMs: 0 }, "options.timeoutMs"],
  ["timeoutMs NaN", { timeoutMs: NaN }, "options.timeoutMs"],
  ["timeoutMs Infinity", { timeoutMs: Infinity }, "options.timeoutMs"],
  ["timeoutMs over setTimeout's limit", { timeoutMs: 2 ** 31 }, "options.timeoutMs"],
  ["signal a string", { signal: "abort" }, "options.signal"],
  ["signal null", { signal: null }, "options.signal"],
  ["signal an AbortController", { signal: new AbortController() }, "options.signal"],
  ["headers a string", { headers: "x-a: 1" }, "options.headers"],
  ["headers null", { headers: null }, "options.headers"],
  ["a header value of a number", { headers: { "x-a": 1 } }, "options.headers.x-a"],
  ["a header name with a space", { headers: { "x a": "1" } }, "options.headers.x a"],
  ["a header value with CRLF", { headers: { "x-a": "1\r\nx-injected: 1" } }, "options.headers.x-a"],
];

interface Case {
  readonly name: string;
  readonly field: string;
  readonly run: () => unknown;
}

const cases: Case[] = [];
function add(name: string, field: string, run: () => unknown): void {
  cases.push({ name, field, run });
}
function each(values: Values, what: string, field: string, run: (value: unknown) => unknown): void {
  for (const [label, value] of values) add(`${what}: ${label}`, field, () => run(value));
}

// Path parameters, in every method that takes them.
each(BAD_IDS, "list agentId", "agentId", (v) => connectors.list(bad(v)));
each(BAD_IDS, "get agentId", "agentId", (v) => connectors.get(bad(v), CONN));
each(BAD_IDS, "update agentId", "agentId", (v) =>
  connectors.update(bad(v), CONN, { voiceName: VOICE }),
);
each(BAD_IDS, "delete agentId", "agentId", (v) => connectors.delete(bad(v), CONN));
each(BAD_IDS, "batchGet agentId", "agentId", (v) => connectors.batchGet(bad(v), [CONN]));
each(BAD_IDS, "batchUpdate agentId", "agentId", (v) =>
  connectors.batchUpdate(bad(v), [{ connectorId: CONN, voiceName: VOICE }]),
);
each(BAD_IDS, "lookup agentId", "agentId", (v) => connectors.lookup(bad(v), PHONE));
const BAD_CONNECTOR_IDS: Values = [
  ...BAD_IDS,
  ["the batch endpoint", "batch"],
  ["the lookup endpoint", "lookup"],
];
each(BAD_CONNECTOR_IDS, "get connectorId", "connectorId", (v) => connectors.get(AGENT, bad(v)));
each(BAD_CONNECTOR_IDS, "update connectorId", "connectorId", (v) =>
  connectors.update(AGENT, bad(v), { voiceName: VOICE }),
);
each(BAD_CONNECTOR_IDS, "delete connectorId", "connectorId", (v) =>
  connectors.delete(AGENT, bad(v)),
);

// Patches: single, batch item, and the pure applyConnectorPatch.
const CONNECTOR: Connector = { ...sampleConnector, connectorId: CONN, projectId: AGENT };
const patchTargets: readonly (readonly [
  what: string,
  prefix: string,
  run: (patch: unknown) => unknown,
])[] = [
  ["update", "", (p) => connectors.update(AGENT, CONN, bad(p))],
  ["update dryRun", "", (p) => connectors.update(AGENT, CONN, bad(p), { dryRun: true })],
  ["applyConnectorPatch", "", (p) => applyConnectorPatch(CONNECTOR, bad(p))],
  [
    "batchUpdate",
    "updates[1].",
    (p) =>
      connectors.batchUpdate(AGENT, [
        { connectorId: "CONN-first", voiceName: VOICE },
        bad({ connectorId: CONN, ...(p as object) }),
      ]),
  ],
];
for (const [what, prefix, run] of patchTargets) {
  each(BAD_VOICES, `${what} voiceName`, `${prefix}voiceName`, (v) => run({ voiceName: v }));
  each(BAD_LANGS, `${what} asrLangCode`, `${prefix}asrLangCode`, (v) => run({ asrLangCode: v }));
  each(
    BAD_IDS.filter(([label]) => label !== "null" && label !== "undefined"),
    `${what} variantId`,
    `${prefix}variantId`,
    (v) => run({ variantId: v }),
  );
  each(
    BAD_IDS.filter(([label]) => label !== "undefined"),
    `${what} projectId`,
    `${prefix}projectId`,
    (v) => run({ projectId: v }),
  );
  add(`${what}: a misspelt key`, `${prefix}voicename`, () => run({ voicename: VOICE }));
  add(`${what}: a read-only field`, `${prefix}ttsLangCode`, () =>
    run({ voiceName: VOICE, ttsLangCode: "en-GB" }),
  );
  add(`${what}: an unknown field`, `${prefix}disableHandoff`, () => run({ disableHandoff: true }));
  add(`${what}: a __proto__ key`, `${prefix}__proto__`, () =>
    run(JSON.parse(`{"voiceName":"${VOICE}","__proto__":{"x":1}}`)),
  );
}
for (const [what, run] of [
  ["update", (p: unknown) => connectors.update(AGENT, CONN, bad(p))],
  ["applyConnectorPatch", (p: unknown) => applyConnectorPatch(CONNECTOR, bad(p))],
] as const) {
  for (const [label, patch] of [
    ["null", null],
    ["a string", VOICE],
    ["an array", [{ voiceName: VOICE }]],
    ["a Map", new Map([["voiceName", VOICE]])],
    ["empty", {}],
    ["only undefined values", { voiceName: undefined, variantId: undefined }],
  ] as const) {
    add(`${what} patch: ${label}`, "patch", () => run(patch));
  }
  add(`${what} patch: connectorId`, "connectorId", () =>
    run({ connectorId: CONN, voiceName: VOICE }),
  );
}

// Batches.
for (const [label, value, field] of [
  ["not an array", CONN, "connectorIds"],
  ["null", null, "connectorIds"],
  ["empty", [], "connectorIds"],
  ["a duplicate", [CONN, "CONN-2", CONN], "connectorIds[2]"],
] as const) {
  add(`batchGet connectorIds: ${label}`, field, () => connectors.batchGet(AGENT, bad(value)));
}
each(BAD_IDS, "batchGet connectorIds[0]", "connectorIds[0]", (v) =>
  connectors.batchGet(AGENT, [bad(v)]),
);
each(BAD_IDS, "batchGet connectorIds[1]", "connectorIds[1]", (v) =>
  connectors.batchGet(AGENT, [CONN, bad(v)]),
);
for (const [label, value, field] of [
  ["not an array", { connectorId: CONN, voiceName: VOICE }, "updates"],
  ["null", null, "updates"],
  ["empty", [], "updates"],
  ["a null item", [null], "updates[0]"],
  ["a string item", [CONN], "updates[0]"],
  ["an item that sets nothing", [{ connectorId: CONN }], "updates[0]"],
  ["an item without connectorId", [{ voiceName: VOICE }], "updates[0].connectorId"],
  [
    "a duplicate connector",
    [
      { connectorId: CONN, voiceName: VOICE },
      { connectorId: CONN, variantId: null },
    ],
    "updates[1].connectorId",
  ],
  [
    "an unknown key",
    [
      { connectorId: CONN, voiceName: VOICE },
      { connectorId: "CONN-2", voice: VOICE },
    ],
    "updates[1].voice",
  ],
] as const) {
  add(`batchUpdate updates: ${label}`, field, () => connectors.batchUpdate(AGENT, bad(value)));
}
each(BAD_IDS, "batchUpdate connectorId", "updates[0].connectorId", (v) =>
  connectors.batchUpdate(AGENT, [bad({ connectorId: v, voiceName: VOICE })]),
);

// Lookup, and the voice helpers.
each(BAD_PHONES, "lookup phoneNumber", "phoneNumber", (v) => connectors.lookup(AGENT, bad(v)));
each([...BAD_VOICES, ["undefined", undefined]], "parseVoiceName", "voiceName", (v) =>
  parseVoiceName(bad(v)),
);
each([...BAD_VOICES, ["undefined", undefined]], "ttsLangCodeFromVoice", "voiceName", (v) =>
  ttsLangCodeFromVoice(bad(v)),
);

// Per-call options of every method.
const methods: readonly (readonly [name: string, run: (options: unknown) => unknown])[] = [
  ["list", (o) => connectors.list(AGENT, bad(o))],
  ["get", (o) => connectors.get(AGENT, CONN, bad(o))],
  ["update", (o) => connectors.update(AGENT, CONN, { voiceName: VOICE }, bad(o))],
  ["delete", (o) => connectors.delete(AGENT, CONN, bad(o))],
  ["batchGet", (o) => connectors.batchGet(AGENT, [CONN], bad(o))],
  [
    "batchUpdate",
    (o) => connectors.batchUpdate(AGENT, [{ connectorId: CONN, voiceName: VOICE }], bad(o)),
  ],
  ["lookup", (o) => connectors.lookup(AGENT, PHONE, bad(o))],
];
for (const [name, run] of methods) {
  for (const [label, options, field] of BAD_OPTIONS)
    add(`${name} options: ${label}`, field, () => run(options));
  const writes = name === "update" || name === "batchUpdate";
  add(`${name} options: dryRun`, "options.dryRun", () => run({ dryRun: writes ? "yes" : true }));
}

// Client options.
const client = (options: unknown) => createPolyAIClient(bad(options));
for (const [label, options] of [
  ["a string", KEY],
  ["a number", 42],
  ["null", null],
  ["an array", [{ apiKey: KEY }]],
] as const) {
  add(`createPolyAIClient options: ${label}`, "options", () => client(options));
}
const CLIENT_FIELDS: readonly (readonly [key: string, field: string, values: Values])[] = [
  [
    "apiKey",
    "apiKey",
    [
      ["undefined, with no POLYAI_API_KEY", undefined],
      ["a number", 42],
      ["NaN", NaN],
      ["an object", { key: KEY }],
      ["empty", ""],
      ["whitespace only", "   "],
      ["an inner space", "sk-bad input"],
      ["a trailing newline", `${KEY}\n`],
      ["a NUL", `${KEY}\u0000`],
      ["a Cyrillic look-alike", "sk-b\u0430d-input"],
      ["a zero-width space", `\u200b${KEY}`],
    ],
  ],
  [
    "region",
    "region",
    [
      ["a number", 1],
      ["NaN", NaN],
      ["null", null],
      ["empty", ""],
      ["whitespace", " us"],
      ["upper case", "US"],
      ["unknown", "mars"],
      ["a Cyrillic look-alike", "\u0435u"],
      ["an inherited key", "toString"],
    ],
  ],
  [
    "baseUrl",
    "baseUrl",
    [
      ["a number", 42],
      ["NaN", NaN],
      ["null", null],
      ["a URL object", new URL("https://api.us.poly.ai")],
      ["empty", ""],
      ["whitespace only", "   "],
      ["relative", "/v1"],
      ["not a URL", "api.us.poly.ai"],
      ["plain http", "http://api.us.poly.ai"],
      ["a look-alike of localhost over http", "http://l\u043ecalhost:8080"],
      ["a control character in the host", "http://local\u0000host"],
      ["credentials", "https://u:p@api.us.poly.ai"],
      ["a query", "https://api.us.poly.ai/?x=1"],
    ],
  ],
  [
    "fetch",
    "fetch",
    [
      ["a string", "fetch"],
      ["an object", { fetch: globalThis.fetch }],
    ],
  ],
  [
    "headers",
    "headers",
    [
      ["a string", "x-a: 1"],
      ["null", null],
      ["an array", [["x-a", "1"]]],
      ["a Headers object", new Headers({ "x-a": "1" })],
    ],
  ],
  [
    "onRetry",
    "onRetry",
    [
      ["a string", "log"],
      ["null", null],
      ["an object", {}],
    ],
  ],
  [
    "logger",
    "logger",
    [
      ["a string", "console"],
      ["a number", 1],
      ["null", null],
    ],
  ],
];
for (const [key, field, values] of CLIENT_FIELDS) {
  each(values, `createPolyAIClient ${key}`, field, (v) => client({ apiKey: KEY, [key]: v }));
}
const NUMBERS: Values = [
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["-1", -1],
  ["1.5", 1.5],
  ["a string", "1"],
  ["null", null],
];
for (const [key, tooBig] of [
  ["maxRetries", 11],
  ["timeoutMs", 2 ** 31],
  ["maxResponseBytes", 2 ** 31],
] as const) {
  each([...NUMBERS, ["too large", tooBig]], `createPolyAIClient ${key}`, `options.${key}`, (v) =>
    client({ apiKey: KEY, [key]: v }),
  );
}
add("createPolyAIClient timeoutMs: 0", "options.timeoutMs", () =>
  client({ apiKey: KEY, timeoutMs: 0 }),
);
add("createPolyAIClient maxResponseBytes: 0", "options.maxResponseBytes", () =>
  client({ apiKey: KEY, maxResponseBytes: 0 }),
);
for (const [label, value] of [
  ["a number", 500],
  ["null", null],
  ["an array", [1, 2]],
] as const) {
  add(`createPolyAIClient backoff: ${label}`, "options.backoff", () =>
    client({ apiKey: KEY, backoff: value }),
  );
}
for (const key of ["initialMs", "maxMs"] as const) {
  each(
    [...NUMBERS, ["over a minute", 60_001]],
    `createPolyAIClient backoff.${key}`,
    `options.backoff.${key}`,
    (v) => client({ apiKey: KEY, backoff: { [key]: v } }),
  );
}
for (const [label, options, field] of [
  ["an unknown key", { apiKey: KEY, retries: 3 }, "options.retries"],
  ["a misspelt key", { apikey: KEY }, "options.apikey"],
  [
    "both region and baseUrl",
    { apiKey: KEY, region: "eu", baseUrl: "https://api.eu.poly.ai" },
    "baseUrl",
  ],
] as const) {
  add(`createPolyAIClient: ${label}`, field, () => client(options));
}
add("createPolyAIClient backoff: an unknown key", "options.backoff.initial", () =>
  client({ apiKey: KEY, backoff: { initial: 5 } }),
);
add("createPolyAIClient logger: debug not a function", "logger.debug", () =>
  client({ apiKey: KEY, logger: { debug: "yes" } }),
);
add("createPolyAIClient logger: warn not a function", "logger.warn", () =>
  client({ apiKey: KEY, logger: { warn: 1 } }),
);
add("createPolyAIClient apiKey: null, with POLYAI_API_KEY set", "apiKey", () => {
  vi.stubEnv("POLYAI_API_KEY", "sk-from-the-environment");
  return client({ apiKey: null });
});
add("createPolyAIClient fetch: null", "fetch", () => client({ apiKey: KEY, fetch: null }));
for (const [label, value] of [
  ["null", null],
  ["a string", CONN],
  ["an array", [CONNECTOR]],
] as const) {
  add(`applyConnectorPatch connector: ${label}`, "connector", () =>
    applyConnectorPatch(bad(value), { voiceName: VOICE }),
  );
}
add("createPolyAIClient: POLYAI_REGION unknown", "POLYAI_REGION", () => {
  vi.stubEnv("POLYAI_REGION", "mars");
  return client({ apiKey: KEY });
});

describe("bad input is refused before anything is sent", () => {
  async function expectRefused(c: Case): Promise<void> {
    let error: unknown;
    try {
      await c.run();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    const err = error as InvalidInputError;
    expect(err.field).toBe(c.field);
    expect(err.message.startsWith(`${c.field}: `)).toBe(true);
    expect(err.reason.length).toBeGreaterThan(0);
    expect(sent).toEqual([]);
  }

  it.each(cases.map((c) => [c.name, c] as const))("%s", (_, c) => expectRefused(c));

  it("covers every public function and method", () => {
    const names = new Set(cases.map((c) => c.name.split(/[ :]/)[0]));
    expect([...names].sort()).toEqual(
      [
        "applyConnectorPatch",
        "batchGet",
        "batchUpdate",
        "createPolyAIClient",
        "delete",
        "get",
        "list",
        "lookup",
        "parseVoiceName",
        "ttsLangCodeFromVoice",
        "update",
      ].sort(),
    );
  });
});

describe("messages stay short for huge values", () => {
  const huge = "x".repeat(100_000);
  async function expectShort(field: string, run: () => unknown): Promise<void> {
    const error = await (async () => run())().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe(field);
    expect((error as Error).message.length).toBeLessThan(500);
    expect(sent).toEqual([]);
  }

  it.each([
    ["agentId", "agentId", () => connectors.list(huge)],
    ["a batchGet ID", "connectorIds[0]", () => connectors.batchGet(AGENT, [huge])],
    ["phoneNumber", "phoneNumber", () => connectors.lookup(AGENT, huge)],
    ["variantId", "variantId", () => connectors.update(AGENT, CONN, { variantId: huge })],
    [
      "voiceName in a patch",
      "voiceName",
      () => connectors.update(AGENT, CONN, { voiceName: huge }),
    ],
    ["voiceName with a space", "voiceName", () => parseVoiceName(`${VOICE} ${huge}`)],
    [
      "voiceName with a non-ASCII letter",
      "voiceName",
      () => parseVoiceName(`${VOICE}\u00e9${huge}`),
    ],
    ["region", "region", () => client({ apiKey: KEY, region: huge })],
    ["baseUrl", "baseUrl", () => client({ apiKey: KEY, baseUrl: huge })],
  ] as const)("%s", (_, field, run) => expectShort(field, run));
});

describe("values that are fine are sent", () => {
  // The other side of the table: a good call through the same client does reach fetch.
  it("a valid call reaches fetch exactly once", async () => {
    await connectors.update(AGENT, CONN, { voiceName: VOICE, variantId: null });
    expect(sent).toHaveLength(1);
  });
});

describe("batch arrays with null IDs or holes are refused", () => {
  const { KEY, AGENT, CONN, serve, json, rejection } = loopback;

  it("a null connectorId is required, not clearable", async () => {
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.batchUpdate(AGENT, [
        { connectorId: null as unknown as string, voiceName: "en-GB-Neural2-A" },
      ]),
    )) as InvalidInputError;
    expect(err.field).toBe("updates[0].connectorId");
    expect(err.reason).toBe("is required and cannot be null");
  });

  // JSON.stringify turns a hole into null, so a skipped hole would be sent half-formed.
  it("a hole in updates or connectorIds is refused by index, and nothing is sent", async () => {
    const server = await serve((_req, res) => json(res, 200, {}));
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: server.url });
    const holes: [Promise<unknown>, string][] = [
      [
        poly.connectors.batchUpdate(AGENT, [, { connectorId: CONN, variantId: null }] as never),
        "updates[0]",
      ],
      [poly.connectors.batchGet(AGENT, new Array<string>(2)), "connectorIds[0]"],
      [poly.connectors.batchGet(AGENT, [CONN, , "C2"] as never), "connectorIds[1]"],
    ];
    for (const [pending, field] of holes) {
      const err = (await rejection(pending)) as InvalidInputError;
      expect(err).toBeInstanceOf(InvalidInputError);
      expect(err.field).toBe(field);
    }
    expect(server.seen).toHaveLength(0);
  });
});

describe("refusals of a patch say what to pass instead", () => {
  const { KEY, AGENT, CONN, rejection } = loopback;

  it("name the class that was passed instead of a plain object", async () => {
    class Patch {
      voiceName = "en-GB-Neural2-A";
    }
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.update(AGENT, CONN, new Patch() as ConnectorPatch),
    )) as InvalidInputError;
    expect(err.reason).toBe("expected a plain object, got an instance of Patch");
    const proto = (await rejection(
      poly.connectors.update(AGENT, CONN, { __proto__: { voiceName: "x" } } as ConnectorPatch),
    )) as InvalidInputError;
    expect(proto.reason).toBe("expected a plain object, got an object with a custom prototype");
  });

  it('variantId "" says to send null, since that is how a connector reads without one', async () => {
    const poly = createPolyAIClient({ apiKey: KEY, baseUrl: "https://api.example.test" });
    const err = (await rejection(
      poly.connectors.update(AGENT, CONN, { variantId: "" }),
    )) as InvalidInputError;
    expect(err.field).toBe("variantId");
    expect(err.reason).toContain("send null to clear it (clearVariant())");
  });
});
