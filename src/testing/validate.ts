// The bundled spec (generated/spec.ts) compiled into checks, once per process:
// the mock validates what it receives and what it sends against the same document
// the SDK's types are generated from, so neither can drift from the spec unnoticed.
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { spec } from "../../generated/spec.js";
import { base64Size } from "../internal/base64-size.js";
import { describeType, quote } from "../internal/validate.js";

type Json = Record<string, unknown>;

/** A failed check: the field that failed (`voiceName`, `updates[1].connectorId`, `agentId`) and why. */
export interface Problem {
  readonly field: string;
  readonly message: string;
  /** The JSON Schema keyword that failed (`pattern`, `required`, …). */
  readonly keyword: string;
  /** The `error_code` the spec's `x-error-code` gives a value that fails this schema. */
  readonly code?: string | undefined;
}

/** Checks one value; null when it passes. */
export type Check = (value: unknown) => Problem | null;

/** What the spec documents for one status of one operation. */
export interface ResponseSpec {
  /** Headers the answer must carry, lower-cased, each with its schema check. */
  readonly headers: ReadonlyMap<string, Check>;
  /** The JSON body check, when the response documents `application/json` content. */
  readonly body: Check | undefined;
}

/** One operation of the spec, with its checks compiled. */
export interface OperationSpec {
  readonly operationId: string;
  /** Upper-case HTTP method. */
  readonly method: string;
  /** The path template, split on `/`: `["", "v1", "agents", "{agentId}", …]`. */
  readonly segments: readonly string[];
  /** Path parameter checks, by name; values are checked after percent-decoding. */
  readonly params: ReadonlyMap<string, Check>;
  /** Query parameter checks, by name. */
  readonly query: ReadonlyMap<string, { readonly check: Check; readonly required: boolean }>;
  /** The status of a success: the first 2xx the operation documents (201 for an import). */
  readonly success: number;
  readonly body: { readonly required: boolean; readonly check: Check } | undefined;
  /** Documented answers by status code (`"200"`, `"404"`). */
  readonly responses: ReadonlyMap<string, ResponseSpec>;
  /**
   * The `error_code` of a request that fails validation: the `…_VALIDATION_FAILED`
   * code an example of the operation's 400 shows (#23), else `CONNECTORS_VALIDATION_FAILED`.
   */
  readonly validationCode: string;
}

/** The compiled spec. */
export interface SpecIndex {
  readonly operations: readonly OperationSpec[];
  /** The `Connector` schema, for seed data. */
  readonly connector: Check;
  /** The property names of `Connector`, for telling a typo in seed data from a field. */
  readonly connectorFields: readonly string[];
  /** Every path parameter's check by name (`agentId`, `connectorId`), for seed data. */
  readonly pathParams: ReadonlyMap<string, Check>;
  /** The `PhoneNumber` schema (E.164), for seed data. */
  readonly phoneNumber: Check;
  /** The answer every error must match, documented or not (405, unknown path). */
  readonly errorResponse: ResponseSpec;
}

// Component schemas live under one root schema with this id; every
// `#/components/schemas/X` reference is rewritten to point into it, because ajv
// resolves `#/…` against the schema being compiled, not against the OpenAPI file.
const ROOT_ID = "https://polyai-connectors.invalid/openapi.json";
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An object of the resolved spec (generated/spec.ts resolves every reference but schemas). */
function obj(value: unknown): Json {
  if (!isObject(value)) throw new Error("spec: expected an object");
  return value;
}

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (!isObject(value)) return value;
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      key === "$ref" && typeof v === "string" && v.startsWith("#/components/schemas/")
        ? `${ROOT_ID}#/$defs/${v.slice("#/components/schemas/".length)}`
        : rewriteRefs(v);
  }
  return out;
}

/** `/updates/1/voiceName` → `updates[1].voiceName`; the root is `root`. */
function fieldPath(root: string, pointer: string, extra?: string): string {
  const parts =
    pointer === ""
      ? []
      : pointer
          .slice(1)
          .split("/")
          .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extra !== undefined) parts.push(extra);
  if (parts.length === 0) return root;
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === "" ? p : `.${p}`;
  // A top-level array index has nothing before it; keep the root so it reads `body[0]`.
  return out.startsWith("[") ? `${root}${out}` : out;
}

/** Ajv's first error as a field and a message a person can act on. */
function toProblem(error: ErrorObject, root: string): Problem {
  const { field, message } = describeError(error, root);
  // A missing value is a plain validation failure; a present one that breaks a
  // schema with its own error code (E.164 numbers) answers that code.
  const own = error.keyword === "required" ? undefined : error.parentSchema?.["x-error-code"];
  return {
    field,
    message,
    keyword: error.keyword,
    code: typeof own === "string" ? own : undefined,
  };
}

function describeError(error: ErrorObject, root: string): { field: string; message: string } {
  const at = (extra?: string) => fieldPath(root, error.instancePath, extra);
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case "additionalProperties":
      return { field: at(String(p["additionalProperty"])), message: "unknown field" };
    case "required":
      return { field: at(String(p["missingProperty"])), message: "is required" };
    case "enum": {
      // Name the allowed values: "must be equal to one of the allowed values" leaves the reader to find them.
      const allowed = (p["allowedValues"] as unknown[] | undefined) ?? [];
      return {
        field: at(),
        message: `must be one of ${allowed.map((v) => JSON.stringify(v)).join(", ")}, got ${typeof error.data === "string" ? quote(error.data) : describeType(error.data)}`,
      };
    }
    case "minProperties":
      return { field: at(), message: "must set at least one field to change" };
    case "type":
      return {
        field: at(),
        message: `must be ${String(p["type"])}, got ${describeType(error.data)}`,
      };
    case "pattern": {
      const got = typeof error.data === "string" ? quote(error.data) : describeType(error.data);
      // The schema's title says what the value should be ("E.164 phone number …").
      const title = error.parentSchema?.["title"];
      return {
        field: at(),
        message: `must match pattern /${String(p["pattern"])}/${typeof title === "string" ? ` (${title})` : ""}, got ${got}`,
      };
    }
    case "x-sdk-unique-by": {
      const by = String(p["by"]);
      return {
        field: `${at()}[${String(p["j"])}].${by}`,
        message: `${quote(String(p["value"]))} is already in ${at()}[${String(p["i"])}]; each ${by} may appear once`,
      };
    }
    case "x-sdk-base64-size-under":
      return {
        field: at(),
        message: `its base64 is ${Number(p["size"]).toLocaleString("en")} bytes; the limit is under ${Number(p["limit"]).toLocaleString("en")}`,
      };
    case "uniqueItems":
      return {
        field: at(),
        message: `must not contain duplicates (items ${String(p["j"])} and ${String(p["i"])} are identical)`,
      };
    default:
      return { field: at(), message: error.message ?? `fails ${error.keyword}` };
  }
}

function compile(ajv: Ajv2020, schema: unknown, root: string): Check {
  const validate: ValidateFunction = ajv.compile(rewriteRefs(schema) as Json);
  return (value) => {
    if (validate(value)) return null;
    const first = validate.errors?.[0];
    return first
      ? toProblem(first, root)
      : { field: root, message: "is invalid", keyword: "unknown" };
  };
}

function compileResponse(ajv: Ajv2020, response: Json): ResponseSpec {
  const headers = new Map<string, Check>();
  for (const [name, raw] of Object.entries(
    isObject(response["headers"]) ? response["headers"] : {},
  )) {
    const header = obj(raw);
    if (header["required"] === true)
      headers.set(name.toLowerCase(), compile(ajv, header["schema"] ?? {}, name));
  }
  const content = isObject(response["content"]) ? response["content"] : {};
  const json = content["application/json"];
  const schema = isObject(json) ? json["schema"] : undefined;
  return { headers, body: schema === undefined ? undefined : compile(ajv, schema, "body") };
}

/** Items that must differ in one property (each connector once per batch): `x-sdk-unique-by`. */
function uniqueBy(by: string, data: unknown[]): boolean {
  const seen = new Map<unknown, number>();
  for (const [j, item] of data.entries()) {
    const value = isObject(item) ? item[by] : undefined;
    const i = seen.get(value);
    if (value !== undefined && i !== undefined) {
      // ajv reads a custom keyword's errors off the function.
      (uniqueBy as { errors?: Partial<ErrorObject>[] }).errors = [
        { keyword: "x-sdk-unique-by", params: { by, i, j, value } },
      ];
      return false;
    }
    seen.set(value, j);
  }
  return true;
}

/** `x-sdk-base64-size-under`: the base64 of the value's JSON is shorter than `limit` bytes. */
function base64Under(limit: number, data: Json, parentSchema?: Json): boolean {
  const size = base64Size(data);
  if (size < limit) return true;
  // With its schema, so that the schema's x-error-code answers (toProblem).
  (base64Under as { errors?: Partial<ErrorObject>[] }).errors = [
    {
      keyword: "x-sdk-base64-size-under",
      params: { size, limit },
      parentSchema: parentSchema ?? {},
    },
  ];
  return false;
}

/** `x-sdk-when-absent` as JSON Schema: `if` the key is absent, `then` the named schemas apply. */
function whenAbsent(rules: Record<string, Record<string, string>>): Json {
  return {
    allOf: Object.entries(rules).map(([absent, checks]) => ({
      if: { type: "object", properties: { [absent]: false } },
      then: {
        type: "object",
        properties: Object.fromEntries(
          Object.entries(checks).map(([key, name]) => [key, { $ref: `${ROOT_ID}#/$defs/${name}` }]),
        ),
      },
    })),
  };
}

/** The `…_VALIDATION_FAILED` code an example of `op`'s 400 answer shows (#23). */
function validationCode(op: Json): string {
  const bad = isObject(op["responses"]) ? op["responses"]["400"] : undefined;
  const content = isObject(bad) && isObject(bad["content"]) ? bad["content"] : {};
  const json = content["application/json"];
  const examples = isObject(json) && isObject(json["examples"]) ? json["examples"] : {};
  for (const example of Object.values(examples)) {
    const value = isObject(example) && isObject(example["value"]) ? example["value"] : {};
    const code = value["error_code"];
    if (typeof code === "string" && code.endsWith("_VALIDATION_FAILED")) return code;
  }
  return "CONNECTORS_VALIDATION_FAILED";
}

/** An object or array as canonical JSON (keys sorted): equal for deeply equal values. */
function canonicalJson(value: unknown): string {
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.keys(value)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Json)[k])}`);
  return `{${entries.join(",")}}`;
}

/**
 * `uniqueItems`, in one pass over the items (#20): ajv compares every pair of
 * items whose type it cannot see (ours are `$ref`s), and 200k IDs took minutes.
 * Reports the first item that repeats an earlier one: `i` its index, `j` the
 * earlier one's (ajv's names).
 */
function uniqueItems(unique: boolean, data: unknown[]): boolean {
  if (!unique) return true;
  const byValue = new Map<unknown, number>(); // primitives
  const byJson = new Map<string, number>(); // objects and arrays, by canonical JSON
  for (const [i, item] of data.entries()) {
    const json = typeof item === "object" && item !== null ? canonicalJson(item) : undefined;
    const j = json === undefined ? byValue.get(item) : byJson.get(json);
    if (j !== undefined) {
      (uniqueItems as { errors?: Partial<ErrorObject>[] }).errors = [
        { keyword: "uniqueItems", params: { i, j } },
      ];
      return false;
    }
    if (json === undefined) byValue.set(item, i);
    else byJson.set(json, i);
  }
  return true;
}

function build(): SpecIndex {
  const ajv = new Ajv2020({ strict: true, allErrors: false, verbose: true });
  // #20: the one-pass uniqueItems above in place of ajv's, which compares pairs.
  ajv.removeKeyword("uniqueItems");
  ajv.addKeyword({
    keyword: "uniqueItems",
    type: "array",
    schemaType: "boolean",
    errors: true,
    validate: uniqueItems,
  });
  // OpenAPI's own annotation keyword, and the SDK's annotations (openapi/README.md).
  for (const keyword of [
    "example",
    "x-sdk-format",
    "x-sdk-clear-helper",
    "x-sdk-voice-families",
    "x-error-code",
    "x-upstream-differs", // #24: why a schema differs from PolyAI's; nothing to check
  ])
    ajv.addKeyword(keyword);
  // #23: call metadata's base64 size, measured as the client measures it.
  ajv.addKeyword({
    keyword: "x-sdk-base64-size-under",
    type: "object",
    schemaType: "number",
    errors: true,
    validate: base64Under,
  });
  // #23: while a property is absent, others must also match a named schema.
  ajv.addKeyword({
    keyword: "x-sdk-when-absent",
    type: "object",
    schemaType: "object",
    macro: whenAbsent,
  });
  // Items that must differ in one property (each connector once per batch).
  ajv.addKeyword({
    keyword: "x-sdk-unique-by",
    type: "array",
    schemaType: "string",
    errors: true,
    validate: uniqueBy,
  });
  const components = isObject(spec["components"]) ? spec["components"] : {};
  const schemas = isObject(components["schemas"]) ? components["schemas"] : {};
  ajv.addSchema({ $id: ROOT_ID, $defs: rewriteRefs(schemas) as Json });

  const operations: OperationSpec[] = [];
  const pathParams = new Map<string, Check>();
  const paths = isObject(spec["paths"]) ? spec["paths"] : {};
  for (const [template, rawItem] of Object.entries(paths)) {
    const item = obj(rawItem);
    const shared = Array.isArray(item["parameters"]) ? item["parameters"] : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      const params = new Map<string, Check>();
      const query = new Map<string, { check: Check; required: boolean }>();
      for (const raw of [...shared, ...(Array.isArray(op["parameters"]) ? op["parameters"] : [])]) {
        const param = obj(raw);
        const name = String(param["name"]);
        const check = compile(ajv, param["schema"] ?? {}, name);
        if (param["in"] === "query") {
          query.set(name, { check, required: param["required"] === true });
          continue;
        }
        if (param["in"] !== "path")
          throw new Error(
            `spec: the mock serves path and query parameters, not ${String(param["in"])}`,
          );
        params.set(name, check);
        pathParams.set(name, check);
      }
      let body: OperationSpec["body"];
      if (op["requestBody"] !== undefined) {
        const requestBody = obj(op["requestBody"]);
        const content = isObject(requestBody["content"]) ? requestBody["content"] : {};
        const json = content["application/json"];
        if (!isObject(json))
          throw new Error(`spec: ${String(op["operationId"])} takes a body that is not JSON`);
        body = {
          required: requestBody["required"] === true,
          check: compile(ajv, json["schema"] ?? {}, "body"),
        };
      }
      const responses = new Map<string, ResponseSpec>();
      for (const [status, raw] of Object.entries(
        isObject(op["responses"]) ? op["responses"] : {},
      )) {
        responses.set(status, compileResponse(ajv, obj(raw)));
      }
      operations.push({
        operationId: String(op["operationId"]),
        method: method.toUpperCase(),
        segments: template.split("/"),
        params,
        query,
        body,
        responses,
        success: Number([...responses.keys()].find((s) => /^2\d\d$/.test(s)) ?? 200),
        validationCode: validationCode(op),
      });
    }
  }

  const connectorSchema = schemas["Connector"];
  const properties =
    isObject(connectorSchema) && isObject(connectorSchema["properties"])
      ? connectorSchema["properties"]
      : {};
  const correlation = obj(obj(components["headers"])["CorrelationId"]);
  return {
    operations,
    connector: compile(ajv, { $ref: "#/components/schemas/Connector" }, "connector"),
    connectorFields: Object.keys(properties),
    pathParams,
    phoneNumber: compile(ajv, { $ref: "#/components/schemas/E164Number" }, "phoneNumber"),
    errorResponse: compileResponse(ajv, {
      headers: { "X-PolyAI-Correlation-Id": correlation },
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    }),
  };
}

let cached: SpecIndex | undefined;

/** The compiled spec; compiled on first use and shared by every mock in the process. */
export function specIndex(): SpecIndex {
  cached ??= build();
  return cached;
}

/**
 * Why an answer breaks the spec, or null when it matches: the documented headers
 * must be present and valid and the body must match the status's schema. An error
 * status the operation does not document (a fault injected by a test, a 405, an
 * unknown path where there is no operation) is held to the generic error answer.
 */
export function checkResponse(
  index: SpecIndex,
  op: OperationSpec | undefined,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: unknown,
): string | null {
  const documented = op?.responses.get(String(status)) ?? op?.responses.get("default");
  const response = documented ?? (status >= 400 ? index.errorResponse : undefined);
  if (!response)
    return `${op?.operationId ?? "an unknown route"} does not document a ${status} answer`;
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  for (const [name, check] of response.headers) {
    const value = lower.get(name);
    if (value === undefined) return `${status} answer lacks the ${name} header`;
    const problem = check(value);
    if (problem) return `${status} answer's ${name} header ${problem.message}`;
  }
  if (response.body) {
    const problem = response.body(body);
    if (problem)
      return `${status} answer body does not match the spec: ${problem.field}: ${problem.message}`;
  }
  return null;
}
