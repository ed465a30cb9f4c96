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
  for (const [key, prop] of Object.entries(schema.properties ?? {})) out[key] = stringRule(spec, prop, `${name}.${key}`);
  return { fields: out, required: schema.required ?? [], minProperties: schema.minProperties ?? 0 };
}

function lit(rule) {
  const pattern = rule.pattern === null ? "null" : `new RegExp(${JSON.stringify(rule.pattern)}, "u")`;
  return `{ nullable: ${rule.nullable}, minLength: ${rule.minLength}, maxLength: ${rule.maxLength}, pattern: ${pattern}, example: ${JSON.stringify(rule.example)} }`;
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
    if (!m) throw new Error(`servers: ${server.url} is not of the form https://api.<region>.poly.ai`);
    out[m[1]] = server.url;
  }
  if (!Object.keys(out).length) throw new Error("servers: no region");
  return out;
}

export function renderConstraints(spec) {
  const params = spec.components.parameters;
  const update = objectRules(spec, "UpdateConnectorBody");
  const item = objectRules(spec, "BatchUpdateConnectorItem");
  const lookup = objectRules(spec, "LookupConnectorBody");
  const batchGet = deref(spec, spec.components.schemas.BatchGetConnectorsBody.properties.connectorIds);
  return `
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
}
