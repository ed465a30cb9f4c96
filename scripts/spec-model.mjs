// The spec model: the one place that lints, bundles and dereferences openapi/, and
// walks its operations. The generator, spec:diff and (through generated/spec.ts)
// the local PolyAI all read the spec through it, so a `$ref` is resolved one way.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const redocly = join(root, "node_modules/@redocly/cli/bin/cli.js");
const config = join(root, "redocly.yaml");
const env = {
  ...process.env,
  REDOCLY_TELEMETRY: "off",
  NO_COLOR: "1",
  REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
};

/** Runs the Redocly CLI with telemetry off; a failure is returned, not thrown. */
export async function redoclyCmd(argv) {
  try {
    return await run(process.execPath, [redocly, ...argv], { cwd: root, env, maxBuffer: 64 << 20 });
  } catch (err) {
    return { failed: true, stdout: err.stdout ?? "", stderr: err.stderr ?? String(err) };
  }
}

/** Lints a root YAML with the project's rules; any warning is a failure. */
export async function lintSpec(rootFile) {
  const res = await redoclyCmd([
    "lint",
    rootFile,
    `--config=${config}`,
    "--format=json",
    "--max-problems=1000",
  ]);
  let report;
  try {
    report = JSON.parse(res.stdout);
  } catch {
    throw new Error(`redocly lint did not run:\n${res.stderr}`);
  }
  const { errors = 0, warnings = 0 } = report.totals ?? {};
  if (errors + warnings > 0) {
    const lines = (report.problems ?? []).map((p) => {
      const loc = p.location?.[0];
      return `  ${p.severity} ${p.ruleId}: ${p.message}${loc ? ` (${loc.source?.ref ?? loc.source}${loc.pointer ?? ""})` : ""}`;
    });
    throw new Error(
      `spec lint failed: ${errors} error(s), ${warnings} warning(s)\n${lines.join("\n")}`,
    );
  }
}

/** Bundles a root YAML into one document with local `$ref`s only. */
export async function bundleSpec(rootFile, tmpDir) {
  const out = join(tmpDir, `bundle-${Math.random().toString(36).slice(2)}.json`);
  const res = await redoclyCmd(["bundle", rootFile, `--config=${config}`, `--output=${out}`]);
  if (res.failed) throw new Error(`redocly bundle ${rootFile} failed:\n${res.stderr}`);
  return JSON.parse(await readFile(out, "utf8"));
}

/**
 * Resolves a local `$ref` (with its sibling keywords merged over the target, as 3.1
 * allows). Returns the node and the first `$ref` followed, if any.
 */
export function deref(doc, node) {
  const seen = new Set();
  let ref;
  while (node && typeof node === "object" && typeof node.$ref === "string") {
    if (seen.has(node.$ref)) throw new Error(`circular $ref ${node.$ref}`);
    seen.add(node.$ref);
    if (!node.$ref.startsWith("#"))
      throw new Error(`external $ref ${node.$ref}: pass a bundled document`);
    ref ??= node.$ref;
    const target = node.$ref
      .slice(1)
      .split("/")
      .slice(1)
      .map((s) => decodeURIComponent(s).replace(/~1/g, "/").replace(/~0/g, "~"))
      .reduce((o, key) => (o == null ? undefined : o[key]), doc);
    if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
    const { $ref: _, ...siblings } = node;
    node = { ...target, ...siblings };
  }
  return { node, ref };
}

/** The JSON types a schema allows (`null` included for 3.0 `nullable`), or null for any. */
export function typesOf(schema) {
  if (schema.type === undefined) return null;
  const types = new Set([schema.type].flat());
  if (schema.nullable === true) types.add("null");
  return types;
}

/** The values a schema is limited to (`const` or `enum`), or null. */
export function enumOf(schema) {
  if (schema.const !== undefined) return [schema.const];
  return Array.isArray(schema.enum) ? schema.enum : null;
}

/** A value as it is quoted in messages. */
export const show = (v) => JSON.stringify(v);

/**
 * How two specs' operations are matched: method and path template, path parameter
 * names ignored (`GET /v1/agents/{}/telephony/connectors`).
 */
export const operationKey = (method, path) =>
  `${method.toUpperCase()} ${path.replace(/\{[^}]+\}/g, "{}")}`;

/**
 * Whether a required JSON request body may be left out by the caller, the client
 * sending `{}`: its schema is an object that `{}` satisfies (no required property, no
 * `minProperties`). #24: PolyAI requires the import body although nothing in it is.
 */
export function bodyMayBeEmpty(doc, requestBody) {
  if (!requestBody?.required) return false;
  const schema = deref(doc, requestBody.content?.["application/json"]?.schema).node;
  return schema?.type === "object" && !schema.required?.length && !(schema.minProperties > 0);
}

/** `#/components/schemas/VoiceName` → `VoiceName`. */
export const refName = (ref) => ref?.split("/").pop()?.replace(/~1/g, "/").replace(/~0/g, "~");

/**
 * Every operation of the document in path order, with its path item's parameters
 * merged in and everything but schemas resolved.
 */
export function operationsOf(doc) {
  const out = [];
  for (const [path, rawItem] of Object.entries(doc.paths ?? {})) {
    const item = deref(doc, rawItem).node;
    for (const method of METHODS) {
      const op = item[method];
      if (!op || typeof op !== "object") continue;
      const byKey = new Map();
      for (const raw of [...(item.parameters ?? []), ...(op.parameters ?? [])]) {
        const param = deref(doc, raw).node;
        byKey.set(`${param.in}:${param.name}`, param);
      }
      const requestBody = op.requestBody ? deref(doc, op.requestBody).node : undefined;
      const responses = Object.fromEntries(
        Object.entries(op.responses ?? {}).map(([status, r]) => [status, deref(doc, r).node]),
      );
      out.push({ path, method, op, parameters: [...byKey.values()], requestBody, responses });
    }
  }
  return out;
}

/**
 * The document with every `$ref` outside `#/components/schemas` replaced by its
 * target (parameters, responses, headers, request bodies, examples), so a consumer
 * needs no resolver of its own; schema references stay for a JSON Schema validator.
 */
export function resolveNonSchemaRefs(doc) {
  const walk = (node, depth) => {
    if (depth > 64) throw new Error("spec nests deeper than 64 levels");
    if (Array.isArray(node)) return node.map((v) => walk(v, depth + 1));
    if (!node || typeof node !== "object") return node;
    if (typeof node.$ref === "string" && !node.$ref.startsWith("#/components/schemas/"))
      return walk(deref(doc, node).node, depth + 1);
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v, depth + 1)]));
  };
  return walk(doc, 0);
}
