// #24: what the upstream comparison reads of a schema, the same way for both specs.
// PolyAI writes a nullable value as `nullable: true` (3.0) or `anyOf: [X, null]`, a
// reference as `allOf: [X]`; we write `type: [X, "null"]` and `oneOf` told apart by a
// `const`. The view flattens these so only a difference in meaning is reported.
import { deref, enumOf, show, typesOf } from "./spec-model.mjs";

/**
 * The single-valued keywords compared as they are: a pattern or a limit either side
 * adds changes what the API accepts or answers. `additionalProperties` counts only as
 * `false` (a closed object); a schema under it is not compared. `deprecated` counts
 * only as `true`.
 */
export const KEYWORDS = [
  "pattern",
  "format",
  "minLength",
  "maxLength",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "minItems",
  "maxItems",
  "uniqueItems",
  "minProperties",
  "maxProperties",
  "additionalProperties",
  // #24: a default is what the server does with a field left out (importOne sends {}).
  "default",
  // #24: a field PolyAI deprecates is one to stop sending or reading.
  "deprecated",
];

/** The values of a keyword that say something; any other is as good as none. */
const MEANINGFUL = { additionalProperties: false, deprecated: true };

const keywordOf = (node, key) =>
  key in MEANINGFUL ? (node[key] === MEANINGFUL[key] ? node[key] : undefined) : node[key];

const escape = (key) => String(key).replace(/~/g, "~0").replace(/\//g, "~1");

/** The JSON pointer of `keys` below `pointer` (`#/paths/~1v1…/get`). */
export const child = (pointer, ...keys) => [pointer, ...keys.map(escape)].join("/");

/**
 * A node with its `$ref`s followed, and where it is defined: the first reference's
 * target, or `at` for an inline node. Sibling keywords of a `$ref` are kept (3.1).
 */
export function locate(doc, node, at) {
  const { node: resolved, ref } = deref(doc, node);
  return { node: resolved ?? {}, at: ref ?? at };
}

/**
 * @typedef {{ node: any, at: string, parts?: Located[] }} Located  `parts`: a property
 *   several `allOf` branches define, read as all of them
 * @typedef {{
 *   node: any, at: string,
 *   types: Set<string> | null, nullable: boolean, values: unknown[] | null,
 *   pattern?: string, format?: string, minLength?: number, …: the {@link KEYWORDS},
 *   properties: Map<string, Located>, required: Set<string>, items: Located | null,
 * }} View
 */

/** Types and values of one schema's own keywords (no composition). */
function own(doc, node, at) {
  const items = node.items ? locate(doc, node.items, child(at, "items")) : null;
  const properties = new Map(
    Object.entries(node.properties ?? {}).map(([name, p]) => [
      name,
      locate(doc, p, child(at, "properties", name)),
    ]),
  );
  let types = typesOf(node);
  const values = enumOf(node);
  // A `const` or `enum` without `type` still limits the type (`const: false`).
  if (!types && values) types = new Set(values.map((v) => (v === null ? "null" : typeof v)));
  return {
    types,
    values,
    ...Object.fromEntries(KEYWORDS.map((k) => [k, keywordOf(node, k)])),
    properties,
    required: new Set(node.required ?? []),
    items,
  };
}

const intersect = (a, b) => (a && b ? new Set([...a].filter((t) => b.has(t))) : (a ?? b));
const onlyNull = (v) => v.types?.size === 1 && v.types.has("null");

/** `allOf`: every branch applies, so types narrow and properties add up. */
function allOf(parts) {
  const out = { ...parts[0], properties: new Map(), required: new Set() };
  out.types = null;
  for (const p of parts) {
    out.types = intersect(out.types, p.types);
    out.values ??= p.values;
    for (const k of KEYWORDS) out[k] ??= p[k];
    out.items ??= p.items;
    for (const [k, v] of p.properties) {
      const before = out.properties.get(k);
      // #24: a property in several branches is all of them (a later one may narrow it).
      out.properties.set(k, before ? { ...before, parts: [...(before.parts ?? [before]), v] } : v);
    }
    for (const k of p.required) out.required.add(k);
  }
  return out;
}

/**
 * `anyOf` / `oneOf`: one branch applies. A `null` branch only makes the rest nullable;
 * otherwise types and values unite, and a property is required only when every
 * branch requires it (our batch result's success and failure shapes read as
 * PolyAI's one object with optional `data` and `error`).
 */
function anyOf(branches, at) {
  const nullable = branches.some((b) => b.types === null || b.types.has("null"));
  const rest = branches.filter((b) => !onlyNull(b));
  const types = rest.some((b) => b.types === null)
    ? null
    : new Set(rest.flatMap((b) => [...b.types]));
  if (types && nullable) types.add("null");
  const same = (key) => (rest.every((b) => b[key] === rest[0][key]) ? rest[0]?.[key] : undefined);
  const properties = new Map();
  for (const name of new Set(rest.flatMap((b) => [...b.properties.keys()]))) {
    const found = rest.flatMap((b) => (b.properties.has(name) ? [b.properties.get(name)] : []));
    const alike = found.every((f) => show(f.node) === show(found[0].node));
    properties.set(
      name,
      alike ? found[0] : { node: { anyOf: found.map((f) => f.node) }, at: found[0].at },
    );
  }
  const required = new Set(
    rest.length ? [...rest[0].required].filter((k) => rest.every((b) => b.required.has(k))) : [],
  );
  return {
    types,
    values: rest.length && rest.every((b) => b.values) ? rest.flatMap((b) => b.values) : null,
    ...Object.fromEntries(KEYWORDS.map((k) => [k, same(k)])),
    properties,
    required,
    items: rest.find((b) => b.items)?.items ?? null,
    at,
  };
}

/** A schema's keywords with composition merged; `types` still holds `null`. */
function merged(doc, located, depth) {
  const { node, at, parts: all } = located;
  if (depth > 32) throw new Error(`${at}: schema nests deeper than 32 levels`);
  if (all) return allOf(all.map((p) => merged(doc, p, depth + 1)));
  const sub = (list, key) =>
    list.map((s, i) => merged(doc, locate(doc, s, child(at, key, i)), depth + 1));
  const parts = [own(doc, node, at)];
  if (Array.isArray(node.allOf)) parts.push(...sub(node.allOf, "allOf"));
  for (const key of ["anyOf", "oneOf"])
    if (Array.isArray(node[key])) parts.push(anyOf(sub(node[key], key), at));
  const m = parts.length === 1 ? parts[0] : allOf(parts);
  // #24: `nullable` beside `allOf` (PolyAI's reference, 3.0 style) admits null too.
  if (node.nullable === true && m.types) m.types = new Set([...m.types, "null"]);
  return m;
}

/** The view of a located schema. */
export function viewOf(doc, located) {
  const m = merged(doc, located, 0);
  const nullable = m.types === null || m.types.has("null");
  const types = m.types && new Set([...m.types].filter((t) => t !== "null"));
  let values = m.values?.filter((v) => v !== null) ?? null;
  // `[true, false]` limits nothing a boolean could be.
  if (values && types?.size === 1 && types.has("boolean") && new Set(values).size === 2)
    values = null;
  return { ...m, node: located.node, at: located.at, types, nullable, values };
}
