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

function lit(rule) {
  const pattern =
    rule.pattern === null ? "null" : `new RegExp(${JSON.stringify(rule.pattern)}, "u")`;
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
    if (!m)
      throw new Error(`servers: ${server.url} is not of the form https://api.<region>.poly.ai`);
    out[m[1]] = server.url;
  }
  if (!Object.keys(out).length) throw new Error("servers: no region");
  return out;
}

// The lists a 200 answer of each operation must carry (required array properties).
// The client returns or walks these, so a missing one must fail loudly; other
// fields are the server's contract and are not re-checked on every answer.
function answerLists(spec) {
  const out = {};
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== "object" || !op.operationId) continue;
      const media = deref(spec, op.responses?.["200"] ?? {}).content?.["application/json"];
      if (!media) continue;
      const schema = deref(spec, media.schema);
      const required = schema.required ?? [];
      out[op.operationId] = Object.entries(schema.properties ?? {})
        .filter(([key, prop]) => required.includes(key) && deref(spec, prop).type === "array")
        .map(([key]) => key);
    }
  }
  return out;
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

/** The region used when none is configured: the spec's first server. */
export const defaultRegion = ${JSON.stringify(Object.keys(regionsOf(spec))[0])} as const;

/** Connector IDs that name an endpoint of the collection instead (\`.../connectors/batch\`). */
export const reservedConnectorIds: readonly string[] = ${JSON.stringify(reservedIds(spec))};

/** The lists the 200 answer of each operation must carry. */
export const answerLists: Record<string, readonly string[]> = ${JSON.stringify(answerLists(spec))};

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
}
