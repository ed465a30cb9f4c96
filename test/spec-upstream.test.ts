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
  UPSTREAM_DIR,
  type UpstreamResult,
  type VendoredSource,
} from "../scripts/spec-upstream.mjs";
import {
  formatUpstreamReport,
  hasProblems,
  renderDifferencesDoc,
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

  it("an annotation on a shared response covers every use of it", () => {
    // BadRequest's absent-upstream excuses it on an operation that did not have it.
    const r = check(
      () => {},
      (o) => {
        o.paths[`${TEL}/outbound-calls`].post.responses["418"] = {
          $ref: "#/components/responses/BadRequest",
        };
      },
    );
    expect(r.drift).toEqual([]);
    const excused = r.deliberate.filter(
      (d) => d.annotateAt === "#/components/responses/BadRequest",
    );
    expect(
      excused.flatMap((d) => d.operations).some((op) => op.includes("(createOutboundCall)")),
    ).toBe(true);
  });

  it("an operation of PolyAI's we lack is drift until annotated; the annotation goes stale once it is added", () => {
    // The outbound-calls change (#23) in both directions: without its two operations
    // our spec drifts, an annotation at the root excuses that, and the same annotation
    // on the spec that has them is reported stale.
    const ops = [`POST ${TEL}/outbound-calls`, `GET ${TEL}/outbound-calls/{callSid}/status`];
    const excuse = Object.fromEntries(ops.map((op) => [`missing:operation:${op}`, "Not yet."]));
    const without = (o: Json) => {
      delete o.paths[`${TEL}/outbound-calls`];
      delete o.paths[`${TEL}/outbound-calls/{callSid}/status`];
    };
    expect(drift(check(() => {}, without)).sort()).toEqual(
      ops.map((op) => `# [missing:operation:${op}]`).sort(),
    );
    const excused = check(
      () => {},
      (o) => {
        without(o);
        o["x-upstream-differs"] = excuse;
      },
    );
    expect(excused.drift).toEqual([]);
    const stale = check(
      () => {},
      (o) => {
        o["x-upstream-differs"] = excuse;
      },
    );
    expect(stale.stale.map((d) => d.aspect).sort()).toEqual(
      ops.map((op) => `missing:operation:${op}`).sort(),
    );
    expect(stale.drift).toEqual([]);
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
    const passed = await run(process.execPath, [cli, "--ours", oursFile]);
    expect(passed.stdout).toMatch(/0 drift, 0 stale annotation\(s\)$/m);
  });
});
