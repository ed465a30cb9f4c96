// The bundled spec (generated/openapi.json) checked against itself and against
// the reference: every example validates against its schema, every operation
// documents auth failures and rate limits, and the document is pure OpenAPI 3.1.
import { readFileSync } from "node:fs";
import path from "node:path";
// The named export: the default import does not type-check under NodeNext (ajv is CommonJS).
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./support/fixtures.js";

type Json = Record<string, unknown>;

const doc = JSON.parse(readFileSync(path.join(repoRoot, "generated/openapi.json"), "utf8")) as Json;
const DOC_ID = "https://polyai-connectors.test/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addSchema({ ...doc, $id: DOC_ID });

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function pointer(segments: readonly string[]): string {
  return segments
    .map((s) => "/" + encodeURIComponent(s.replace(/~/g, "~0").replace(/\//g, "~1")))
    .join("");
}

/** Follows local `$ref`s; returns the target and its JSON pointer segments. */
function deref(node: unknown, at: readonly string[]): { node: Json; at: string[] } {
  let current = node;
  let where = [...at];
  for (let hops = 0; isObject(current) && typeof current["$ref"] === "string"; hops++) {
    if (hops > 20) throw new Error(`$ref loop at ${pointer(where)}`);
    const ref = current["$ref"];
    if (!ref.startsWith("#/")) throw new Error(`non-local $ref ${ref} at ${pointer(where)}`);
    where = ref
      .slice(2)
      .split("/")
      .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
    current = where.reduce<unknown>((n, key) => (isObject(n) ? n[key] : undefined), doc);
  }
  if (!isObject(current)) throw new Error(`nothing at ${pointer(where)}`);
  return { node: current, at: where };
}

/** Validates `value` against the schema at `schemaAt`; returns ajv's errors as text, or "" when valid. */
function problems(value: unknown, schemaAt: readonly string[]): string {
  const validate =
    ajv.getSchema(`${DOC_ID}#${pointer(schemaAt)}`) ??
    ajv.compile({ $ref: `${DOC_ID}#${pointer(schemaAt)}` });
  return validate(value) ? "" : ajv.errorsText(validate.errors);
}

interface ExampleCase {
  readonly where: string;
  readonly value: unknown;
  readonly schemaAt: readonly string[];
}

const usedComponentExamples = new Set<string>();

/** Examples of a media type, parameter or header: `example`, or `examples` of Example objects. */
function carrierExamples(
  carrier: Json,
  at: readonly string[],
  schemaAt: readonly string[],
): ExampleCase[] {
  const out: ExampleCase[] = [];
  if ("example" in carrier)
    out.push({ where: pointer([...at, "example"]), value: carrier["example"], schemaAt });
  if (isObject(carrier["examples"])) {
    for (const [name, raw] of Object.entries(carrier["examples"])) {
      const target = deref(raw, [...at, "examples", name]);
      if (target.at[0] === "components" && target.at[1] === "examples" && target.at[2])
        usedComponentExamples.add(target.at[2]);
      if (!("value" in target.node))
        throw new Error(`${pointer(target.at)}: an Example object without a value`);
      out.push({ where: pointer(target.at), value: target.node["value"], schemaAt });
    }
  }
  return out;
}

const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "dependentSchemas"]);
const SCHEMA_LISTS = new Set(["allOf", "anyOf", "oneOf", "prefixItems"]);
const SCHEMA_ONE = new Set([
  "items",
  "additionalProperties",
  "not",
  "if",
  "then",
  "else",
  "contains",
  "propertyNames",
  "unevaluatedItems",
  "unevaluatedProperties",
]);

/** `example` and the `examples` array of a schema and of every schema inside it. */
function schemaExamples(schema: unknown, at: string[], out: ExampleCase[]): void {
  if (!isObject(schema)) return;
  if ("example" in schema)
    out.push({ where: pointer([...at, "example"]), value: schema["example"], schemaAt: at });
  if (Array.isArray(schema["examples"])) {
    schema["examples"].forEach((value, i) =>
      out.push({ where: pointer([...at, "examples", String(i)]), value, schemaAt: at }),
    );
  }
  for (const [key, child] of Object.entries(schema)) {
    if (SCHEMA_MAPS.has(key) && isObject(child))
      for (const [name, sub] of Object.entries(child)) schemaExamples(sub, [...at, key, name], out);
    if (SCHEMA_LISTS.has(key) && Array.isArray(child))
      child.forEach((sub, i) => schemaExamples(sub, [...at, key, String(i)], out));
    if (SCHEMA_ONE.has(key)) schemaExamples(child, [...at, key], out);
  }
}

/** Every schema of the document: components.schemas and each `schema` of a parameter, header or media type. */
function findSchemas(node: unknown, at: string[], out: ExampleCase[]): ExampleCase[] {
  if (Array.isArray(node)) node.forEach((item, i) => findSchemas(item, [...at, String(i)], out));
  if (!isObject(node)) return out;
  for (const [key, child] of Object.entries(node)) {
    if (key === "example" || key === "examples") continue;
    if (key === "schema") schemaExamples(child, [...at, key], out);
    else if (key === "schemas" && at.length === 1 && at[0] === "components") {
      for (const [name, schema] of Object.entries(child as Json))
        schemaExamples(schema, [...at, key, name], out);
    } else findSchemas(child, [...at, key], out);
  }
  return out;
}

interface Operation {
  readonly id: string;
  readonly op: Json;
  readonly at: string[];
}

function operations(): Operation[] {
  const out: Operation[] = [];
  for (const [template, item] of Object.entries(doc["paths"] as Json)) {
    const resolved = deref(item, ["paths", template]);
    for (const method of METHODS) {
      const op = resolved.node[method];
      if (isObject(op))
        out.push({ id: String(op["operationId"]), op, at: [...resolved.at, method] });
    }
  }
  return out;
}

function allExamples(): ExampleCase[] {
  const cases: ExampleCase[] = [];
  for (const { op, at } of operations()) {
    const bodies: [Json, string[]][] = [];
    if (op["requestBody"]) {
      const body = deref(op["requestBody"], [...at, "requestBody"]);
      bodies.push([body.node, body.at]);
    }
    for (const [status, raw] of Object.entries(op["responses"] as Json)) {
      const response = deref(raw, [...at, "responses", status]);
      bodies.push([response.node, response.at]);
      for (const [name, rawHeader] of Object.entries(
        (response.node["headers"] as Json | undefined) ?? {},
      )) {
        const header = deref(rawHeader, [...response.at, "headers", name]);
        cases.push(...carrierExamples(header.node, header.at, [...header.at, "schema"]));
      }
    }
    for (const [body, bodyAt] of bodies) {
      for (const [type, media] of Object.entries((body["content"] as Json | undefined) ?? {})) {
        const mediaAt = [...bodyAt, "content", type];
        cases.push(...carrierExamples(media as Json, mediaAt, [...mediaAt, "schema"]));
      }
    }
  }
  const components = doc["components"] as Json;
  for (const [name, param] of Object.entries(components["parameters"] as Json)) {
    const at = ["components", "parameters", name];
    cases.push(...carrierExamples(param as Json, at, [...at, "schema"]));
  }
  for (const [name, header] of Object.entries(components["headers"] as Json)) {
    const at = ["components", "headers", name];
    cases.push(...carrierExamples(header as Json, at, [...at, "schema"]));
  }
  findSchemas(doc, [], cases);
  // Deduplicate: a shared response is reached from every operation.
  return [...new Map(cases.map((c) => [`${c.where} → ${pointer(c.schemaAt)}`, c])).values()];
}

describe("examples", () => {
  const cases = allExamples();

  it("finds examples of every kind", () => {
    const wheres = cases.map((c) => c.where);
    expect(wheres.some((w) => w.startsWith("/components/examples/"))).toBe(true);
    expect(wheres.some((w) => w.startsWith("/components/schemas/") && w.endsWith("/example"))).toBe(
      true,
    );
    expect(wheres.some((w) => /\/examples\/\d+$/.test(w))).toBe(true);
    expect(wheres.some((w) => w.startsWith("/components/parameters/"))).toBe(true);
    expect(wheres.some((w) => w.startsWith("/components/headers/"))).toBe(true);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it("every example validates against its schema", () => {
    const invalid = cases
      .map((c) => [c, problems(c.value, c.schemaAt)] as const)
      .filter(([, p]) => p !== "");
    expect(invalid.map(([c, p]) => `${c.where} against ${pointer(c.schemaAt)}: ${p}`)).toEqual([]);
  });

  it("every example in components.examples is used by a media type, so it is validated", () => {
    expect(
      Object.keys((doc["components"] as Json)["examples"] as Json).filter(
        (name) => !usedComponentExamples.has(name),
      ),
    ).toEqual([]);
  });

  it("the validator catches a wrong example (the check is not vacuous)", () => {
    const connector = ["components", "schemas", "Connector"];
    const good = (doc["components"] as { examples: { Connector: { value: Json } } }).examples
      .Connector.value;
    expect(problems(good, connector)).toBe("");
    expect(problems({ ...good, disableHandoff: "no" }, connector)).toMatch(/disableHandoff/);
    const { voiceName: _, ...missing } = good;
    expect(problems(missing, connector)).toMatch(/voiceName/);
    expect(
      problems({ voiceName: null }, ["components", "schemas", "UpdateConnectorBody"]),
    ).not.toBe("");
    // Pointers into paths resolve too (media-type schemas are validated there).
    const patchBody = [
      "paths",
      "/v1/agents/{agentId}/telephony/connectors/{connectorId}",
      "patch",
      "requestBody",
      "content",
      "application/json",
      "schema",
    ];
    expect(problems({ voiceName: "en-GB-Neural2-A" }, patchBody)).toBe("");
    expect(problems({ voiceName: null }, patchBody)).toMatch(/voiceName/);
  });
});

describe("responses", () => {
  const ops = operations();

  it("every operation documents 401, 403 and 429", () => {
    expect(ops.length).toBe(17);
    for (const { id, op } of ops)
      expect(Object.keys(op["responses"] as Json), id).toEqual(
        expect.arrayContaining(["401", "403", "429"]),
      );
  });

  it("every error response has the X-PolyAI-Correlation-Id header, and every 429 has Retry-After", () => {
    const missing: string[] = [];
    for (const { id, op, at } of ops) {
      for (const [status, raw] of Object.entries(op["responses"] as Json)) {
        if (!(status === "default" || Number(status) >= 400)) continue;
        const response = deref(raw, [...at, "responses", status]);
        const headers = Object.keys((response.node["headers"] as Json | undefined) ?? {});
        const need =
          status === "429"
            ? ["X-PolyAI-Correlation-Id", "Retry-After"]
            : ["X-PolyAI-Correlation-Id"];
        for (const name of need) {
          if (!headers.includes(name)) missing.push(`${id} ${status}: ${name}`);
          else
            expect(
              deref((response.node["headers"] as Json)[name], []).node["required"],
              `${id} ${status} ${name}`,
            ).toBe(true);
        }
        const schema = (response.node["content"] as Json | undefined)?.["application/json"];
        expect(schema, `${id} ${status} has a JSON body`).toMatchObject({
          schema: { $ref: "#/components/schemas/Error" },
        });
      }
    }
    expect(missing).toEqual([]);
  });
});

describe("the reference's operations and shapes", () => {
  it.each([
    ["listConnectors", "get", "/v1/agents/{agentId}/telephony/connectors"],
    ["getConnector", "get", "/v1/agents/{agentId}/telephony/connectors/{connectorId}"],
    ["updateConnector", "patch", "/v1/agents/{agentId}/telephony/connectors/{connectorId}"],
    ["deleteConnector", "delete", "/v1/agents/{agentId}/telephony/connectors/{connectorId}"],
    ["batchGetConnectors", "post", "/v1/agents/{agentId}/telephony/connectors/batch"],
    ["batchUpdateConnectors", "patch", "/v1/agents/{agentId}/telephony/connectors/batch"],
    ["lookupConnector", "post", "/v1/agents/{agentId}/telephony/connectors/lookup"],
  ])("%s is %s %s", (operationId, method, template) => {
    const item = (doc["paths"] as Record<string, Json | undefined>)[template];
    expect((item?.[method] as Json | undefined)?.["operationId"]).toBe(operationId);
  });

  it("operationIds are unique", () => {
    const ids = operations().map((o) => o.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("UpdateConnectorBody is closed, and only variantId is nullable", () => {
    const body = deref({ $ref: "#/components/schemas/UpdateConnectorBody" }, []).node;
    expect(body["additionalProperties"]).toBe(false);
    const nullable = Object.entries(body["properties"] as Json).map(([key, prop]) => {
      const types = [deref(prop, []).node["type"]].flat();
      return [key, types.includes("null")] as const;
    });
    expect(Object.fromEntries(nullable)).toEqual({
      variantId: true,
      asrLangCode: false,
      voiceName: false,
      projectId: false,
    });
    const at = ["components", "schemas", "UpdateConnectorBody"];
    expect(problems({ variantId: null }, at)).toBe("");
    for (const key of ["asrLangCode", "voiceName", "projectId"])
      expect(problems({ [key]: null }, at), key).not.toBe("");
    expect(problems({ ttsLangCode: "en-GB" }, at)).toMatch(/additional properties/);
    expect(problems({}, at)).not.toBe("");
  });

  it("BatchUpdateConnectorItem follows the same rules plus a required connectorId", () => {
    const at = ["components", "schemas", "BatchUpdateConnectorItem"];
    expect(problems({ connectorId: "C", variantId: null }, at)).toBe("");
    expect(problems({ connectorId: "C", voiceName: null }, at)).not.toBe("");
    expect(problems({ connectorId: "C" }, at)).not.toBe("");
    expect(problems({ connectorId: "C", ttsLangCode: "en-GB" }, at)).toMatch(
      /additional properties/,
    );
  });

  it("the document is OpenAPI 3.1 and never uses the 3.0 `nullable` keyword", () => {
    expect(doc["openapi"]).toMatch(/^3\.1\.\d+$/);
    const found: string[] = [];
    const walk = (node: unknown, at: string[]): void => {
      if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...at, String(i)]));
      else if (isObject(node)) {
        for (const [key, child] of Object.entries(node)) {
          if (key === "nullable") found.push(pointer([...at, key]));
          walk(child, [...at, key]);
        }
      }
    };
    walk(doc, []);
    expect(found).toEqual([]);
  });
});
