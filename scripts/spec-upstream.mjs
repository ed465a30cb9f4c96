#!/usr/bin/env node
// `npm run spec:upstream`: our spec against PolyAI's published one (#24). Every
// difference must be deliberate (a reason in `x-upstream-differs`, see
// openapi/README.md) or it is drift; a reason that names no difference is stale.
//
//   npm run spec:upstream                       against the vendored copy (openapi/upstream/)
//   ... --upstream FILE                         against another copy of PolyAI's spec (JSON)
//   ... --ours FILE                             a bundled JSON or a root YAML instead of openapi/
//   ... --json                                  the result as JSON
//   ... --write-docs                            (re)write docs/upstream-differences.md
//
// Against the vendored copy it also checks the copy is the one openapi/upstream/source.json
// records and that docs/upstream-differences.md is current.
// Exit status: 0 nothing to act on, 1 drift, a stale or invalid annotation, or a stale
// table; 2 usage or input error.
import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSpec } from "./spec-diff.mjs";
import { deref, root } from "./spec-model.mjs";
import { judge } from "./upstream-annotations.mjs";
import { compareWithUpstream } from "./upstream-compare.mjs";
import { child } from "./upstream-view.mjs";
import {
  formatUpstreamReport,
  hasProblems,
  renderDifferencesDoc,
  unpinned,
} from "./upstream-report.mjs";

export const UPSTREAM_DIR = join(root, "openapi/upstream");
export const DOCS_FILE = join(root, "docs/upstream-differences.md");

/** Our bundled spec against PolyAI's: the findings, ready to print or serialise. */
export function checkUpstream(ours, upstream, label = "PolyAI's spec") {
  const { deliberate, drift, stale, invalid } = judge(ours, compareWithUpstream(ours, upstream));
  const finding = (d) => ({
    aspect: d.aspect,
    annotateAt: d.host,
    messages: [...d.messages],
    where: d.where,
    operations: [...d.operations].sort(),
    ...(d.reason ? { reason: d.reason } : {}),
  });
  const order = (a, b) =>
    a.annotateAt.localeCompare(b.annotateAt) || a.aspect.localeCompare(b.aspect);
  return {
    upstream: {
      title: upstream.info?.title ?? "",
      version: upstream.info?.version ?? "",
      label: `${upstream.info?.title ?? "PolyAI"} ${upstream.info?.version ?? ""} (${label})`,
    },
    drift: drift.map(finding).sort(order),
    deliberate: deliberate.map(finding).sort(order),
    stale,
    invalid,
  };
}

/** `git hash-object` of a file's bytes: what source.json records as `blob`. */
const blobHash = (bytes) =>
  createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");

/** The vendored copy, refused when it is not byte for byte the one source.json records. */
export async function loadVendored(dir = UPSTREAM_DIR) {
  const source = JSON.parse(await readFile(join(dir, "source.json"), "utf8"));
  const file = join(dir, source.file);
  const bytes = await readFile(file);
  if (blobHash(bytes) !== source.blob)
    throw new Error(
      `${relative(root, file)} is not the file source.json records (blob ${source.blob}): re-vendor it as openapi/upstream/README.md says`,
    );
  const doc = JSON.parse(bytes.toString("utf8"));
  if (doc.info?.version !== source.version)
    throw new Error(
      `${relative(root, file)} is version ${doc.info?.version}, source.json says ${source.version}`,
    );
  return { doc, source, label: relative(root, file) };
}

/**
 * A copy of PolyAI's spec given with `--upstream`, refused unless it is an OpenAPI 3
 * document with `paths` whose `$ref`s all resolve. #24: anything else would read as PolyAI dropping every
 * operation (drift everywhere, exit 1) instead of an input error (exit 2).
 */
export async function readUpstream(file) {
  const text = await readFile(resolve(file), "utf8");
  let doc;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new Error(`${file} is not JSON (${err.message}): pass PolyAI's openapi.json`);
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc) || !/^3\./.test(String(doc.openapi)))
    throw new Error(`${file} is not an OpenAPI 3 document (no \`openapi: 3.x\`)`);
  if (!doc.paths || typeof doc.paths !== "object")
    throw new Error(`${file} has no \`paths\` object`);
  checkRefs(doc, file);
  return doc;
}

/** Every `$ref` resolves; else an error naming where (it would stop the comparison unlocated). */
function checkRefs(doc, file) {
  const walk = (node, at) => {
    if (!node || typeof node !== "object") return;
    if (typeof node.$ref === "string") {
      try {
        deref(doc, node);
      } catch (err) {
        throw new Error(`${file}: ${at}: ${err.message}`);
      }
    }
    for (const [key, value] of Object.entries(node)) walk(value, child(at, key));
  };
  walk(doc, "#");
}

const USAGE =
  "usage: npm run spec:upstream [-- --upstream FILE] [--ours FILE] [--json] [--write-docs]";

function parseArgs(argv) {
  const opts = { upstream: null, ours: null, json: false, writeDocs: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value`);
      return v;
    };
    if (flag === "--json") opts.json = true;
    else if (flag === "--write-docs") opts.writeDocs = true;
    else if (flag === "--help" || flag === "-h") opts.help = true;
    else if (flag === "--upstream") opts.upstream = value();
    else if (flag === "--ours") opts.ours = value();
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (opts.writeDocs && opts.upstream)
    throw new Error("--write-docs writes the table of the vendored copy: drop --upstream");
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
  const tmp = await mkdtemp(join(tmpdir(), "polyai-spec-upstream-"));
  try {
    const vendored = opts.upstream ? null : await loadVendored();
    const upstream = vendored
      ? vendored
      : { doc: await readUpstream(opts.upstream), label: opts.upstream };
    const ours = await loadSpec({ path: opts.ours ?? join(root, "openapi/openapi.yaml") }, tmp);
    const result = checkUpstream(ours, upstream.doc, upstream.label);
    const table = await readFile(DOCS_FILE, "utf8").catch(() => "");
    if (vendored) {
      const doc = renderDifferencesDoc(result, vendored.source);
      if (opts.writeDocs) {
        await mkdir(dirname(DOCS_FILE), { recursive: true });
        await writeFile(DOCS_FILE, doc);
        if (!opts.json) console.log(`wrote ${relative(root, DOCS_FILE)}`);
      } else if (table !== doc) result.docsStale = relative(root, DOCS_FILE);
    }
    // #24: against any copy, a deliberate difference PolyAI changed its side of.
    result.changed = opts.writeDocs ? [] : unpinned(result, table);
    console.log(opts.json ? JSON.stringify(result, null, 2) : formatUpstreamReport(result));
    return hasProblems(result) ? 1 : 0;
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
