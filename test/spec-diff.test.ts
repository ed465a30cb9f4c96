// scripts/spec-diff.mjs: which spec changes are reported, and which break clients.
// Most cases compare bundled documents in memory; the CLI is spawned twice.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { diffSpecs, formatReport } from "../scripts/spec-diff.mjs";

type Json = Record<string, any>;

const root = join(import.meta.dirname, "..");
const base: Json = JSON.parse(readFileSync(join(root, "generated/openapi.json"), "utf8"));
const CONNECTOR = "/v1/agents/{agentId}/telephony/connectors/{connectorId}";

function changed(mutate: (spec: Json) => void): Json {
  const spec = structuredClone(base);
  mutate(spec);
  return spec;
}

const messages = (old: Json, next: Json) =>
  diffSpecs(old, next).changes.map(
    (c) => `${c.breaking ? "BREAKING" : "change"} ${c.location}: ${c.message}`,
  );

describe("diffSpecs", () => {
  it("finds nothing between identical specs", () => {
    expect(diffSpecs(base, structuredClone(base))).toEqual({ changes: [], breaking: [] });
  });

  it("ignores descriptions and examples", () => {
    const next = changed((s) => {
      s.components.schemas.VoiceName.description = "reworded";
      s.components.schemas.VoiceName.example = "en-AU-Neural2-B";
      s.paths[CONNECTOR].patch.summary = "Change a connector";
    });
    expect(diffSpecs(base, next).changes).toEqual([]);
  });

  it("a removed operation is breaking", () => {
    const next = changed((s) => delete s.paths[CONNECTOR].delete);
    expect(messages(base, next)).toEqual([
      `BREAKING DELETE ${CONNECTOR} (deleteConnector): operation removed`,
    ]);
  });

  it("reordering oneOf branches changes nothing; removing one names it", () => {
    const swapped = changed((s) => s.components.schemas.BatchUpdateResult.oneOf.reverse());
    expect(diffSpecs(base, swapped).changes).toEqual([]);
    const fewer = changed((s) => s.components.schemas.BatchUpdateResult.oneOf.pop());
    expect(messages(base, fewer)).toContain(
      "change BatchUpdateResult: oneOf branch(es) removed: BatchUpdateFailure",
    );
  });

  it("a renamed path parameter is breaking: the typed raw client names it", () => {
    const renamed = changed((s) => {
      s.components.parameters.ConnectorId.name = "id";
      s.paths[CONNECTOR.replace("{connectorId}", "{id}")] = s.paths[CONNECTOR];
      delete s.paths[CONNECTOR];
    });
    const found = diffSpecs(base, renamed);
    expect(found.breaking.map((c) => c.message)).toContain('renamed from "connectorId"');
  });

  it("a removed enum value is breaking", () => {
    const next = changed(
      (s) =>
        (s.components.schemas.ClientEnv.enum = s.components.schemas.ClientEnv.enum.filter(
          (v: string) => v !== "sandbox",
        )),
    );
    expect(messages(base, next)).toEqual(['BREAKING ClientEnv: enum value "sandbox" removed']);
  });

  it("an optional request field that becomes required is breaking", () => {
    const next = changed(
      (s) => (s.components.schemas.UpdateConnectorBody.required = ["voiceName"]),
    );
    const { breaking } = diffSpecs(base, next);
    expect(breaking).toHaveLength(1);
    expect(breaking[0]).toMatchObject({
      location: "UpdateConnectorBody",
      message: 'property "voiceName" is now required',
      directions: ["request"],
    });
    expect(breaking[0]?.operations).toContain(`PATCH ${CONNECTOR} (updateConnector)`);
  });

  it("narrowed request types are breaking: tighter limits, a new pattern, no longer nullable, a type removed", () => {
    const next = changed((s) => {
      s.components.schemas.VoiceName.maxLength = 50;
      s.components.schemas.LanguageCode.minLength = 3;
      s.components.schemas.VariantIdPatch.type = "string";
      s.components.schemas.E164Number.pattern = "^\\+1[0-9]{10}$";
    });
    const found = messages(base, next);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^BREAKING VoiceName: maxLength \d+ → 50 \(tighter\)$/),
        expect.stringMatching(/^BREAKING LanguageCode: minLength \d+ → 3 \(tighter\)$/),
        "BREAKING VariantIdPatch: no longer nullable",
        expect.stringMatching(/^BREAKING E164Number: (new )?pattern /),
      ]),
    );
    expect(found.every((m) => m.startsWith("BREAKING"))).toBe(true);
  });

  it("a removed response field is breaking; a response field no longer required is breaking", () => {
    const next = changed((s) => {
      const c = s.components.schemas.Connector;
      delete c.properties.name;
      c.required = c.required.filter((k: string) => k !== "name" && k !== "disableHandoff");
    });
    expect(messages(base, next)).toEqual([
      'BREAKING Connector: property "disableHandoff" is no longer required',
      'BREAKING Connector: property "name" removed',
    ]);
  });

  it("new optional fields and new operations are not breaking", () => {
    const next = changed((s) => {
      s.components.schemas.UpdateConnectorBody.properties.recordCalls = { type: "boolean" };
      s.components.schemas.Connector.properties.region = { type: "string" };
      s.paths["/v1/agents/{agentId}/telephony/numbers"] = {
        get: { operationId: "listNumbers", responses: { "200": { description: "The numbers." } } },
      };
    });
    const { changes, breaking } = diffSpecs(base, next);
    expect(breaking).toEqual([]);
    expect(changes.map((c) => c.message).sort()).toEqual([
      "new operation",
      'new optional property "recordCalls"',
      'new optional property "region"',
    ]);
  });

  it("loosened request limits are reported but not breaking", () => {
    const next = changed((s) => (s.components.schemas.VoiceName.maxLength = 500));
    const { changes, breaking } = diffSpecs(base, next);
    expect(changes).toHaveLength(1);
    expect(breaking).toEqual([]);
  });

  it("formats a report naming the breaking changes", () => {
    const next = changed((s) => delete s.paths[CONNECTOR].delete);
    expect(formatReport(diffSpecs(base, next), { oldLabel: "a", newLabel: "b" })).toBe(
      `spec diff: a → b\n  BREAKING  DELETE ${CONNECTOR} (deleteConnector): operation removed\n1 change(s), 1 breaking`,
    );
  });
});

describe("npm run spec:diff (CLI)", () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), "spec-diff-test-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // An "old" spec with one operation more than the current one: the current spec removed it.
  const old = join(dir, "old.json");
  writeFileSync(
    old,
    JSON.stringify(
      changed(
        (s) =>
          (s.paths["/v1/agents/{agentId}/telephony/legacy"] = {
            get: { operationId: "legacy", responses: { "200": { description: "ok" } } },
          }),
      ),
    ),
  );
  const cli = (...args: string[]) =>
    run(process.execPath, [join(root, "scripts/spec-diff.mjs"), ...args], { cwd: root }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (err: { code: number; stdout: string }) => ({ code: err.code, stdout: err.stdout }),
    );

  it("exits 1 on a breaking change against the current openapi/ (bundled by redocly)", async () => {
    const { code, stdout } = await cli(old);
    expect(code).toBe(1);
    expect(stdout).toContain(
      "BREAKING  GET /v1/agents/{agentId}/telephony/legacy (legacy): operation removed",
    );
  });

  it("exits 0 with --allow-breaking", async () => {
    const { code, stdout } = await cli(
      old,
      "--new",
      join(root, "generated/openapi.json"),
      "--allow-breaking",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("1 change(s), 1 breaking");
  });
});
