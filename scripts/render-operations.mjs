// Renders generated/operations.ts: one table row per operation of the spec (method,
// path, argument rules, answer rules, read or write) and the rules of every schema
// they use. The client's only call path and the local PolyAI both walk this table,
// so an operation added to openapi/ needs no code. It knows no operation, path or
// schema by name; what the API needs beyond JSON Schema is said with the `x-`
// extensions documented in openapi/README.md.
import { bodyMayBeEmpty, deref, operationsOf, refName } from "./spec-model.mjs";

// Keywords the rules carry, or that only annotate. Anything else in a checked
// schema stops generation: a keyword the client silently ignored would let a
// value the API refuses through unchecked.
const ANNOTATIONS = new Set([
  "description",
  "title",
  "example",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "format",
  "$comment",
  // #24: why the schema differs from PolyAI's published one; read by spec:upstream only.
  "x-upstream-differs",
]);
const SUPPORTED = {
  string: ["type", "minLength", "maxLength", "pattern", "enum", "const"],
  number: ["type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum", "const"],
  boolean: ["type", "const"],
  array: ["type", "items", "minItems", "maxItems", "uniqueItems"],
  object: ["type", "properties", "required", "additionalProperties", "minProperties"],
};
const EXTENSIONS = new Set([
  "x-sdk-unique-by",
  "x-sdk-format",
  "x-sdk-clear-helper",
  "x-sdk-voice-families",
  "x-error-code",
  "x-sdk-base64-size-under",
  "x-sdk-when-absent",
]);

const js = (value) => JSON.stringify(value);

/**
 * An object rule's `required`: `true` when it lists every property in their order
 * (#21: the list would repeat each name; `requiredKeys` in src/internal/check.ts reads
 * it back), the list otherwise, nothing when empty.
 */
function requiredField(required, keys) {
  if (!required.length) return "";
  const all = required.length === keys.length && required.every((k, i) => k === keys[i]);
  return all ? "required: true" : `required: ${js(required)}`;
}

/**
 * The fields an object rule starts with, for a schema's object and an operation's
 * query alike: its type, properties (rendered), required keys and closedness.
 */
function objectFields(props, required, keys, closed) {
  return [
    'type: "object"',
    `props: { ${props.join(", ")} }`,
    requiredField(required, keys),
    closed ? "closed: true" : "",
  ];
}

/** A pattern as a regex literal (`/…/u`), checked to mean the same as the spec's string. */
function regexLiteral(pattern, where) {
  const escaped = pattern.replace(/\\.|\//g, (m) => (m === "/" ? "\\/" : m)).replace(/\n/g, "\\n");
  const literal = `/${escaped}/u`;
  const same = new Function(`return ${literal}`)().source === new RegExp(pattern, "u").source;
  if (!same)
    throw unsupported(where, `the pattern ${js(pattern)} cannot be written as a regex literal`);
  return literal;
}

/** Where a schema lives, for messages: its component name when it has one. */
function unsupported(where, message) {
  return new Error(
    `openapi: ${where}: ${message}; the client cannot check it (see openapi/README.md)`,
  );
}

function checkKeywords(schema, kind, where) {
  const allowed = new Set(SUPPORTED[kind]);
  for (const key of Object.keys(schema)) {
    if (allowed.has(key) || ANNOTATIONS.has(key) || EXTENSIONS.has(key)) continue;
    if (key.startsWith("x-")) throw unsupported(where, `unknown extension ${key}`);
    throw unsupported(where, `the keyword ${key} is not supported`);
  }
}

/** Renders rules; named schemas become shared constants in dependency order. */
class RuleRenderer {
  constructor(doc) {
    this.doc = doc;
    this.named = new Map(); // component name -> { id }
    this.decls = []; // [id, body], each after what it uses
    this.inlined = new Map(); // rendered inline rule -> id, so equal rules are one constant
    this.visiting = new Set();
    this.formats = new Map(); // format -> the named rule that has it
    this.numbers = false; // whether a rule is an integer or a number (#21)
  }

  /** The expression of a schema's rule. */
  rule(node, where) {
    const ref =
      typeof node?.$ref === "string" && /^#\/components\/schemas\/([\w.-]+)$/.exec(node.$ref);
    if (ref) {
      const name = refName(node.$ref);
      const id = `s${name.replace(/[^\w]/g, "_")}`;
      if (!this.named.has(name)) {
        if (this.visiting.has(name)) throw unsupported(name, "a schema that refers to itself");
        this.visiting.add(name);
        const target = deref(this.doc, { $ref: node.$ref }).node;
        const body = this.literal(target, name);
        this.visiting.delete(name);
        this.named.set(name, { id, body });
        this.decls.push([id, body]);
      }
      // Siblings of a $ref (3.1): a title names the value where it is used, and an
      // example shows one (a connector ID is not shown as a project ID).
      const { $ref: _, ...siblings } = node;
      for (const key of Object.keys(siblings))
        if (!ANNOTATIONS.has(key)) throw unsupported(where, `the keyword ${key} beside a $ref`);
      const extra = ["title", "example"]
        .filter((k) => siblings[k] !== undefined)
        .map((k) => `${k}: ${js(siblings[k])}`);
      return extra.length ? `{ ...${id}, ${extra.join(", ")} }` : id;
    }
    return this.inline(deref(this.doc, node).node, where);
  }

  /** An inline rule, as a shared constant: the same rule in many places is built once. */
  inline(schema, where) {
    const body = this.literal(schema, where);
    let id = this.inlined.get(body);
    if (!id) {
      id = `r${this.inlined.size}`;
      this.inlined.set(body, id);
      this.decls.push([id, body]);
    }
    return id;
  }

  literal(schema, where) {
    if (typeof schema !== "object" || schema === null) throw unsupported(where, "not a schema");
    if (schema.oneOf) return this.oneOf(schema, where);
    for (const key of ["anyOf", "allOf", "not", "if"])
      if (key in schema) throw unsupported(where, `the keyword ${key} is not supported`);
    const types = [].concat(schema.type ?? []);
    const nullable = types.includes("null");
    const nonNull = types.filter((t) => t !== "null");
    if (nonNull.length === 0 && "const" in schema) {
      checkKeywords(schema, "boolean", where);
      return `{ type: "const", value: ${js(schema.const)} }`;
    }
    if (nonNull.length !== 1)
      throw unsupported(
        where,
        `a schema needs one type besides null, got ${js(schema.type ?? null)}`,
      );
    const type = nonNull[0];
    const common = [
      nullable ? "nullable: true" : "",
      schema.title ? `title: ${js(schema.title)}` : "",
    ];
    const parts = (list) => `{ ${[...list, ...common].filter(Boolean).join(", ")} }`;
    switch (type) {
      case "string": {
        checkKeywords(schema, "string", where);
        const format = schema["x-sdk-format"];
        const enumValues = schema.enum ?? ("const" in schema ? [schema.const] : undefined);
        return parts([
          'type: "string"',
          schema.minLength ? `minLength: ${schema.minLength}` : "",
          schema.maxLength !== undefined ? `maxLength: ${schema.maxLength}` : "",
          schema.pattern !== undefined ? `pattern: ${regexLiteral(schema.pattern, where)}` : "",
          schema.example !== undefined ? `example: ${js(schema.example)}` : "",
          enumValues ? `enum: ${js(enumValues.filter((v) => v !== null))}` : "",
          format !== undefined ? `format: ${js(format)}` : "",
          schema["x-sdk-clear-helper"] ? `clearHelper: ${js(schema["x-sdk-clear-helper"])}` : "",
          schema["x-sdk-voice-families"] ? `families: ${js(schema["x-sdk-voice-families"])}` : "",
        ]);
      }
      case "integer":
      case "number": {
        checkKeywords(schema, "number", where);
        this.numbers = true;
        const bound = (k) => (schema[k] === undefined ? "" : `${k}: ${js(schema[k])}`);
        return parts([
          `type: ${js(type)}`,
          bound("minimum"),
          bound("maximum"),
          bound("exclusiveMinimum"),
          bound("exclusiveMaximum"),
          schema.enum ? `enum: ${js(schema.enum)}` : "",
        ]);
      }
      case "boolean":
        checkKeywords(schema, "boolean", where);
        return parts(['type: "boolean"']);
      case "array": {
        checkKeywords(schema, "array", where);
        if (!schema.items) throw unsupported(where, "an array without items");
        const by = schema["x-sdk-unique-by"];
        return parts([
          'type: "array"',
          `items: ${this.rule(schema.items, `${where}[]`)}`,
          schema.minItems ? `minItems: ${schema.minItems}` : "",
          schema.maxItems !== undefined ? `maxItems: ${schema.maxItems}` : "",
          schema.uniqueItems ? "uniqueItems: true" : "",
          by ? `uniqueBy: ${js(by)}` : "",
        ]);
      }
      case "object": {
        checkKeywords(schema, "object", where);
        const extra = schema.additionalProperties;
        // #23: a schema for the other keys (metadata: string values only).
        const values =
          extra !== undefined && typeof extra === "object"
            ? `values: ${this.rule(extra, `${where}.*`)}`
            : "";
        const under = schema["x-sdk-base64-size-under"];
        if (under !== undefined && !(Number.isInteger(under) && under > 0))
          throw unsupported(where, "x-sdk-base64-size-under must be a positive integer");
        const required = schema.required ?? [];
        for (const key of required)
          if (!schema.properties?.[key]) throw unsupported(where, `required ${key} has no schema`);
        const props = Object.entries(schema.properties ?? {}).map(
          ([key, prop]) => `${js(key)}: ${this.rule(prop, `${where}.${key}`)}`,
        );
        // #24: a default beside a $ref wins over the target's, like a title.
        const defaults = Object.entries(schema.properties ?? {})
          .map(([key, prop]) => [key, prop.default ?? deref(this.doc, prop).node.default])
          .filter(([, value]) => value !== undefined);
        return parts([
          ...objectFields(props, required, Object.keys(schema.properties ?? {}), extra === false),
          schema.minProperties ? `minProperties: ${schema.minProperties}` : "",
          defaults.length ? `defaults: ${js(Object.fromEntries(defaults))}` : "",
          values,
          under !== undefined ? `base64Under: ${under}` : "",
          this.whenAbsent(schema, where),
        ]);
      }
      default:
        throw unsupported(where, `the type ${type} is not supported`);
    }
  }

  /** #23: `x-sdk-when-absent`: while a property is absent, others must also match these schemas. */
  whenAbsent(schema, where) {
    const given = schema["x-sdk-when-absent"];
    if (given === undefined) return "";
    const entries = Object.entries(given).map(([absent, rules]) => {
      if (!schema.properties?.[absent])
        throw unsupported(where, `x-sdk-when-absent names ${absent}, which it does not have`);
      // A component schema by name: Redocly resolves no $ref inside an extension.
      const inner = Object.entries(rules).map(([key, name]) => {
        if (!schema.properties?.[key] || !this.doc.components?.schemas?.[name])
          throw unsupported(where, `x-sdk-when-absent: ${key} or the schema ${name} is missing`);
        return `${js(key)}: ${this.rule({ $ref: `#/components/schemas/${name}` }, `${where}.${key}`)}`;
      });
      return `${js(absent)}: { ${inner.join(", ")} }`;
    });
    return `whenAbsent: { ${entries.join(", ")} }`;
  }

  oneOf(schema, where) {
    const variants = schema.oneOf.map((v) => deref(this.doc, v).node);
    const tag = Object.keys(variants[0]?.properties ?? {}).find((k) =>
      variants.every(
        (v) => v.required?.includes(k) && "const" in deref(this.doc, v.properties?.[k] ?? {}).node,
      ),
    );
    if (!tag)
      throw unsupported(where, "a oneOf needs a required const property to tell variants apart");
    const rendered = schema.oneOf.map((v, i) => this.rule(v, `${where}.oneOf[${i}]`));
    return `{ type: "oneOf", tag: ${js(tag)}, variants: [${rendered.join(", ")}] }`;
  }

  constants() {
    const out = this.decls.map(([id, body]) => `const ${id}: Rule = ${body};`);
    // The rule of each named format, for the hand-written check that parses it.
    for (const { id, body } of this.named.values()) {
      const format = /format: ("[^"]+")/.exec(body)?.[1];
      if (format && !this.formats.has(format)) this.formats.set(format, id);
    }
    return out.join("\n");
  }
}

/** Base URL of each region, from the spec's servers (`https://api.<region>.poly.ai`). */
function regionsOf(doc) {
  const out = {};
  for (const server of doc.servers ?? []) {
    const m = /^https:\/\/api\.([a-z]+)\.poly\.ai$/.exec(server.url);
    if (!m)
      throw new Error(`servers: ${server.url} is not of the form https://api.<region>.poly.ai`);
    out[m[1]] = server.url;
  }
  if (!Object.keys(out).length) throw new Error("servers: no region");
  return out;
}

// Literal segments beside a path parameter (`.../connectors/batch` beside
// `.../connectors/{connectorId}`): a value equal to one would address that
// endpoint instead, so the client names it in a clear error.
function reservedFor(paths, path, index) {
  const segments = path.split("/");
  const prefix = segments.slice(0, index).join("/");
  const out = new Set();
  for (const other of paths) {
    const s = other.split("/");
    if (s.length !== segments.length || s.slice(0, index).join("/") !== prefix) continue;
    if (!s[index].startsWith("{")) out.add(s[index]);
  }
  return [...out];
}

/** The operations of the document, as the SDK sees them. Throws on a missing convention. */
export function sdkOperations(doc) {
  const seen = new Map();
  return operationsOf(doc).map((entry) => {
    const { op, method, path } = entry;
    const id = op.operationId;
    const where = `${method.toUpperCase()} ${path}`;
    if (!id) throw new Error(`openapi: ${where} has no operationId`);
    const resource = op["x-sdk-resource"];
    const name = op["x-sdk-method"];
    for (const [key, value] of [
      ["x-sdk-resource", resource],
      ["x-sdk-method", name],
    ])
      if (typeof value !== "string" || !/^[A-Za-z_$][\w$]*$/.test(value))
        throw new Error(`openapi: ${id} needs ${key}, an identifier (see openapi/README.md)`);
    const key = `${resource}.${name}`;
    if (seen.has(key)) throw new Error(`openapi: ${id} and ${seen.get(key)} are both ${key}`);
    seen.set(key, id);
    return { ...entry, id, resource, name, where };
  });
}

export function renderOperations(doc) {
  const rules = new RuleRenderer(doc);
  const ops = sdkOperations(doc);
  const allPaths = ops.map((o) => o.path);
  const rows = ops.map((o) => {
    const { op, id, method, path, parameters, requestBody, responses } = o;
    const segments = path.split("/");
    const pathParams = segments
      .map((s, i) => [s, i])
      .filter(([s]) => s.startsWith("{"))
      .map(([s, i]) => {
        const name = s.slice(1, -1);
        const param = parameters.find((p) => p.in === "path" && p.name === name);
        if (!param) throw new Error(`openapi: ${id} has no path parameter ${name}`);
        return {
          name,
          rule: rules.rule(param.schema ?? {}, `${id}.${name}`),
          reserved: reservedFor(allPaths, path, i),
        };
      });
    const query = parameters.filter((p) => p.in === "query");
    for (const p of parameters)
      if (p.in !== "path" && p.in !== "query")
        throw unsupported(`${id}.${p.name}`, `a parameter in ${p.in}`);
    const fields = [
      `method: ${js(method.toUpperCase())}`,
      `path: ${js(path)}`,
      `resource: ${js(o.resource)}`,
      `name: ${js(o.name)}`,
      `params: { ${pathParams.map((p) => `${js(p.name)}: ${p.rule}`).join(", ")} }`,
    ];
    const reserved = pathParams.filter((p) => p.reserved.length);
    if (reserved.length)
      fields.push(
        `reserved: { ${reserved.map((p) => `${js(p.name)}: ${js(p.reserved)}`).join(", ")} }`,
      );
    if (query.length) {
      const props = query.map(
        (p) => `${js(p.name)}: ${rules.rule(p.schema ?? {}, `${id}.${p.name}`)}`,
      );
      const required = query.filter((p) => p.required).map((p) => p.name);
      const rule = objectFields(
        props,
        required,
        query.map((p) => p.name),
        true,
      );
      fields.push(
        `query: { ${rule.filter(Boolean).join(", ")} }`,
        `queryArg: ${js(op["x-sdk-query-argument"] ?? "query")}`,
      );
    }
    if (requestBody) {
      const json = requestBody.content?.["application/json"];
      if (!json?.schema) throw unsupported(`${id} requestBody`, "a body that is not JSON");
      fields.push(`body: ${rules.rule(json.schema, `${id}.body`)}`);
      if (requestBody.required) fields.push("bodyRequired: true");
      if (bodyMayBeEmpty(doc, requestBody)) fields.push("emptyBody: true");
      fields.push(`bodyArg: ${js(requestBody["x-sdk-argument"] ?? "body")}`);
      const unwrap = requestBody["x-sdk-unwrap"];
      if (unwrap !== undefined) {
        const schema = deref(doc, json.schema).node;
        if (!schema.properties?.[unwrap])
          throw new Error(
            `openapi: ${id}: x-sdk-unwrap names ${unwrap}, which the body does not have`,
          );
        fields.push(`unwrap: ${js(unwrap)}`);
      }
    }
    const answers = Object.entries(responses)
      .filter(([status]) => /^2\d\d$/.test(status))
      .map(([status, response]) => {
        const media = response.content?.["application/json"];
        if (!media && response.content)
          throw unsupported(`${id} ${status}`, "an answer that is not JSON");
        return `${status}: ${media ? rules.rule(media.schema ?? {}, `${id}.${status}`) : "null"}`;
      });
    if (!answers.length) throw new Error(`openapi: ${id} documents no 2xx answer`);
    fields.push(`answers: { ${answers.join(", ")} }`);
    if (op["x-sdk-returns"] !== undefined) fields.push(`returns: ${js(op["x-sdk-returns"])}`);
    const write = !["GET", "HEAD"].includes(method.toUpperCase()) && op["x-sdk-read-only"] !== true;
    if (write) fields.push("write: true");
    if (op["x-sdk-dry-run"] === true) fields.push("dryRun: true");
    const once = op["x-sdk-at-most-once"];
    if (once !== undefined) {
      const statuses = once?.["retry-statuses"] ?? [];
      if (!Array.isArray(statuses) || !statuses.every((s) => Number.isInteger(s) && s >= 400))
        throw new Error(
          `openapi: ${id}: x-sdk-at-most-once retry-statuses must be HTTP error statuses`,
        );
      // #23: a gateway timeout or server fault may come after the request acted (a call placed).
      const acted = statuses.find((s) => s === 408 || s === 500 || s === 504);
      if (acted !== undefined)
        throw new Error(
          `openapi: ${id}: x-sdk-at-most-once retry-statuses lists ${acted}, after which the request may have acted; it must not be retried`,
        );
      fields.push(`atMostOnce: { retryStatuses: ${js(statuses)} }`);
    }
    return `  ${id}: { ${fields.join(", ")} },`;
  });
  const regions = regionsOf(doc);
  const constants = rules.constants();
  const formats = [...rules.formats.keys()].sort();
  return `
/**
 * A rule of the spec for one value: what the client checks before it sends it, and
 * (leniently: required keys and types only) what it checks in an answer.
 */
export type Rule = StringRule | NumberRule | BooleanRule | ConstRule | ArrayRule | ObjectRule | OneOfRule;

interface RuleBase {
  readonly nullable?: boolean;
  /** What the value is, for messages ("connector ID"). */
  readonly title?: string;
}

/** A string: length, pattern, enum, and a named hand-written check (\`format\`). */
export interface StringRule extends RuleBase {
  readonly type: "string";
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** A valid value, quoted in messages ("like \\"en-US\\""). */
  readonly example?: string;
  readonly enum?: readonly string[];
  readonly format?: Format;
  /** The exported helper that clears this value (\`clearVariant\`). */
  readonly clearHelper?: string;
  /** The voice families Google ships (\`x-sdk-voice-families\`), for telling a typo from a new family. */
  readonly families?: readonly string[];
}

/** An integer or a number, with its bounds. */
export interface NumberRule extends RuleBase {
  readonly type: "integer" | "number";
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly enum?: readonly number[];
}

/** A boolean. */
export interface BooleanRule extends RuleBase {
  readonly type: "boolean";
}

/** Exactly one value. */
export interface ConstRule extends RuleBase {
  readonly type: "const";
  readonly value: unknown;
}

/** An array: its items, count, and distinctness (whole items, or by one property). */
export interface ArrayRule extends RuleBase {
  readonly type: "array";
  readonly items: Rule;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly uniqueItems?: boolean;
  readonly uniqueBy?: string;
}

/** An object: its properties, the required ones, and whether others are refused. */
export interface ObjectRule extends RuleBase {
  readonly type: "object";
  readonly props: Readonly<Record<string, Rule>>;
  /** The keys that must be set; \`true\` is every property (the list would repeat them all). */
  readonly required?: readonly string[] | true;
  readonly closed?: boolean;
  readonly minProperties?: number;
  /** Values the API means when it leaves a property out. */
  readonly defaults?: Readonly<Record<string, unknown>>;
  /** The rule of every key not in \`props\` (\`additionalProperties\` with a schema). */
  readonly values?: Rule;
  /** The base64 of the value's JSON must be shorter than this many bytes (\`x-sdk-base64-size-under\`). */
  readonly base64Under?: number;
  /** While the key is absent, these properties must also match these rules (\`x-sdk-when-absent\`). */
  readonly whenAbsent?: Readonly<Record<string, Readonly<Record<string, Rule>>>>;
}

/** One of several objects, told apart by the const value of \`tag\`. */
export interface OneOfRule extends RuleBase {
  readonly type: "oneOf";
  readonly tag: string;
  readonly variants: readonly Rule[];
}

/** The hand-written string checks the spec names with \`x-sdk-format\`. */
export type Format = ${formats.length ? formats.join(" | ") : "never"};

/** One operation of the spec, as the client calls it. */
export interface OperationSpec {
  readonly method: string;
  readonly path: string;
  /** The client property (\`x-sdk-resource\`) and method name (\`x-sdk-method\`). */
  readonly resource: string;
  readonly name: string;
  /** Path parameters, in path order. */
  readonly params: Readonly<Record<string, Rule>>;
  /** Values of a path parameter that name a sibling endpoint instead. */
  readonly reserved?: Readonly<Record<string, readonly string[]>>;
  readonly query?: ObjectRule;
  readonly queryArg?: string;
  readonly body?: Rule;
  readonly bodyRequired?: boolean;
  /** A required body that \`{}\` satisfies: its argument may be left out, and \`{}\` is sent (#24). */
  readonly emptyBody?: boolean;
  readonly bodyArg?: string;
  readonly unwrap?: string;
  /** The rule of each documented 2xx answer; null for an answer without a body. */
  readonly answers: Readonly<Record<number, Rule | null>>;
  readonly returns?: string;
  readonly write?: boolean;
  readonly dryRun?: boolean;
  /**
   * Must not take effect twice (\`x-sdk-at-most-once\`): retried only where it
   * certainly did not (a connection never made, or one of \`retryStatuses\`).
   */
  readonly atMostOnce?: { readonly retryStatuses: readonly number[] };
}

/** Base URL of each region, from the spec's \`servers\`. The first is the default. */
export const regions = ${js(regions)} as const;

/** The region used when none is configured: the spec's first server. */
export const defaultRegion = ${js(Object.keys(regions)[0])} as const;

${constants}

/** The rule of each format, for parsing such a value outside a call (\`parseVoiceName\`). */
export const formatRules = { ${formats.map((f) => `${f}: ${rules.formats.get(f)} as StringRule`).join(", ")} } satisfies Record<Format, StringRule>;

${
  rules.numbers
    ? `/** The check of integer and number values: a schema of the spec has one (#21). */
export { checkNumber } from "../src/internal/check-number.js";`
    : `/** The check of integer and number values: null, as no schema of the spec has one (#21). */
export const checkNumber: typeof import("../src/internal/check-number.js").checkNumber | null = null;`
}

/** Every operation of the spec, by operationId. */
export const operations = {
${rows.join("\n")}
} as const satisfies Record<string, OperationSpec>;

/** The operationId of every operation of the spec. */
export type OperationId = keyof typeof operations;
`;
}
