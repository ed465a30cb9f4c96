// #21: the client carries only the checks its spec needs. The integer/number check
// is generated in only for a spec with a number schema (none today), and an object
// rule that requires every property says `required: true` instead of repeating them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkNumber as generatedCheckNumber, operations } from "../generated/operations.js";
import { InvalidInputError } from "../src/errors.js";
import { checkValue } from "../src/internal/check.js";
import { checkNumber } from "../src/internal/check-number.js";
import { renderOperations } from "../scripts/render-operations.mjs";
import { repoRoot } from "./support/fixtures.js";

type Doc = {
  paths: Record<string, Record<string, { operationId?: string; parameters?: unknown[] }>>;
};
const spec = (): Doc =>
  JSON.parse(readFileSync(join(repoRoot, "generated/openapi.json"), "utf8")) as Doc;

/** The spec with an integer `limit` query parameter added to listConnectors. */
function withInteger(): Doc {
  const doc = spec();
  const list = Object.values(doc.paths)
    .map((item) => item["get"])
    .find((op) => op?.operationId === "listConnectors")!;
  list.parameters = [
    ...(list.parameters ?? []),
    { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100 } },
  ];
  return doc;
}

describe("the number check is generated only for a spec that has a number", () => {
  it("today's spec has none: the table sets checkNumber to null and imports no number code", () => {
    const rendered = renderOperations(spec());
    expect(rendered).not.toContain("export { checkNumber }");
    expect(rendered).toContain("export const checkNumber");
    expect(generatedCheckNumber).toBeNull();
  });

  it("a spec with an integer parameter gets the check back from src/internal/check-number.ts", () => {
    const rendered = renderOperations(withInteger());
    expect(rendered).toContain('export { checkNumber } from "../src/internal/check-number.js";');
    expect(rendered).toContain('{ type: "integer", minimum: 1, maximum: 100 }');
  });

  it("the generated check refuses what it refused before, with the same messages", () => {
    const rule = { type: "integer", minimum: 1, maximum: 100, enum: [1, 10, 50, 200] } as const;
    const run = (value: unknown, loose = false) => {
      const fail = (reason: string) => new InvalidInputError("limit", reason);
      return checkNumber(value, rule, loose, fail, () =>
        fail(`expected an integer, got ${String(value)}`),
      );
    };
    expect(run(10)).toBe(10);
    expect(() => run(1.5)).toThrow("limit: expected an integer, got 1.5");
    expect(() => run(Number.NaN)).toThrow("expected an integer");
    expect(() => run(2)).toThrow("limit: 2 is not one of 1, 10, 50, 200");
    expect(() => run(200)).toThrow("limit: 200 is out of range (1 to 100)");
    // An answer's value: its type is checked, its range is the server's business.
    expect(run(200, true)).toBe(200);
    expect(() => run("7", true)).toThrow(InvalidInputError);
    const number = { type: "number", exclusiveMinimum: 0 } as const;
    const fail = (reason: string) => new InvalidInputError("ratio", reason);
    expect(checkNumber(0.5, number, false, fail, () => fail("mismatch"))).toBe(0.5);
    expect(() => checkNumber(0, number, false, fail, () => fail("mismatch"))).toThrow(
      "ratio: 0 is out of range (0 to ∞)",
    );
  });

  it("without a generated check, a number rule is a clear internal error, not a pass", () => {
    expect(() => checkValue(3, { type: "integer" }, "limit")).toThrow(
      "limit: no number check was generated",
    );
  });
});

describe("`required: true` says every property is required", () => {
  it("is written where the list would repeat every property in order, and a list elsewhere", () => {
    const rendered = renderOperations(spec());
    // Before prettier: lists are written as JSON.
    expect(rendered).not.toContain('required: ["connectorId","name","accountId"');
    // PhoneNumber has an optional connectorId: its list stays.
    expect(rendered).toContain('required: ["number","projectId","accountId","clientEnv"]');
    expect(rendered).toMatch(/required: true/);
  });

  it("checks as the list did: each missing key named, in the properties' order", () => {
    const body = operations.batchUpdateConnectors.answers[200];
    expect(() => checkValue({}, body!, "answer", "", true)).toThrow("results: is missing");
    const item = operations.reassignPhoneNumber.body;
    expect(() => checkValue({}, item, "body", "")).toThrow("connectorId: is required");
  });
});

// #23: the rule kinds outbound calls brought: values of other keys, a base64 size,
// a stricter rule while a key is absent, and the at-most-once retry rule.
describe("outbound calls' rules come from the spec", () => {
  type Schemas = Record<string, Record<string, unknown>>;
  const withSchemas = (change: (schemas: Schemas) => void) => {
    const doc = spec() as Doc & { components: { schemas: Schemas } };
    change(doc.components.schemas);
    return doc;
  };

  it("renders additionalProperties, x-sdk-base64-size-under, x-sdk-when-absent and x-sdk-at-most-once", () => {
    const rendered = renderOperations(spec());
    expect(rendered).toMatch(
      /const sOutboundCallMetadata: Rule = \{ type: "object", props: \{ *\}, values: r\d+, base64Under: 26000/,
    );
    expect(rendered).toContain(`whenAbsent: { "countryCode": { "toNumber": sE164Number } }`);
    expect(rendered).toContain("atMostOnce: { retryStatuses: [429,502,503] }");
    expect(operations.createOutboundCall.atMostOnce.retryStatuses).toEqual([429, 502, 503]);
    expect("atMostOnce" in operations.getOutboundCallStatus).toBe(false);
  });

  it("refuses a when-absent rule naming a schema or property that does not exist", () => {
    const doc = withSchemas((s) => {
      s["InitiateOutboundCallBody"]!["x-sdk-when-absent"] = { countryCode: { toNumber: "Nope" } };
    });
    expect(() => renderOperations(doc)).toThrow(
      /x-sdk-when-absent: toNumber or the schema Nope is missing/,
    );
  });

  it("refuses a base64 limit that is not a positive integer", () => {
    const doc = withSchemas((s) => {
      s["OutboundCallMetadata"]!["x-sdk-base64-size-under"] = "26 KB";
    });
    expect(() => renderOperations(doc)).toThrow(
      /x-sdk-base64-size-under must be a positive integer/,
    );
  });

  it("refuses retry statuses that are not HTTP error statuses", () => {
    const doc = spec() as Doc & { paths: Record<string, Record<string, Record<string, unknown>>> };
    const trigger = Object.values(doc.paths).find(
      (item) => item["post"]?.["operationId"] === "createOutboundCall",
    )!;
    trigger["post"]!["x-sdk-at-most-once"] = { "retry-statuses": [200] };
    expect(() => renderOperations(doc)).toThrow(/retry-statuses must be HTTP error statuses/);
  });

  it.each([500, 504, 408])(
    "refuses a retry status after which the request may have acted (%i)",
    (status) => {
      // #23: the issue names 500 and 504 as "maybe placed"; a spec edit must not make them retried.
      const doc = spec() as Doc & {
        paths: Record<string, Record<string, Record<string, unknown>>>;
      };
      const trigger = Object.values(doc.paths).find(
        (item) => item["post"]?.["operationId"] === "createOutboundCall",
      )!;
      trigger["post"]!["x-sdk-at-most-once"] = { "retry-statuses": [429, status] };
      expect(() => renderOperations(doc)).toThrow(/may have acted/);
    },
  );

  it("the client's checks follow the rules: values, size, and the stricter rule while a key is absent", () => {
    const body = operations.createOutboundCall.body;
    const call = { toNumber: "+442079460000", environment: "live" };
    expect(checkValue({ ...call, metadata: { a: "b" } }, body, "body", "")).toEqual({
      ...call,
      metadata: { a: "b" },
    });
    expect(() => checkValue({ ...call, metadata: { a: true } }, body, "body", "")).toThrow(
      "metadata.a: expected a string",
    );
    expect(() => checkValue({ ...call, toNumber: "02079460000" }, body, "body", "")).toThrow(
      /^toNumber: .*; or set countryCode$/,
    );
    expect(
      checkValue({ ...call, toNumber: "02079460000", countryCode: "GB" }, body, "body", ""),
    ).toMatchObject({ countryCode: "GB" });
    expect(() =>
      checkValue({ ...call, metadata: { a: "é".repeat(9_800) } }, body, "body", ""),
    ).toThrow(
      "metadata: its base64 (of its JSON text) is 26,144 bytes; PolyAI accepts under 26,000 bytes",
    );
  });
});
