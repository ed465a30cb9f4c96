// Renders generated/constraints.ts: the string rules (pattern, length, nullability,
// an example) the client checks before sending. They are read from the bundled
// spec so that src/ never restates a rule the spec owns.

function deref(spec, node) {
  let seen = 0;
  while (node && typeof node.$ref === "string") {
    if (++seen > 20) throw new Error(`$ref cycle at ${node.$ref}`);
    const path = node.$ref.replace(/^#\//, "").split("/");
    node = path.reduce((n, key) => n?.[key.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
  }
  if (!node) throw new Error("unresolved $ref in spec");
  return node;
}

function stringRule(spec, node, where) {
  const schema = deref(spec, node);
  const types = [].concat(schema.type ?? []);
  if (!types.includes("string")) throw new Error(`${where}: expected a string schema`);
  return {
    nullable: types.includes("null"),
    minLength: schema.minLength ?? 0,
    maxLength: schema.maxLength ?? Number.MAX_SAFE_INTEGER,
    pattern: schema.pattern ?? null,
    example: node.example ?? schema.example ?? null,
  };
}

function objectRules(spec, name) {
  const schema = spec.components.schemas[name];
  if (!schema) throw new Error(`components.schemas.${name} is missing`);
  const out = {};
  for (const [key, prop] of Object.entries(schema.properties ?? {}))
    out[key] = stringRule(spec, prop, `${name}.${key}`);
  return { fields: out, required: schema.required ?? [], minProperties: schema.minProperties ?? 0 };
}

// Equal rules (the same ID rule is on many fields) are rendered once and shared,
// so the client carries each pattern once.
const shared = new Map(); // rendered rule -> constant name
function lit(rule) {
  const pattern =
    rule.pattern === null ? "null" : `new RegExp(${JSON.stringify(rule.pattern)}, "u")`;
  const text = `{ nullable: ${rule.nullable}, minLength: ${rule.minLength}, maxLength: ${rule.maxLength}, pattern: ${pattern}, example: ${JSON.stringify(rule.example)} }`;
  if (!shared.has(text)) shared.set(text, `rule${shared.size}`);
  return shared.get(text);
}

function sharedRules() {
  return [...shared]
    .map(([text, name]) => `const ${name} = ${text} as const satisfies StringRule;`)
    .join("\n");
}

function record(fields) {
  return `{\n${Object.entries(fields)
    .map(([k, r]) => `  ${k}: ${lit(r)},`)
    .join("\n")}\n}`;
}

function regionsOf(spec) {
  const out = {};
  for (const server of spec.servers ?? []) {
    const m = /^https:\/\/api\.([a-z]+)\.poly\.ai$/.exec(server.url);
    if (!m)
      throw new Error(`servers: ${server.url} is not of the form https://api.<region>.poly.ai`);
    out[m[1]] = server.url;
  }
  if (!Object.keys(out).length) throw new Error("servers: no region");
  return out;
}

// The structure each operation's 200 answer must have, as a small tree the client
// walks after parsing: the required keys of objects, array items, strings,
// booleans, consts, and a oneOf told apart by a const property. Enums are checked
// as strings only, so a value the server adds later does not break old clients;
// optional and unknown keys are not checked. Named schemas become shared constants.
function answerShapes(spec) {
  const named = new Map(); // schema name -> rendered shape, in dependency order
  const visiting = new Set();
  const render = (node, where) => {
    const ref = typeof node?.$ref === "string" && /^#\/components\/schemas\/(\w+)$/.exec(node.$ref);
    if (ref) {
      const name = ref[1];
      if (!named.has(name)) {
        if (visiting.has(name)) throw new Error(`${where}: answer schema ${name} refers to itself`);
        visiting.add(name);
        const body = render(deref(spec, node), name);
        visiting.delete(name);
        named.set(name, body);
      }
      return `shape${name}`;
    }
    const schema = deref(spec, node);
    if ("const" in schema) return `{ const: ${JSON.stringify(schema.const)} }`;
    if (schema.oneOf) {
      const variants = schema.oneOf.map((v) => deref(spec, v));
      const tag = Object.keys(variants[0].properties ?? {}).find((k) =>
        variants.every((v) => v.properties?.[k] && "const" in deref(spec, v.properties[k])),
      );
      if (!tag) throw new Error(`${where}: a oneOf needs a const property to tell variants apart`);
      return `{ oneOf: [${schema.oneOf.map((v, i) => render(v, `${where}.oneOf[${i}]`)).join(", ")}], tag: ${JSON.stringify(tag)} }`;
    }
    const type = [].concat(schema.type ?? []);
    if (type.length !== 1) throw new Error(`${where}: answer schemas need exactly one type`);
    switch (type[0]) {
      case "string":
      case "boolean":
      case "number":
        return JSON.stringify(type[0]);
      case "integer":
        return '"number"';
      case "array":
        return `{ items: ${render(schema.items ?? {}, `${where}[]`)} }`;
      case "object": {
        const props = (schema.required ?? []).map((key) => {
          const prop = schema.properties?.[key];
          if (!prop) throw new Error(`${where}: required ${key} has no schema`);
          return `${key}: ${render(prop, `${where}.${key}`)}`;
        });
        return `{ props: { ${props.join(", ")} } }`;
      }
      default:
        throw new Error(`${where}: unsupported type ${type[0]}`);
    }
  };
  const ops = [];
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== "object" || !op.operationId) continue;
      const media = deref(spec, op.responses?.["200"] ?? {}).content?.["application/json"];
      if (media) ops.push(`  ${op.operationId}: ${render(media.schema, op.operationId)},`);
    }
  }
  const consts = [...named].map(([name, body]) => `const shape${name}: Shape = ${body};`);
  return `${consts.join("\n")}\n\n/** The structure of each operation's 200 answer. */\nexport const answerShapes: Record<string, Shape> = {\n${ops.join("\n")}\n};`;
}

// Literal path segments beside `{connectorId}`: a connector with that ID could not
// be addressed, because the path would name the other endpoint.
function reservedIds(spec) {
  const prefix = "/v1/agents/{agentId}/telephony/connectors/";
  return Object.keys(spec.paths)
    .filter(
      (p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/") && !p.endsWith("}"),
    )
    .map((p) => p.slice(prefix.length));
}

export function renderConstraints(spec) {
  const params = spec.components.parameters;
  const update = objectRules(spec, "UpdateConnectorBody");
  const item = objectRules(spec, "BatchUpdateConnectorItem");
  const lookup = objectRules(spec, "LookupConnectorBody");
  const batchGet = deref(
    spec,
    spec.components.schemas.BatchGetConnectorsBody.properties.connectorIds,
  );
  shared.clear();
  const body = `
/** A string rule of the spec: what the client checks before it sends a value. */
export interface StringRule {
  readonly nullable: boolean;
  readonly minLength: number;
  readonly maxLength: number;
  readonly pattern: RegExp | null;
  readonly example: string | null;
}

/** Base URL of each region, from the spec's \`servers\`. The first is the default. */
export const regions = ${JSON.stringify(regionsOf(spec))} as const;

/** The region used when none is configured: the spec's first server. */
export const defaultRegion = ${JSON.stringify(Object.keys(regionsOf(spec))[0])} as const;

/** Connector IDs that name an endpoint of the collection instead (\`.../connectors/batch\`). */
export const reservedConnectorIds: readonly string[] = ${JSON.stringify(reservedIds(spec))};

/**
 * What a 2xx answer must hold, from the spec's response schemas: a type name, a
 * const, an array's items, an object's required keys, or a oneOf whose variants
 * differ in the const value of \`tag\`.
 */
export type Shape =
  | "string"
  | "boolean"
  | "number"
  | { readonly const: unknown }
  | { readonly items: Shape }
  | { readonly props: Readonly<Record<string, Shape>> }
  | { readonly oneOf: readonly Shape[]; readonly tag: string };

${answerShapes(spec)}

/** Limits on the bodies' lists and objects. */
export const bodyLimits = {
  updateMinProperties: ${JSON.stringify(update.minProperties)},
  batchUpdateItemRequired: ${JSON.stringify(item.required)},
  batchUpdateMinItems: ${JSON.stringify(deref(spec, spec.components.schemas.BatchUpdateConnectorsBody.properties.updates).minItems ?? 0)},
  batchGetMinItems: ${JSON.stringify(batchGet.minItems ?? 0)},
  batchGetUniqueItems: ${JSON.stringify(batchGet.uniqueItems === true)},
} as const;

/** Path parameters. */
export const pathParams = {
  agentId: ${lit(stringRule(spec, params.AgentId.schema, "agentId"))},
  connectorId: ${lit(stringRule(spec, params.ConnectorId.schema, "connectorId"))},
} as const satisfies Record<string, StringRule>;

/** Fields of UpdateConnectorBody. */
export const updateConnectorBody = ${record(update.fields)} as const satisfies Record<string, StringRule>;

/** Fields of one BatchUpdateConnectorItem. */
export const batchUpdateItem = ${record(item.fields)} as const satisfies Record<string, StringRule>;

/** Fields of LookupConnectorBody. */
export const lookupConnectorBody = ${record(lookup.fields)} as const satisfies Record<string, StringRule>;

/** Each ID of BatchGetConnectorsBody.connectorIds. */
export const batchGetConnectorId: StringRule = ${lit(stringRule(spec, batchGet.items, "connectorIds[]"))};
`;
  return `\n${sharedRules()}\n${body}`;
}
