// #24: scripts/spec-upstream.mjs against copies of PolyAI's published spec changed the
// ways PolyAI might change it. In process: our bundled spec is generated/openapi.json
// (generate:check keeps it equal to openapi/); the CLI is spawned once, with node.
import { execFile } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkUpstream,
  DOCS_FILE,
  loadVendored,
  readUpstream,
  UPSTREAM_DIR,
  type UpstreamResult,
  type VendoredSource,
} from "../scripts/spec-upstream.mjs";
import {
  formatUpstreamReport,
  hasProblems,
  renderDifferencesDoc,
  unpinned,
} from "../scripts/upstream-report.mjs";

type Json = Record<string, any>;

const root = join(import.meta.dirname, "..");
const ours: Json = JSON.parse(readFileSync(join(root, "generated/openapi.json"), "utf8"));
let upstream: Json;
let source: VendoredSource;
beforeAll(async () => {
  ({ doc: upstream, source } = await loadVendored());
});

const TEL = "/v1/agents/{agentId}/telephony";
/** The JSON pointer of a path item (`#/paths/~1v1~1agents…`). */
const at = (path: string, ...rest: string[]) =>
  ["#/paths", path.replace(/~/g, "~0").replace(/\//g, "~1"), ...rest].join("/");

/** The check against a copy of the vendored spec changed by `mutate` (and of ours by `mutateOurs`). */
function check(mutate: (up: Json) => void, mutateOurs?: (o: Json) => void): UpstreamResult {
  const up = structuredClone(upstream);
  mutate(up);
  const o = structuredClone(ours);
  mutateOurs?.(o);
  return checkUpstream(o, up);
}

const drift = (r: UpstreamResult) => r.drift.map((d) => `${d.annotateAt} [${d.aspect}]`);

describe("the vendored copy", () => {
  it("passes: every difference is deliberate, no annotation is stale", () => {
    const r = checkUpstream(ours, upstream);
    expect(r.drift).toEqual([]);
    expect(r.stale).toEqual([]);
    expect(r.invalid).toEqual([]);
    expect(r.deliberate.length).toBeGreaterThan(40);
    expect(r.deliberate.every((d) => d.reason && d.reason.length > 20)).toBe(true);
    expect(r.upstream).toMatchObject({ title: "PolyAI Agents API", version: source.version });
  });

  it("is byte for byte the file source.json records, and an edited copy is refused", async () => {
    expect(source).toMatchObject({
      repository: "https://github.com/PolyAI-LDN/polyai-mintlify-doc",
      path: "api-reference/agents/openapi.json",
      version: upstream["info"].version,
    });
    expect(source.commit).toMatch(/^[0-9a-f]{40}$/);
    const dir = mkdtempSync(join(tmpdir(), "spec-upstream-"));
    try {
      copyFileSync(join(UPSTREAM_DIR, "source.json"), join(dir, "source.json"));
      const text = readFileSync(join(UPSTREAM_DIR, source.file), "utf8");
      writeFileSync(join(dir, source.file), text.replace('"minItems": 1', '"minItems": 2'));
      await expect(loadVendored(dir)).rejects.toThrow(/is not the file source\.json records/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("docs/upstream-differences.md is the table of its deliberate differences", () => {
    const r = checkUpstream(ours, upstream);
    const doc = renderDifferencesDoc(r, source);
    expect(readFileSync(DOCS_FILE, "utf8")).toBe(doc);
    expect(doc).toContain("| `#/components/schemas/VariantIdPatch` | `nullable` |");
    expect(doc).toContain(source.commit);
  });
});

describe("PolyAI changes its spec: each change is drift, named in both specs", () => {
  it("a new property", () => {
    const r = check((up) => {
      up.components.schemas.ConnectorResponse.properties.callerId = { type: "string" };
    });
    expect(drift(r)).toEqual(["#/components/schemas/Connector [property:callerId]"]);
    expect(r.drift[0]?.where).toEqual([
      {
        ours: "#/components/schemas/Connector",
        upstream: "#/components/schemas/ConnectorResponse/properties/callerId",
      },
    ]);
    expect(r.drift[0]?.operations).toContain(`GET ${TEL}/connectors/{connectorId} (getConnector)`);
  });

  it("a new enum value: the value is drift, and the annotation for the old difference is stale", () => {
    const r = check((up) => {
      up.components.schemas.ConnectorResponse.properties.clientEnv.enum = [
        "sandbox",
        "pre-release",
        "live",
        "staging",
      ];
    });
    expect(drift(r)).toEqual(['#/components/schemas/ClientEnv [enum:"staging"]']);
    expect(r.drift[0]?.messages).toEqual(['value "staging" in PolyAI only']);
    expect(r.drift[0]?.where[0]?.upstream).toBe(
      "#/components/schemas/ConnectorResponse/properties/clientEnv",
    );
    // The other uses of ClientEnv (phone numbers, imports) still differ as annotated.
    expect(r.stale).toEqual([]);
  });

  it("a removed response status", () => {
    const r = check(
      (up) => delete up.paths[`${TEL}/connectors/{connectorId}`].get.responses["404"],
    );
    expect(drift(r)).toEqual(["#/components/responses/NotFound [absent-upstream]"]);
    expect(r.drift[0]?.operations).toEqual([`GET ${TEL}/connectors/{connectorId} (getConnector)`]);
  });

  it("a new response status", () => {
    const r = check((up) => {
      up.paths[`${TEL}/connectors`].get.responses["409"] = { description: "Conflict" };
    });
    expect(drift(r)).toEqual([`${at(`${TEL}/connectors`, "get")} [missing:response:409]`]);
    expect(r.drift[0]?.where[0]).toEqual({
      ours: null,
      upstream: at(`${TEL}/connectors`, "get", "responses", "409"),
    });
  });

  it("a parameter made required, and a new parameter", () => {
    const r = check((up) => {
      const list = up.paths[`${TEL}/phone-numbers`].get;
      list.parameters[0].required = true;
      list.parameters.push({ name: "limit", in: "query", schema: { type: "integer" } });
    });
    expect(drift(r)).toEqual([
      "#/components/parameters/ConnectorIdQuery [required]",
      `${at(`${TEL}/phone-numbers`, "get")} [missing:parameter:query:limit]`,
    ]);
    expect(r.drift[0]?.where[0]?.upstream).toBe(
      at(`${TEL}/phone-numbers`, "get", "parameters", "0"),
    );
  });

  it("a type change", () => {
    const r = check((up) => {
      up.components.schemas.ConnectorResponse.properties.disableHandoff.type = "string";
    });
    expect(drift(r)).toEqual(["#/components/schemas/Connector/properties/disableHandoff [type]"]);
    expect(r.drift[0]?.messages).toEqual(["type: ours boolean, PolyAI string"]);
  });

  it("a property made required, and a new pattern or format", () => {
    const r = check((up) => {
      const n = up.components.schemas.PhoneNumberResponse;
      n.required.push("connectorId");
      n.properties.accountId.pattern = "^ws-";
      n.properties.projectId.format = "uuid";
    });
    expect(drift(r)).toEqual([
      "#/components/schemas/PhoneNumber [required:connectorId]",
      "#/components/schemas/PhoneNumber/properties/accountId [pattern]",
      "#/components/schemas/PhoneNumber/properties/projectId [format]",
    ]);
  });

  it("a new operation under our paths is listed; one elsewhere is not", () => {
    const r = check((up) => {
      up.paths[`${TEL}/connectors/{id}/test-call`] = {
        post: { responses: { "200": { description: "ok" } } },
      };
      up.paths["/v1/agents/{agentId}/voices"] ??= {};
      up.paths["/v1/agents/{agentId}/voices"].put = { responses: {} };
    });
    expect(drift(r)).toEqual([`# [missing:operation:POST ${TEL}/connectors/{id}/test-call]`]);
    expect(r.drift[0]?.where[0]?.upstream).toBe(at(`${TEL}/connectors/{id}/test-call`, "post"));
  });

  it("a media type changed for one status names that response and its operation", () => {
    const r = check((up) => {
      const ok = up.paths[`${TEL}/connectors/{connectorId}`].get.responses["200"];
      ok.content = { "application/problem+json": ok.content["application/json"] };
    });
    const response = at(`${TEL}/connectors/{connectorId}`, "get", "responses", "200");
    expect(drift(r)).toEqual([
      `${response} [content:application/json]`,
      `${response} [content:application/problem+json]`,
    ]);
    expect(r.drift.map((d) => d.operations)).toEqual([
      [`GET ${TEL}/connectors/{connectorId} (getConnector)`],
      [`GET ${TEL}/connectors/{connectorId} (getConnector)`],
    ]);
  });

  // #24: importOne sends `{}`, so PolyAI's default for an omitted field is what it does.
  it("a changed default", () => {
    const r = check((up) => {
      up.components.schemas.ImportPhoneNumberBody.properties.clientEnv.default = "sandbox";
    });
    expect(drift(r)).toEqual([]);
    expect(
      r.deliberate.find((d) => d.aspect === "default" && d.annotateAt.endsWith("/ClientEnv"))
        ?.messages,
    ).toEqual(['default: ours none, PolyAI "live"', 'default: ours none, PolyAI "sandbox"']);
    expect(unpinned(r, readFileSync(DOCS_FILE, "utf8")).map((c) => c.at)).toEqual([
      "#/components/schemas/ClientEnv",
    ]);
    const added = check((up) => {
      up.components.schemas.ConnectorResponse.properties.disableHandoff.default = false;
    });
    expect(drift(added)).toEqual([
      "#/components/schemas/Connector/properties/disableHandoff [default]",
    ]);
    expect(added.drift[0]?.messages).toEqual(["default: ours none, PolyAI false"]);
  });

  it("an operation, a parameter or a property deprecated", () => {
    const r = check((up) => {
      up.paths[`${TEL}/connectors/lookup`].post.deprecated = true;
      up.paths[`${TEL}/phone-numbers`].get.parameters[0].deprecated = true;
      up.components.schemas.ConnectorResponse.properties.voiceName.deprecated = true;
      up.components.schemas.ConnectorResponse.properties.name.deprecated = false;
    });
    expect(drift(r)).toEqual([
      "#/components/parameters/ConnectorIdQuery [deprecated]",
      "#/components/schemas/Connector/properties/voiceName [deprecated]",
      `${at(`${TEL}/connectors/lookup`, "post")} [deprecated]`,
    ]);
    expect(r.drift.map((d) => d.messages[0])).toEqual([
      "parameter query:connectorId deprecated in PolyAI only",
      "deprecated: ours none, PolyAI true",
      "operation deprecated in PolyAI only",
    ]);
  });

  it("a media type written with parameters or in capitals is the same media type", () => {
    const r = check((up) => {
      const ok = up.paths[`${TEL}/connectors/{connectorId}`].get.responses["200"];
      ok.content = { "Application/JSON; charset=utf-8": ok.content["application/json"] };
      up.components.schemas.ConnectorResponse.properties.disableHandoff.type = "string";
    });
    // Still compared: the schema under it differs only in the type PolyAI changed.
    expect(drift(r)).toEqual(["#/components/schemas/Connector/properties/disableHandoff [type]"]);
  });

  it("a removed operation", () => {
    const r = check((up) => delete up.paths[`${TEL}/phone-numbers/batch`].post);
    expect(drift(r)).toEqual([`${at(`${TEL}/phone-numbers/batch`, "post")} [absent-upstream]`]);
  });

  it("nullability, in either of PolyAI's spellings", () => {
    const r = check((up) => {
      const c = up.components.schemas.ConnectorResponse.properties;
      c.variantId.type = ["string", "null"];
      c.name = { anyOf: [{ type: "string" }, { type: "null" }] };
      c.voiceName = { type: "string", nullable: true };
    });
    expect(drift(r)).toEqual([
      "#/components/schemas/Connector/properties/name [nullable]",
      "#/components/schemas/Connector/properties/variantId [nullable]",
      "#/components/schemas/Connector/properties/voiceName [nullable]",
    ]);
    expect(r.drift[0]?.messages).toEqual(["nullable in PolyAI only"]);
  });

  it("a property narrowed in a second `allOf` branch", () => {
    const r = check((up) => {
      up.components.schemas.GetConnectorsResponse.properties.connectors.items = {
        allOf: [
          { $ref: "#/components/schemas/ConnectorResponse" },
          { properties: { name: { maxLength: 10 } } },
        ],
      };
    });
    expect(drift(r)).toEqual(["#/components/schemas/Connector/properties/name [maxLength]"]);
    expect(r.drift[0]?.operations).toEqual([`GET ${TEL}/connectors (listConnectors)`]);
  });

  it("nullability written as `nullable` beside PolyAI's `allOf` reference", () => {
    const r = check((up) => {
      up.components.schemas.BatchUpdateResultItem.properties.data.nullable = true;
    });
    expect(drift(r)).toEqual(["#/components/schemas/Connector [nullable]"]);
    expect(r.drift[0]?.where[0]?.upstream).toBe(
      "#/components/schemas/BatchUpdateResultItem/properties/data",
    );
  });

  it("a header parameter matches whatever the case of its name, as HTTP headers do", () => {
    const header = (name: string) => ({ name, in: "header", schema: { type: "string" } });
    const r = check(
      (up) => up.paths[`${TEL}/connectors`].parameters.push(header("x-request-id")),
      (o) => (o.paths[`${TEL}/connectors`].get.parameters = [header("X-Request-Id")]),
    );
    expect(r.drift).toEqual([]);
  });

  // #24: the API key's header and the regions' hosts are what every call depends on.
  it("a new authentication scheme, or the API key moved to another header", () => {
    const r = check((up) => {
      up.components.securitySchemes.polyApiKey.name = "Authorization";
    });
    expect(drift(r)).toEqual(["# [security]"]);
    expect(r.drift[0]?.messages).toEqual([
      "security: ours apiKey in header x-api-key, PolyAI apiKey in header authorization",
    ]);
    // Every operation of ours authenticates with the one scheme.
    const operationCount = Object.values(ours.paths as Record<string, Json>).flatMap((item) =>
      Object.keys(item).filter((k) => ["get", "post", "put", "patch", "delete"].includes(k)),
    ).length;
    expect(r.drift[0]?.operations).toHaveLength(operationCount);
    const bearer = check((up) => {
      up.components.securitySchemes.bearer = { type: "http", scheme: "Bearer" };
      up.paths[`${TEL}/connectors`].get.security = [{ bearer: [] }];
    });
    expect(drift(bearer)).toEqual(["# [security]"]);
    expect(bearer.drift[0]?.where).toEqual([
      { ours: "#/security", upstream: at(`${TEL}/connectors`, "get", "security") },
    ]);
    expect(bearer.drift[0]?.operations).toEqual([`GET ${TEL}/connectors (listConnectors)`]);
  });

  it("a region's host added or removed", () => {
    const r = check((up) => {
      up.servers.push({ url: "https://api.ap.poly.ai/" });
      up.servers = up.servers.filter((s: Json) => !s.url.includes(".uk."));
    });
    expect(drift(r)).toEqual([
      "# [server:https://api.ap.poly.ai]",
      "# [server:https://api.uk.poly.ai]",
    ]);
    expect(r.drift.map((d) => d.messages[0])).toEqual([
      "server https://api.ap.poly.ai in PolyAI only",
      "server https://api.uk.poly.ai in ours only",
    ]);
    expect(r.drift[0]?.where).toEqual([{ ours: null, upstream: "#/servers/3" }]);
  });

  it("a path parameter renamed by PolyAI still matches by its place", () => {
    const r = check((up) => {
      const path = `${TEL}/connectors/{connectorId}`;
      const item = up.paths[path];
      item.parameters[1].name = "id";
      up.paths[path.replace("{connectorId}", "{id}")] = item;
      delete up.paths[path];
    });
    expect(r.drift).toEqual([]);
    expect(r.stale).toEqual([]);
  });
});

describe("annotations", () => {
  it("PolyAI fixing what we annotated makes the annotation stale", () => {
    const r = check((up) => {
      // Both of PolyAI's variantId fields become nullable, as its text says.
      up.components.schemas.UpdateConnectorBody.properties.variantId = {
        anyOf: [{ type: "string" }, { type: "null" }],
      };
      up.components.schemas.BatchUpdateConnectorItem.properties.variantId.type = ["string", "null"];
    });
    expect(r.drift).toEqual([]);
    expect(r.stale).toEqual([
      expect.objectContaining({ at: "#/components/schemas/VariantIdPatch", aspect: "nullable" }),
    ]);
    expect(hasProblems(r)).toBe(true);
  });

  // #24: an annotation is keyed by aspect, so PolyAI changing its own side of a
  // deliberate difference (adding its own limit where we annotated that it has none)
  // still matches it. The table records each difference as it was when annotated.
  it("PolyAI changing its side of a deliberate difference is reported against the table", () => {
    const committed = readFileSync(DOCS_FILE, "utf8");
    expect(unpinned(checkUpstream(ours, upstream), committed)).toEqual([]);
    const r = check((up) => {
      up.paths[`${TEL}/connectors/{connectorId}`].parameters[1].schema.maxLength = 64;
      up.components.schemas.Error.properties.data = { type: "object", nullable: true };
    });
    expect(r.drift).toEqual([]);
    expect(unpinned(r, committed)).toEqual([
      {
        at: "#/components/parameters/ConnectorId/schema",
        aspects: ["maxLength", "minLength", "pattern"],
        differences: expect.arrayContaining(["maxLength: ours 256, PolyAI 64"]),
        operations: ["deleteConnector", "getConnector", "updateConnector"],
        reason: expect.stringContaining("The ID rule of `agentId`"),
      },
      expect.objectContaining({
        at: "#/components/schemas/Error/properties/data",
        differences: ["type: ours null only, PolyAI object"],
      }),
    ]);
    expect(hasProblems({ ...r, changed: unpinned(r, committed) })).toBe(true);
    expect(formatUpstreamReport({ ...r, changed: unpinned(r, committed) })).toContain(
      "CHANGED  #/components/parameters/ConnectorId/schema [maxLength, minLength, pattern]",
    );
  });

  it("PolyAI documenting what we annotated it lacks, for one operation, is reported against the table", () => {
    const r = check((up) => {
      const list = up.paths[`${TEL}/connectors`].get.responses;
      list["429"] = structuredClone(list["401"]);
    });
    expect(r.drift).toEqual([]);
    expect(r.stale).toEqual([]);
    expect(unpinned(r, readFileSync(DOCS_FILE, "utf8"))).toEqual([
      expect.objectContaining({
        at: "#/components/responses/RateLimited",
        operations: expect.not.arrayContaining(["listConnectors"]),
      }),
    ]);
  });

  it("an annotation that hides nothing is reported, and so is one without a reason", () => {
    const r = check(
      () => {},
      (o) => {
        o.components.schemas.Connector["x-upstream-differs"] = { "property:callerId": "because" };
        o.components.schemas.LanguageCode["x-upstream-differs"].format = " ";
      },
    );
    expect(r.stale).toEqual([
      { at: "#/components/schemas/Connector", aspect: "property:callerId", reason: "because" },
    ]);
    expect(r.invalid).toEqual([
      {
        at: "#/components/schemas/LanguageCode/x-upstream-differs/format",
        message: "the reason must be a non-empty string",
      },
    ]);
  });

  it("an aspect given two reasons at one place is invalid: each difference is explained once", () => {
    const r = check(
      () => {},
      (o) => {
        o.components.schemas.E164Number["x-upstream-differs"]["pattern"] = "a second reason";
      },
    );
    expect(r.invalid).toEqual([
      {
        at: "#/components/schemas/E164Number/x-upstream-differs/pattern",
        message: "aspect pattern is already explained under another key",
      },
    ]);
    expect(hasProblems(r)).toBe(true);
  });

  it("one reason may cover several aspects; each is judged on its own", () => {
    const r = check((up) => {
      // PolyAI adopts our E.164 pattern for every number we send: the pattern aspect
      // goes stale, the lengths stay.
      const { pattern } = ours["components"].schemas.E164Number;
      const schemas = up.components.schemas;
      schemas.LookupConnectorBody.properties.phoneNumber.pattern = pattern;
      for (const name of ["ImportPhoneNumbers", "DeletePhoneNumbers", "BatchGetPhoneNumbers"])
        schemas[`${name}Body`].properties.phoneNumbers.items.pattern = pattern;
      up.paths[`${TEL}/phone-numbers/{phoneNumber}`].parameters[1].schema.pattern = pattern;
    });
    expect(r.drift).toEqual([]);
    expect(r.stale.map((s) => `${s.at} [${s.aspect}]`)).toEqual([
      "#/components/schemas/E164Number [pattern]",
    ]);
  });

  it("a root annotation excuses an operation we lack, and goes stale once we have it", () => {
    // How an operation of PolyAI's waits for its own change (as the outbound calls did
    // until #23): drift until the document root names it; the placeholder goes stale as
    // soon as the operation is in our spec.
    const path = `${TEL}/connectors/{id}/test-call`;
    const aspect = `missing:operation:POST ${path}`;
    const operation = { post: { responses: { "200": { description: "ok" } } } };
    const addUpstream = (up: Json) => (up.paths[path] = structuredClone(operation));
    const placeholder = (o: Json) => {
      o["x-upstream-differs"] = { [aspect]: "Added in its own change; no method until then." };
    };
    expect(drift(check(addUpstream))).toEqual([`# [${aspect}]`]);
    const excused = check(addUpstream, placeholder);
    expect(excused.drift).toEqual([]);
    expect(excused.stale).toEqual([]);
    const added = check(addUpstream, (o) => {
      placeholder(o);
      o.paths[path] = structuredClone(operation);
    });
    expect(added.drift).toEqual([]);
    expect(added.stale.map((s) => `${s.at} [${s.aspect}]`)).toEqual([`# [${aspect}]`]);
  });

  it("the outbound operations are compared; each difference is a deliberate one", () => {
    const r = checkUpstream(ours, upstream);
    const outbound = r.deliberate.filter((d) =>
      d.operations.some((op) => op.includes(`${TEL}/outbound-calls`)),
    );
    expect(outbound.map((d) => `${d.annotateAt} [${d.aspect}]`)).toEqual(
      expect.arrayContaining([
        "#/components/schemas/OutboundCall [required:callSid]",
        "#/components/schemas/OutboundCallState [enum]",
        "#/components/responses/OutcomeUnknown [absent-upstream]",
      ]),
    );
    // PolyAI changing the trigger's answer is drift there, not hidden by those reasons.
    const changed = check((up) => {
      up.components.schemas.OutboundCallResponse.properties.queuedAt = { type: "string" };
    });
    expect(drift(changed)).toEqual(["#/components/schemas/OutboundCall [property:queuedAt]"]);
  });
});

describe("an upstream file that is not PolyAI's spec", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "spec-upstream-input-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // #24: a file that is not an OpenAPI 3 document would otherwise read as PolyAI
  // dropping every operation (exit 1, drift everywhere), or fail with a bare parser error.
  it.each([
    ["not JSON", "openapi: 3.1.0\n", /upstream\.txt is not JSON/],
    ["JSON but not an object", "[]", /upstream\.txt is not an OpenAPI 3 document/],
    ["null", "null", /upstream\.txt is not an OpenAPI 3 document/],
    [
      "an object without `openapi`",
      '{"paths":{}}',
      /is not an OpenAPI 3 document \(no `openapi: 3\.x`\)/,
    ],
    ["Swagger 2", '{"swagger":"2.0","paths":{}}', /is not an OpenAPI 3 document/],
    [
      "OpenAPI without paths",
      '{"openapi":"3.1.0","info":{}}',
      /upstream\.txt has no `paths` object/,
    ],
  ])("%s is refused, naming the file", async (_, text, message) => {
    const file = join(dir, "upstream.txt");
    writeFileSync(file, text);
    await expect(readUpstream(file)).rejects.toThrow(message);
  });

  it.each([
    ["unresolved", "#/components/schemas/Nope", /unresolved \$ref #\/components\/schemas\/Nope/],
    ["circular", "#/components/schemas/Loop", /circular \$ref/],
    ["external", "common.json#/Name", /external \$ref common\.json#\/Name/],
  ])("a $ref that is %s is refused, naming the file and where it is", async (_, ref, message) => {
    const up = structuredClone(upstream);
    if (ref.endsWith("Loop")) up["components"].schemas.Loop = { $ref: ref };
    up["components"].schemas.ConnectorResponse.properties.name = { $ref: ref };
    const file = join(dir, "refs.json");
    writeFileSync(file, JSON.stringify(up));
    const refused = readUpstream(file);
    await expect(refused).rejects.toThrow(message);
    await expect(refused).rejects.toThrow(
      /refs\.json: #\/components\/schemas\/ConnectorResponse\/properties\/name: /,
    );
  });

  it("the CLI exits 2 with the reason on stderr and nothing on stdout", async () => {
    const file = join(dir, "not-openapi.json");
    writeFileSync(file, '{"hello":1}');
    const failed = await promisify(execFile)(process.execPath, [
      join(root, "scripts/spec-upstream.mjs"),
      "--upstream",
      file,
      "--ours",
      join(root, "generated/openapi.json"),
    ]).catch((err: { code: number; stdout: string; stderr: string }) => err);
    expect("code" in failed && failed.code).toBe(2);
    expect(failed.stderr).toMatch(/not-openapi\.json is not an OpenAPI 3 document/);
    expect(failed.stdout).toBe("");
  });
});

describe("the report", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "spec-upstream-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("names each drift with both pointers and what to do", () => {
    const r = check((up) => {
      up.components.schemas.ConnectorResponse.properties.callerId = { type: "string" };
    });
    const text = formatUpstreamReport(r);
    expect(text).toContain("DRIFT  #/components/schemas/Connector [property:callerId]");
    expect(text).toContain("PolyAI #/components/schemas/ConnectorResponse/properties/callerId");
    expect(text).toMatch(/\d+ deliberate difference\(s\), 1 drift, 0 stale/);
    expect(text).toContain("x-upstream-differs");
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it("the CLI exits 1 on drift and prints JSON with --json; 0 on the vendored copy", async () => {
    const run = promisify(execFile);
    const changedCopy = join(dir, "upstream.json");
    const up = structuredClone(upstream);
    up["paths"][`${TEL}/phone-numbers`].get.parameters[0].required = true;
    writeFileSync(changedCopy, JSON.stringify(up));
    const cli = join(root, "scripts/spec-upstream.mjs");
    const oursFile = join(root, "generated/openapi.json");
    const failed = await run(process.execPath, [
      cli,
      "--upstream",
      changedCopy,
      "--ours",
      oursFile,
      "--json",
    ]).catch((err: { code: number; stdout: string }) => err);
    expect("code" in failed && failed.code).toBe(1);
    const result = JSON.parse(failed.stdout) as UpstreamResult;
    expect(result.drift.map((d) => d.aspect)).toEqual(["required"]);
    expect(result.changed).toEqual([]);
    // No drift, but PolyAI's side of a deliberate difference moved: exit 1 too.
    const moved = structuredClone(upstream);
    moved["components"].schemas.Error.properties.data = { type: "object", nullable: true };
    writeFileSync(changedCopy, JSON.stringify(moved));
    const changed = await run(process.execPath, [
      cli,
      "--upstream",
      changedCopy,
      "--ours",
      oursFile,
    ]).catch((err: { code: number; stdout: string }) => err);
    expect("code" in changed && changed.code).toBe(1);
    expect(changed.stdout).toContain("CHANGED  #/components/schemas/Error/properties/data [type]");
    const passed = await run(process.execPath, [cli, "--ours", oursFile]);
    expect(passed.stdout).toMatch(/0 drift, 0 stale annotation\(s\)$/m);
  });
});
