#!/usr/bin/env node
// `npm run spec:diff -- <old-spec>`: what changed between an earlier version of the
// spec and the current openapi/, and which changes break clients.
//
//   npm run spec:diff -- --ref main              openapi/ as of a git ref
//   npm run spec:diff -- old/openapi.yaml        a root YAML (bundled with redocly)
//   npm run spec:diff -- old-bundle.json         an already bundled JSON document
//   ... --new <spec>        compare with that instead of the current openapi/
//   ... --allow-breaking    exit 0 even when a change is breaking
//   ... --json              the changes as JSON
//
// Exit status: 0 no breaking change (or --allow-breaking), 1 breaking change,
// 2 usage or input error.
//
// Every schema is judged in the direction it travels. Request schemas (parameters,
// request bodies: what clients send) break when they accept less: a removed field or
// enum value, a new required field, a removed type or `null`, a new or tightened
// pattern / length / range / item limit. Response schemas (what clients read) break
// when they promise less: a removed field, a field no longer required, a new type or
// `null`, a new enum value (exhaustive switches), a removed enum value (comparisons
// in typed code). Also breaking: a renamed path parameter (the typed raw client
// names it), a removed operation, parameter, success response,
// response header or media type; a removed server (the SDK's regions); a changed
// security requirement or scheme. A component used both ways is judged both ways.
// Descriptions, summaries and examples are not compared, and neither are the
// keywords the spec does not use (if/then, dependentRequired, propertyNames,
// readOnly, default). oneOf/anyOf branches are matched by the schema they name.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import {
  bundleSpec,
  deref,
  enumOf,
  METHODS,
  operationKey,
  refName,
  root,
  show,
  typesOf,
} from "./spec-model.mjs";

const run = promisify(execFile);

// ---------------------------------------------------------------------------------
// The comparison (pure: two bundled OpenAPI documents in, a list of changes out).

/**
 * @typedef {"request" | "response"} Direction
 * @typedef {{ request: boolean, response: boolean }} BreaksIn
 * @typedef {{ location: string, message: string, breaking: boolean, directions: Direction[], operations: string[] }} Change
 */

/** Whether type `t` is allowed by `types` (an integer is a number). */
const allows = (types, t) => types.has(t) || (t === "integer" && types.has("number"));

class Differ {
  constructor(oldDoc, newDoc) {
    this.old = oldDoc;
    this.new = newDoc;
    /** @type {Map<string, { location: string, message: string, breaksIn: BreaksIn, directions: Set<Direction>, operations: Set<string> }>} */
    this.changes = new Map();
  }

  /** Records a change. `breaksIn` says in which direction(s) it breaks clients; `ctx.dir` where it was seen. */
  add(ctx, location, message, breaksIn) {
    const key = `${location}\u0000${message}`;
    let entry = this.changes.get(key);
    if (!entry) {
      entry = { location, message, breaksIn, directions: new Set(), operations: new Set() };
      this.changes.set(key, entry);
    }
    if (ctx.dir) entry.directions.add(ctx.dir);
    if (ctx.op) entry.operations.add(ctx.op);
  }

  always(ctx, location, message) {
    this.add(ctx, location, message, { request: true, response: true, always: true });
  }

  never(ctx, location, message) {
    this.add(ctx, location, message, { request: false, response: false });
  }

  /** Compares two schemas seen in one direction; `where` names the location for messages. */
  schema(a, b, ctx, where, stack = new Set()) {
    const ra = deref(this.old, a);
    const rb = deref(this.new, b);
    if (ra.ref || rb.ref) {
      const pair = `${ra.ref}|${rb.ref}|${ctx.dir}`;
      if (stack.has(pair)) return;
      stack = new Set(stack).add(pair);
      if (ra.ref && rb.ref && refName(ra.ref) !== refName(rb.ref)) {
        this.never(ctx, where, `now refers to ${refName(rb.ref)} instead of ${refName(ra.ref)}`);
      }
      if (rb.ref?.startsWith("#/components/schemas/")) where = refName(rb.ref);
    }
    a = ra.node ?? {};
    b = rb.node ?? {};
    const R = { request: true, response: false };
    const S = { request: false, response: true };
    const none = { request: false, response: false };

    // Types, with null (nullable) called out.
    const ta = typesOf(a);
    const tb = typesOf(b);
    if (ta && !tb)
      this.add(ctx, where, `type constraint ${show([...ta])} removed (any type now)`, S);
    else if (!ta && tb && !enumOf(b))
      this.add(ctx, where, `type now limited to ${show([...tb])}`, R);
    else if (ta && tb) {
      for (const t of ta) {
        if (!allows(tb, t)) {
          this.add(
            ctx,
            where,
            t === "null"
              ? "no longer nullable"
              : `type ${show(t)} removed (was ${show([...ta])}, now ${show([...tb])})`,
            R,
          );
        }
      }
      for (const t of tb) {
        if (!allows(ta, t)) {
          this.add(
            ctx,
            where,
            t === "null"
              ? "now nullable"
              : `type ${show(t)} added (was ${show([...ta])}, now ${show([...tb])})`,
            S,
          );
        }
      }
    }

    // Enum values. A removed value breaks both ways: requests using it are rejected,
    // and typed code comparing a response field with it no longer compiles.
    const ea = enumOf(a);
    const eb = enumOf(b);
    if (ea && eb) {
      for (const v of ea)
        if (!eb.some((w) => show(w) === show(v)))
          this.add(ctx, where, `enum value ${show(v)} removed`, { request: true, response: true });
      for (const v of eb)
        if (!ea.some((w) => show(w) === show(v)))
          this.add(ctx, where, `enum value ${show(v)} added`, S);
    } else if (!ea && eb) this.add(ctx, where, `now limited to the values ${show(eb)}`, R);
    else if (ea && !eb) this.add(ctx, where, `no longer limited to the values ${show(ea)}`, S);

    // Limits: tighter breaks requests; responses are not validated by clients.
    const lower = (key, label = key) => {
      const [x, y] = [a[key], b[key]];
      if (x === y) return;
      if (y !== undefined && (x === undefined || y > x))
        this.add(ctx, where, `${label} ${x ?? "none"} → ${y} (tighter)`, R);
      else this.add(ctx, where, `${label} ${x} → ${y ?? "none"} (looser)`, none);
    };
    const upper = (key, label = key) => {
      const [x, y] = [a[key], b[key]];
      if (x === y) return;
      if (y !== undefined && (x === undefined || y < x))
        this.add(ctx, where, `${label} ${x ?? "none"} → ${y} (tighter)`, R);
      else this.add(ctx, where, `${label} ${x} → ${y ?? "none"} (looser)`, none);
    };
    lower("minLength");
    upper("maxLength");
    lower("minimum");
    lower("exclusiveMinimum");
    upper("maximum");
    upper("exclusiveMaximum");
    lower("minItems");
    upper("maxItems");
    lower("minProperties");
    upper("maxProperties");
    for (const key of ["pattern", "format", "multipleOf"]) {
      if (a[key] === b[key]) continue;
      if (b[key] === undefined) this.add(ctx, where, `${key} ${show(a[key])} removed`, none);
      else
        this.add(
          ctx,
          where,
          a[key] === undefined
            ? `new ${key} ${show(b[key])}`
            : `${key} ${show(a[key])} → ${show(b[key])}`,
          R,
        );
    }
    if (!a.uniqueItems && b.uniqueItems) this.add(ctx, where, "items must now be unique", R);
    if (a.uniqueItems && !b.uniqueItems)
      this.add(ctx, where, "items no longer need to be unique", none);

    // Arrays.
    if (a.items || b.items) {
      if (a.items && b.items) this.schema(a.items, b.items, ctx, `${where}[]`, stack);
      else if (b.items) this.add(ctx, `${where}[]`, "item schema added", R);
      else this.add(ctx, `${where}[]`, "item schema removed", S);
    }

    // Objects.
    const pa = a.properties ?? {};
    const pb = b.properties ?? {};
    const reqA = new Set(a.required ?? []);
    const reqB = new Set(b.required ?? []);
    for (const name of Object.keys(pa)) {
      if (!(name in pb))
        this.add(ctx, where, `property ${show(name)} removed`, { request: true, response: true });
    }
    for (const name of Object.keys(pb)) {
      if (!(name in pa)) {
        this.add(
          ctx,
          where,
          `new ${reqB.has(name) ? "required" : "optional"} property ${show(name)}`,
          reqB.has(name) ? R : none,
        );
      }
    }
    for (const name of Object.keys(pb)) {
      if (!(name in pa)) continue;
      if (!reqA.has(name) && reqB.has(name))
        this.add(ctx, where, `property ${show(name)} is now required`, R);
      if (reqA.has(name) && !reqB.has(name))
        this.add(ctx, where, `property ${show(name)} is no longer required`, S);
      if (
        !deref(this.old, pa[name]).node?.deprecated &&
        deref(this.new, pb[name]).node?.deprecated
      ) {
        this.add(ctx, where, `property ${show(name)} deprecated`, none);
      }
      this.schema(pa[name], pb[name], ctx, `${where}.${name}`, stack);
    }
    for (const name of reqB) {
      if (!reqA.has(name) && !(name in pb) && !(name in pa))
        this.add(ctx, where, `property ${show(name)} is now required`, R);
    }
    const apA = a.additionalProperties;
    const apB = b.additionalProperties;
    if (apA !== false && apB === false)
      this.add(ctx, where, "additional properties no longer allowed", R);
    if (apA === false && apB !== false)
      this.add(ctx, where, "additional properties now allowed", none);
    if (apA && apB && typeof apA === "object" && typeof apB === "object")
      this.schema(apA, apB, ctx, `${where}{}`, stack);

    // Combinators. Branches are matched by the schema they name ($ref), so that
    // reordering them is not a change; inline branches are matched by position.
    for (const key of ["oneOf", "anyOf"]) {
      const xa = a[key] ?? [];
      const xb = b[key] ?? [];
      const refOf = (s) => (typeof s?.$ref === "string" ? s.$ref : undefined);
      const matched = new Map(); // index in xb -> index in xa
      const taken = new Set();
      xb.forEach((sb, j) => {
        const i = xa.findIndex(
          (sa, i) => !taken.has(i) && refOf(sa) !== undefined && refOf(sa) === refOf(sb),
        );
        if (i !== -1) (matched.set(j, i), taken.add(i));
      });
      xb.forEach((sb, j) => {
        if (matched.has(j) || refOf(sb) !== undefined) return;
        const i = xa.findIndex((sa, i) => !taken.has(i) && refOf(sa) === undefined && i === j);
        if (i !== -1) (matched.set(j, i), taken.add(i));
      });
      for (const [j, i] of matched) this.schema(xa[i], xb[j], ctx, `${where}(${key}[${j}])`, stack);
      const label = (s, i) => (refOf(s) ? refName(refOf(s)) : `#${i}`);
      const removed = xa.map((s, i) => [s, i]).filter(([, i]) => !taken.has(i));
      const added = xb.map((s, j) => [s, j]).filter(([, j]) => !matched.has(j));
      if (removed.length > 0)
        this.add(
          ctx,
          where,
          `${key} branch(es) removed: ${removed.map(([s, i]) => label(s, i)).join(", ")}`,
          xb.length === 0 ? S : R,
        );
      if (added.length > 0)
        this.add(
          ctx,
          where,
          `${key} branch(es) added: ${added.map(([s, j]) => label(s, j)).join(", ")}`,
          xa.length === 0 ? R : S,
        );
    }
    const aa = a.allOf ?? [];
    const ab = b.allOf ?? [];
    for (let i = 0; i < Math.min(aa.length, ab.length); i++)
      this.schema(aa[i], ab[i], ctx, `${where}(allOf[${i}])`, stack);
    if (ab.length > aa.length)
      this.add(ctx, where, `allOf constraint(s) added (${aa.length} → ${ab.length})`, R);
    if (ab.length < aa.length)
      this.add(ctx, where, `allOf constraint(s) removed (${aa.length} → ${ab.length})`, S);
    if (a.not || b.not) {
      if (show(a.not) !== show(b.not)) this.add(ctx, where, "`not` constraint changed", R);
    }
  }

  parameters(pathItemA, opA, pathItemB, opB, ctx, label) {
    const collect = (doc, pathItem, op) => {
      const out = new Map();
      for (const p of [...(pathItem.parameters ?? []), ...(op.parameters ?? [])]) {
        const { node } = deref(doc, p);
        // Path parameters are matched by position in the path, not by name.
        const at = node.in === "path" ? this.pathIndex(pathItem.__path, node.name) : -1;
        out.set(`${node.in}:${at === -1 ? node.name : `#${at}`}`, { raw: p, node });
      }
      return out;
    };
    const ma = collect(this.old, pathItemA, opA);
    const mb = collect(this.new, pathItemB, opB);
    for (const [key, { node }] of ma) {
      if (!mb.has(key))
        this.always(ctx, `${label} ${node.in} parameter ${show(node.name)}`, "removed");
    }
    for (const [key, { node }] of mb) {
      if (!ma.has(key)) {
        if (node.required)
          this.always(
            ctx,
            `${label} ${node.in} parameter ${show(node.name)}`,
            "new required parameter",
          );
        else
          this.never(
            ctx,
            `${label} ${node.in} parameter ${show(node.name)}`,
            "new optional parameter",
          );
      }
    }
    for (const [key, { node: b, raw }] of mb) {
      const a = ma.get(key)?.node;
      if (!a) continue;
      // A shared parameter (components/parameters) is reported once, with the operations using it.
      const where =
        typeof raw.$ref === "string"
          ? `parameter ${refName(raw.$ref)}`
          : `${label} ${b.in} parameter ${show(b.name)}`;
      if (!a.required && b.required) this.always(ctx, where, "now required");
      if (a.required && !b.required) this.never(ctx, where, "no longer required");
      // The typed raw client names path parameters (params.path.connectorId): a rename
      // breaks code that compiles today, although the URL on the wire is the same.
      if (a.name !== b.name) this.always(ctx, where, `renamed from ${show(a.name)}`);
      if (!a.deprecated && b.deprecated) this.never(ctx, where, "deprecated");
      if (a.schema || b.schema)
        this.schema(a.schema ?? {}, b.schema ?? {}, { ...ctx, dir: "request" }, where);
    }
  }

  pathIndex(path, name) {
    return (path.match(/\{[^}]+\}/g) ?? []).indexOf(`{${name}}`);
  }

  content(a, b, ctx, where, dir) {
    const ca = a ?? {};
    const cb = b ?? {};
    for (const type of Object.keys(ca)) {
      if (!(type in cb)) this.always({ ...ctx, dir }, where, `media type ${type} removed`);
    }
    for (const type of Object.keys(cb)) {
      if (!(type in ca)) this.never({ ...ctx, dir }, where, `media type ${type} added`);
      else if (ca[type].schema || cb[type].schema)
        this.schema(ca[type].schema ?? {}, cb[type].schema ?? {}, { ...ctx, dir }, where);
    }
  }

  operation(pathA, pathB, method, itemA, itemB, ctx) {
    const opA = itemA[method];
    const opB = itemB[method];
    const label = ctx.op;
    itemA.__path = pathA;
    itemB.__path = pathB;
    if (opA.operationId !== opB.operationId)
      this.never(ctx, label, `operationId ${show(opA.operationId)} → ${show(opB.operationId)}`);
    if (!opA.deprecated && opB.deprecated) this.never(ctx, label, "deprecated");
    this.parameters(itemA, opA, itemB, opB, ctx, label);
    delete itemA.__path;
    delete itemB.__path;

    // Request body.
    const rbA = opA.requestBody && deref(this.old, opA.requestBody).node;
    const rbB = opB.requestBody && deref(this.new, opB.requestBody).node;
    const rbWhere = `${label} request body`;
    if (rbA && !rbB) this.always(ctx, rbWhere, "removed");
    else if (!rbA && rbB)
      (rbB.required ? this.always : this.never).call(
        this,
        ctx,
        rbWhere,
        `new ${rbB.required ? "required" : "optional"} request body`,
      );
    else if (rbA && rbB) {
      if (!rbA.required && rbB.required) this.always(ctx, rbWhere, "now required");
      if (rbA.required && !rbB.required) this.never(ctx, rbWhere, "no longer required");
      this.content(rbA.content, rbB.content, ctx, rbWhere, "request");
    }

    // Responses.
    const resA = opA.responses ?? {};
    const resB = opB.responses ?? {};
    const success = (status) => /^2/.test(status) || status === "default";
    for (const status of Object.keys(resA)) {
      if (status in resB) continue;
      if (success(status)) this.always(ctx, `${label} response ${status}`, "removed");
      else this.never(ctx, `${label} response ${status}`, "no longer documented");
    }
    for (const status of Object.keys(resB)) {
      if (!(status in resA)) {
        this.never(ctx, `${label} response ${status}`, "newly documented");
        continue;
      }
      const a = deref(this.old, resA[status]).node;
      const b = deref(this.new, resB[status]).node;
      const where = `${label} response ${status}`;
      this.content(a.content, b.content, ctx, where, "response");
      const ha = a.headers ?? {};
      const hb = b.headers ?? {};
      const lc = (o) => new Map(Object.entries(o).map(([k, v]) => [k.toLowerCase(), v]));
      const [la, lb] = [lc(ha), lc(hb)];
      for (const [name] of la)
        if (!lb.has(name))
          this.always({ ...ctx, dir: "response" }, where, `header ${name} removed`);
      for (const [name, h] of lb) {
        if (!la.has(name)) {
          this.never({ ...ctx, dir: "response" }, where, `header ${name} added`);
          continue;
        }
        const x = deref(this.old, la.get(name)).node;
        const y = deref(this.new, h).node;
        if (x.required && !y.required)
          this.always({ ...ctx, dir: "response" }, where, `header ${name} no longer required`);
        if (x.schema || y.schema)
          this.schema(
            x.schema ?? {},
            y.schema ?? {},
            { ...ctx, dir: "response" },
            `${where} header ${name}`,
          );
      }
    }

    // Security: any change to what a call must present is treated as breaking.
    const secA = show(opA.security ?? this.old.security ?? []);
    const secB = show(opB.security ?? this.new.security ?? []);
    if (secA !== secB) this.always(ctx, label, `security requirement ${secA} → ${secB}`);
  }

  run() {
    const ctx0 = {};
    // Servers: the SDK's regions come from them.
    const urls = (doc) => (doc.servers ?? []).map((s) => s.url);
    for (const url of urls(this.old))
      if (!urls(this.new).includes(url)) this.always(ctx0, "servers", `server ${url} removed`);
    for (const url of urls(this.new))
      if (!urls(this.old).includes(url)) this.never(ctx0, "servers", `server ${url} added`);

    const schemesA = this.old.components?.securitySchemes ?? {};
    const schemesB = this.new.components?.securitySchemes ?? {};
    const strip = ({ description: _, ...rest }) => show(rest);
    for (const name of Object.keys(schemesA)) {
      if (!(name in schemesB)) this.always(ctx0, "securitySchemes", `scheme ${show(name)} removed`);
      else if (
        strip(deref(this.old, schemesA[name]).node) !== strip(deref(this.new, schemesB[name]).node)
      ) {
        this.always(ctx0, "securitySchemes", `scheme ${show(name)} changed`);
      }
    }
    for (const name of Object.keys(schemesB))
      if (!(name in schemesA)) this.never(ctx0, "securitySchemes", `scheme ${show(name)} added`);

    // Operations, matched by method and path template (parameter names ignored).
    const ops = (doc) => {
      const out = new Map();
      for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
        const item = deref(doc, rawItem).node;
        for (const method of METHODS) {
          if (item[method])
            out.set(operationKey(method, path), {
              path,
              method,
              item,
              op: item[method],
            });
        }
      }
      return out;
    };
    const oa = ops(this.old);
    const ob = ops(this.new);
    const name = ({ path, method, op }) =>
      `${method.toUpperCase()} ${path}${op.operationId ? ` (${op.operationId})` : ""}`;
    for (const [key, a] of oa)
      if (!ob.has(key)) this.always({ op: name(a) }, name(a), "operation removed");
    for (const [key, b] of ob)
      if (!oa.has(key)) this.never({ op: name(b) }, name(b), "new operation");
    for (const [key, b] of ob) {
      const a = oa.get(key);
      if (!a) continue;
      if (a.path !== b.path)
        this.always({ op: name(b) }, name(b), `path parameters renamed (was ${a.path})`);
      this.operation(a.path, b.path, b.method, { ...a.item }, { ...b.item }, { op: name(b) });
    }

    /** @type {Change[]} */
    const changes = [];
    for (const e of this.changes.values()) {
      const breaking =
        e.breaksIn.always === true ||
        (e.breaksIn.request && e.directions.has("request")) ||
        (e.breaksIn.response && e.directions.has("response"));
      changes.push({
        location: e.location,
        message: e.message,
        breaking,
        directions: [...e.directions].sort(),
        operations: [...e.operations].sort(),
      });
    }
    changes.sort(
      (x, y) =>
        Number(y.breaking) - Number(x.breaking) ||
        x.location.localeCompare(y.location) ||
        x.message.localeCompare(y.message),
    );
    return changes;
  }
}

/**
 * Compares two bundled OpenAPI 3.x documents (local `$ref`s only).
 * @returns {{ changes: Change[], breaking: Change[] }}
 */
export function diffSpecs(oldDoc, newDoc) {
  const changes = new Differ(oldDoc, newDoc).run();
  return { changes, breaking: changes.filter((c) => c.breaking) };
}

/** Human-readable report of {@link diffSpecs}' result. */
export function formatReport({ changes, breaking }, { oldLabel = "old", newLabel = "new" } = {}) {
  const lines = [`spec diff: ${oldLabel} → ${newLabel}`];
  if (changes.length === 0) {
    lines.push("  no changes (descriptions and examples are not compared)");
    return lines.join("\n");
  }
  for (const c of changes) {
    const ops = c.operations.map((o) => o.match(/\(([^)]+)\)$/)?.[1] ?? o).sort();
    const seen = c.directions.length
      ? ` [${c.directions.join("+")}${ops.length ? `: ${ops.join(", ")}` : ""}]`
      : "";
    lines.push(`  ${c.breaking ? "BREAKING" : "change  "}  ${c.location}: ${c.message}${seen}`);
  }
  lines.push(`${changes.length} change(s), ${breaking.length} breaking`);
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------
// Loading a spec: bundled JSON, a root YAML, or openapi/ at a git ref.

const bundle = bundleSpec;

async function fromRef(ref, tmp) {
  const git = (args) => run("git", args, { cwd: root, maxBuffer: 64 << 20 });
  let list;
  try {
    list = (await git(["ls-tree", "-r", "--name-only", ref, "--", "openapi/"])).stdout
      .split("\n")
      .filter(Boolean);
  } catch (err) {
    throw new Error(`git ls-tree ${ref}: ${(err.stderr ?? err.message).trim()}`);
  }
  if (!list.includes("openapi/openapi.yaml")) throw new Error(`${ref} has no openapi/openapi.yaml`);
  const dir = join(tmp, "ref");
  for (const file of list) {
    const { stdout } = await run("git", ["show", `${ref}:${file}`], {
      cwd: root,
      encoding: "buffer",
      maxBuffer: 64 << 20,
    });
    await mkdir(dirname(join(dir, file)), { recursive: true });
    await writeFile(join(dir, file), stdout);
  }
  return bundle(join(dir, "openapi/openapi.yaml"), tmp);
}

/** Loads a spec argument: `{ ref }`, a `.json` bundle, or a root YAML to bundle. */
export async function loadSpec(source, tmp) {
  if (source.ref) return fromRef(source.ref, tmp);
  const path = resolve(source.path);
  if (/\.json$/i.test(path)) return JSON.parse(await readFile(path, "utf8"));
  return bundle(path, tmp);
}

const USAGE = `usage: npm run spec:diff -- (<old-spec.yaml|old-bundle.json> | --ref <git-ref>) [--new <spec>] [--allow-breaking] [--json]`;

function parseArgs(argv) {
  const opts = { old: null, new: null, allowBreaking: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const eq = arg.indexOf("=");
      if (eq !== -1) return arg.slice(eq + 1);
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--allow-breaking") opts.allowBreaking = true;
    else if (arg === "--json") opts.json = true;
    else if (arg === "--help" || arg === "-h") opts.help = true;
    else if (arg === "--ref" || arg.startsWith("--ref=")) opts.old = { ref: value() };
    else if (arg === "--new" || arg.startsWith("--new=")) opts.new = { path: value() };
    else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
    else if (opts.old) throw new Error(`more than one old spec given (${arg})`);
    else opts.old = { path: arg };
  }
  if (!opts.help && !opts.old) throw new Error("no old spec given");
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${err.message}\n${USAGE}`);
    return 2;
  }
  if (opts.help) {
    console.log(USAGE);
    return 0;
  }
  const tmp = await mkdtemp(join(tmpdir(), "polyai-spec-diff-"));
  try {
    const [oldDoc, newDoc] = await Promise.all([
      loadSpec(opts.old, tmp),
      loadSpec(opts.new ?? { path: join(root, "openapi/openapi.yaml") }, tmp),
    ]);
    const result = diffSpecs(oldDoc, newDoc);
    const oldLabel = opts.old.ref ? `openapi/ at ${opts.old.ref}` : opts.old.path;
    const newLabel = opts.new ? opts.new.path : "openapi/ (working tree)";
    if (opts.json)
      console.log(JSON.stringify({ old: oldLabel, new: newLabel, ...result }, null, 2));
    else console.log(formatReport(result, { oldLabel, newLabel }));
    if (result.breaking.length === 0) return 0;
    if (opts.allowBreaking) {
      if (!opts.json)
        console.log(
          "breaking changes allowed (--allow-breaking): this needs a major version (a minor one while 0.x)",
        );
      return 0;
    }
    if (!opts.json)
      console.error(
        "breaking changes: bump the major version (minor while 0.x) and say so in CHANGELOG.md, then rerun with --allow-breaking",
      );
    return 1;
  } catch (err) {
    console.error(err.message ?? err);
    return 2;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main();
}
