// #24: every difference between our spec and PolyAI's published one, for the
// operations both document (matched by method and path template) and the PolyAI
// operations under our paths that we lack. Pure: two bundled documents in, a list of
// differences out. Each difference names the node of OUR spec that may carry its
// `x-upstream-differs` annotation (`host`) and the aspect it is keyed by:
//
//   a thing only we document (operation, parameter, body, response)  on itself, `absent-upstream`
//   a thing only PolyAI documents                               on our parent, `missing:<what>`
//   a property only one side has                                on our object, `property:<name>`
//   anything else (required, type, nullable, enum, pattern, …)  on our node, by aspect
//   how an operation authenticates, a server URL                on the root (`#`), or on
//                                        our operation when it has its own `security`
//
// Descriptions, examples, response headers, tags and operationIds are not compared:
// they do not change what a request or an answer may hold. Defaults are: one is what
// the server does with a field left out.
import { METHODS, operationKey, show } from "./spec-model.mjs";
import { child, KEYWORDS, locate, viewOf } from "./upstream-view.mjs";

/**
 * @typedef {{ ours: string | null, upstream: string | null }} Where
 * @typedef {{ host: string, hostNode: any, aspect: string, messages: Set<string>,
 *   where: Where[], operations: Set<string> }} Difference
 */

const fmtTypes = (t) => (t ? [...t].sort().join("|") || "null only" : "any type");
/** A keyword's value in a message; `none` when the schema does not have it (#24). */
const shown = (v) => (v === undefined ? "none" : show(v));
const sameSet = (a, b) => (a && b ? a.size === b.size && [...a].every((x) => b.has(x)) : a === b);

/** Operations of a document keyed by {@link operationKey}, with their pointers. */
function operations(doc) {
  const out = new Map();
  for (const [path, raw] of Object.entries(doc.paths ?? {})) {
    const item = locate(doc, raw, child("#/paths", path));
    for (const method of METHODS) {
      if (!item.node[method] || typeof item.node[method] !== "object") continue;
      out.set(operationKey(method, path), {
        path,
        method,
        item,
        op: { node: item.node[method], at: child(item.at, method) },
      });
    }
  }
  return out;
}

/** The path parameters' names in template order (`{agentId}`, `{connectorId}`). */
const pathNames = (path) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);

/** The longest path prefix (whole segments, templates normalised) all our paths share. */
function sharedPrefix(paths) {
  const split = paths.map((p) => p.replace(/\{[^}]+\}/g, "{}").split("/"));
  const first = split[0] ?? [];
  let n = 0;
  while (n < first.length && split.every((s) => s[n] === first[n])) n++;
  return first.slice(0, n).join("/");
}

/** An authentication scheme in words, as it reaches the wire (`apiKey in header x-api-key`). */
function schemeText(doc, name) {
  const { node: s } = locate(doc, doc.components?.securitySchemes?.[name] ?? {}, "#");
  // Header names are case-insensitive (RFC 9110); an HTTP scheme's name too.
  if (s.type === "apiKey")
    return `apiKey in ${s.in} ${s.in === "header" ? String(s.name).toLowerCase() : s.name}`;
  if (s.type === "http") return `http ${String(s.scheme).toLowerCase()}`;
  return String(s.type ?? `undefined scheme ${name}`);
}

/** How an operation authenticates: its alternatives in words, and where they are written. */
function securityOf(doc, entry) {
  const own = entry.op.node.security;
  const alternatives = (own ?? doc.security ?? []).map(
    (requirement) =>
      Object.keys(requirement)
        .map((name) => schemeText(doc, name))
        .sort()
        .join(" and ") || "none",
  );
  return {
    own: Boolean(own),
    text: [...new Set(alternatives)].sort().join(" or ") || "none",
    at: own ? child(entry.op.at, "security") : "#/security",
  };
}

/** The document's server URLs (a trailing `/` is no other host), with their pointers. */
const serversOf = (doc) =>
  new Map(
    (doc.servers ?? []).map((s, i) => [String(s?.url).replace(/\/+$/, ""), child("#/servers", i)]),
  );

/**
 * A request body's or response's media types by their essence (`application/json`):
 * case and parameters (`; charset=utf-8`) do not make another type (RFC 9110).
 */
const mediaTypes = ({ node, at }) =>
  Object.fromEntries(
    Object.entries(node.content ?? {}).map(([type, media]) => [
      type.split(";")[0].trim().toLowerCase(),
      { node: media ?? {}, at: child(at, "content", type) },
    ]),
  );

class Comparer {
  constructor(ours, upstream) {
    this.ours = ours;
    this.up = upstream;
    /** @type {Map<string, Difference>} */
    this.found = new Map();
    /** Where a difference of the whole document is annotated. */
    this.root = { node: ours, at: "#" };
  }

  /** Records a difference on `host` (a located node of our spec). */
  add(host, aspect, message, where, op) {
    const key = `${host.at}\u0000${aspect}`;
    let d = this.found.get(key);
    if (!d) {
      d = {
        host: host.at,
        hostNode: host.node,
        aspect,
        messages: new Set(),
        where: [],
        operations: new Set(),
      };
      this.found.set(key, d);
    }
    d.messages.add(message);
    if (!d.where.some((w) => w.ours === where.ours && w.upstream === where.upstream))
      d.where.push(where);
    if (op) d.operations.add(op);
  }

  schema(a, b, op, stack = new Set()) {
    const pair = `${a.at}|${b.at}`;
    if (stack.has(pair)) return;
    stack = new Set(stack).add(pair);
    const x = viewOf(this.ours, a);
    const y = viewOf(this.up, b);
    const where = { ours: a.at, upstream: b.at };
    const say = (aspect, message) => this.add(a, aspect, message, where, op);
    if (!sameSet(x.types, y.types))
      say("type", `type: ours ${fmtTypes(x.types)}, PolyAI ${fmtTypes(y.types)}`);
    if (x.nullable !== y.nullable)
      say("nullable", x.nullable ? "nullable in ours only" : "nullable in PolyAI only");
    this.values(x, y, say);
    for (const key of KEYWORDS)
      if (show(x[key]) !== show(y[key]))
        say(key, `${key}: ours ${shown(x[key])}, PolyAI ${shown(y[key])}`);
    for (const [name, p] of x.properties) {
      const q = y.properties.get(name);
      if (!q) say(`property:${name}`, `property ${show(name)} in ours only`);
      else {
        if (x.required.has(name) !== y.required.has(name))
          say(
            `required:${name}`,
            `property ${show(name)} required in ${x.required.has(name) ? "ours" : "PolyAI"} only`,
          );
        this.schema(p, q, op, stack);
      }
    }
    for (const [name, q] of y.properties)
      if (!x.properties.has(name))
        this.add(
          a,
          `property:${name}`,
          `property ${show(name)} in PolyAI only`,
          { ours: a.at, upstream: q.at },
          op,
        );
    if (x.items && y.items) this.schema(x.items, y.items, op, stack);
    else if (x.items || y.items) say("items", `item schema in ${x.items ? "ours" : "PolyAI"} only`);
  }

  values(x, y, say) {
    if (!x.values && !y.values) return;
    if (!x.values || !y.values) {
      const [side, values] = x.values ? ["ours", x.values] : ["PolyAI", y.values];
      say("enum", `limited to ${show(values)} in ${side} only`);
      return;
    }
    const has = (list, v) => list.some((w) => show(w) === show(v));
    for (const v of x.values)
      if (!has(y.values, v)) say(`enum:${show(v)}`, `value ${show(v)} in ours only`);
    for (const v of y.values)
      if (!has(x.values, v)) say(`enum:${show(v)}`, `value ${show(v)} in PolyAI only`);
  }

  /** Media types and their schemas, of a request body or a response. */
  content(a, b, op) {
    const ca = mediaTypes(a);
    const cb = mediaTypes(b);
    for (const type of new Set([...Object.keys(ca), ...Object.keys(cb)])) {
      const where = { ours: ca[type]?.at ?? null, upstream: cb[type]?.at ?? null };
      const say = (message) => this.add(a, `content:${type}`, message, where, op);
      if (!(type in ca) || !(type in cb)) {
        say(`${type} in ${type in ca ? "ours" : "PolyAI"} only`);
        continue;
      }
      const sa = ca[type].node.schema;
      const sb = cb[type].node.schema;
      if (sa && sb)
        this.schema(
          locate(this.ours, sa, child(where.ours, "schema")),
          locate(this.up, sb, child(where.upstream, "schema")),
          op,
        );
      else if (sa || sb) say(`${type} schema in ${sa ? "ours" : "PolyAI"} only`);
    }
  }

  /** Parameters of an operation (its path item's merged in), keyed by `in:name`. */
  parameters(doc, entry, rename = []) {
    const out = new Map();
    const lists = [
      [entry.item.node.parameters, child(entry.item.at, "parameters")],
      [entry.op.node.parameters, child(entry.op.at, "parameters")],
    ];
    for (const [list, at] of lists) {
      for (const [i, raw] of (list ?? []).entries()) {
        const p = locate(doc, raw, child(at, i));
        // Path parameters are matched by their place in the template, not their name.
        const index = p.node.in === "path" ? pathNames(entry.path).indexOf(p.node.name) : -1;
        const name = index >= 0 && rename[index] ? rename[index] : p.node.name;
        // Header names are case-insensitive (RFC 9110).
        out.set(`${p.node.in}:${p.node.in === "header" ? name.toLowerCase() : name}`, p);
      }
    }
    return out;
  }

  operation(a, b, op) {
    const sa = securityOf(this.ours, a);
    const sb = securityOf(this.up, b);
    if (sa.text !== sb.text)
      this.add(
        sa.own ? a.op : this.root,
        "security",
        `security: ours ${sa.text}, PolyAI ${sb.text}`,
        { ours: sa.at, upstream: sb.at },
        op,
      );
    if (Boolean(a.op.node.deprecated) !== Boolean(b.op.node.deprecated))
      this.add(
        a.op,
        "deprecated",
        `operation deprecated in ${a.op.node.deprecated ? "ours" : "PolyAI"} only`,
        { ours: a.op.at, upstream: b.op.at },
        op,
      );
    const pa = this.parameters(this.ours, a);
    const pb = this.parameters(this.up, b, pathNames(a.path));
    for (const [key, p] of pa) {
      const q = pb.get(key);
      const where = { ours: p.at, upstream: q?.at ?? null };
      if (!q) {
        this.add(p, "absent-upstream", `parameter ${key} in ours only`, where, op);
        continue;
      }
      for (const flag of ["required", "deprecated"])
        if (Boolean(p.node[flag]) !== Boolean(q.node[flag]))
          this.add(
            p,
            flag,
            `parameter ${key} ${flag} in ${p.node[flag] ? "ours" : "PolyAI"} only`,
            where,
            op,
          );
      if (p.node.schema || q.node.schema)
        this.schema(
          locate(this.ours, p.node.schema ?? {}, child(p.at, "schema")),
          locate(this.up, q.node.schema ?? {}, child(q.at, "schema")),
          op,
        );
    }
    for (const [key, q] of pb)
      if (!pa.has(key))
        this.add(
          a.op,
          `missing:parameter:${key}`,
          `parameter ${key} in PolyAI only`,
          { ours: null, upstream: q.at },
          op,
        );

    this.requestBody(a, b, op);
    this.responses(a, b, op);
  }

  requestBody(a, b, op) {
    const ra = a.op.node.requestBody;
    const rb = b.op.node.requestBody;
    const x = ra && locate(this.ours, ra, child(a.op.at, "requestBody"));
    const y = rb && locate(this.up, rb, child(b.op.at, "requestBody"));
    const where = { ours: x?.at ?? null, upstream: y?.at ?? null };
    if (x && !y) this.add(x, "absent-upstream", "request body in ours only", where, op);
    else if (!x && y)
      this.add(a.op, "missing:requestBody", "request body in PolyAI only", where, op);
    else if (x && y) {
      if (Boolean(x.node.required) !== Boolean(y.node.required))
        this.add(
          x,
          "required",
          `request body required in ${x.node.required ? "ours" : "PolyAI"} only`,
          where,
          op,
        );
      this.content(x, y, op);
    }
  }

  responses(a, b, op) {
    const ra = a.op.node.responses ?? {};
    const rb = b.op.node.responses ?? {};
    for (const status of Object.keys(ra)) {
      const x = locate(this.ours, ra[status], child(a.op.at, "responses", status));
      if (!(status in rb)) {
        this.add(
          x,
          "absent-upstream",
          `response ${status} in ours only`,
          {
            ours: x.at,
            upstream: null,
          },
          op,
        );
        continue;
      }
      const y = locate(this.up, rb[status], child(b.op.at, "responses", status));
      this.content(x, y, op);
    }
    for (const status of Object.keys(rb))
      if (!(status in ra))
        this.add(
          a.op,
          `missing:response:${status}`,
          `response ${status} in PolyAI only`,
          { ours: null, upstream: child(b.op.at, "responses", status) },
          op,
        );
  }

  run() {
    const oa = operations(this.ours);
    const ob = operations(this.up);
    const prefix = sharedPrefix([...oa.values()].map((e) => e.path));
    const label = (e) =>
      `${e.method.toUpperCase()} ${e.path}${e.op.node.operationId ? ` (${e.op.node.operationId})` : ""}`;
    for (const [key, a] of oa) {
      const b = ob.get(key);
      if (b) this.operation(a, b, label(a));
      else
        this.add(
          a.op,
          "absent-upstream",
          "operation in ours only",
          {
            ours: a.op.at,
            upstream: null,
          },
          label(a),
        );
    }
    const root = this.root;
    const sa = serversOf(this.ours);
    const sb = serversOf(this.up);
    for (const url of new Set([...sa.keys(), ...sb.keys()]))
      if (!sa.has(url) || !sb.has(url))
        this.add(
          root,
          `server:${url}`,
          `server ${url} in ${sa.has(url) ? "ours" : "PolyAI"} only`,
          {
            ours: sa.get(url) ?? null,
            upstream: sb.get(url) ?? null,
          },
        );
    for (const [key, b] of ob) {
      const under = key.split(" ")[1].startsWith(`${prefix}/`);
      if (!oa.has(key) && under)
        this.add(
          root,
          `missing:operation:${b.method.toUpperCase()} ${b.path}`,
          "operation in PolyAI only",
          {
            ours: null,
            upstream: b.op.at,
          },
        );
    }
    return [...this.found.values()];
  }
}

/**
 * Every difference between our bundled spec and PolyAI's (local `$ref`s only).
 * @returns {Difference[]}
 */
export function compareWithUpstream(ours, upstream) {
  return new Comparer(ours, upstream).run();
}
