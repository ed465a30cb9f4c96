// The JavaScript of dist/ (#21): one bundled file per public entry and format, each
// with a source map of the TypeScript it came from. scripts/build.mjs calls it for
// dist/; test/entry-boundary.test.ts calls it on a temp dir.
//
//   <out>/esm/src/index.js             the core entry: all of src/*.ts, src/internal
//   <out>/cjs/src/index.js             and generated/ it uses, openapi-fetch included
//   <out>/{esm,cjs}/src/telephony/index.js   telephony, importing the core file
//   <out>/{esm,cjs}/src/testing/index.js     the mock, importing the core file (ajv
//                                            stays a package import)
//   <out>/esm/src/telephony/cli.js     the CLI (ESM only): its whole program in one
//                                      file, the core and openapi-fetch included
//   <out>/esm/src/testing/cli.js       the mock's bin (ESM only): imports testing
//
// Why bundles: Node pays about 0.8 ms per module it loads, and the core was 27 of them
// (+31 ms over an empty process; bundled, +9 ms). Why the core is imported and not
// bundled again: the entries must share one copy of it at run time, so that an
// InvalidInputError the telephony entry throws is the class `polyai-connectors`
// exports, in ESM and in CommonJS. So every import, from any file of another entry,
// whose names are all exports of the core entry is served by the core's own file
// (`../index.js`, the very file `polyai-connectors` resolves to), and likewise for the
// mock's bin and the testing entry (ENTRIES, `uses`). An import of a name the core
// entry does not export (`describeType`, the operation table) copies that helper into
// the entry that uses it; a copy of a module holding a class or module state would be
// a second identity, and fails the build (`checkCopies`).
import { mkdir, readFile, readdir, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";
import ts from "typescript";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The published entries, in build order; `bin` ones are ESM only (as before #21).
 * `uses`: the entries whose built files serve this one's imports (see shareEntries).
 * The polyai-connectors bin uses none: a CLI run pays for every file it loads before
 * --help answers, so it holds its whole program, the core included (it is a process
 * of its own, imported by nothing). The mock's bin is a server whose start is mostly
 * compiling the spec's validators: it uses the testing entry's file rather than
 * carry a second copy of the spec.
 */
export const ENTRIES = [
  { src: "src/index.ts", core: true },
  { src: "src/telephony/index.ts", uses: ["src/index.ts"] },
  { src: "src/testing/index.ts", uses: ["src/index.ts"] },
  { src: "src/telephony/cli.ts", bin: "polyai-connectors", uses: [] },
  {
    src: "src/testing/cli.ts",
    bin: "polyai-connectors-mock",
    uses: ["src/testing/index.ts", "src/index.ts"],
  },
];

/** Files of the core: src/*.ts, src/internal/, generated/ (not the other entries' folders). */
function isCoreFile(path) {
  const rel = relative(root, path).split(sep).join("/");
  return /^(src\/[^/]+\.ts|src\/internal\/.+\.ts|generated\/.+\.ts)$/.test(rel);
}

/** The runtime names each import or re-export of every source file takes, by (file, specifier). */
async function importedNames() {
  const table = new Map();
  const files = [];
  for (const dir of ["src", "generated"])
    for (const entry of await readdir(join(root, dir), { recursive: true, withFileTypes: true }))
      if (entry.isFile() && entry.name.endsWith(".ts"))
        files.push(join(entry.parentPath ?? entry.path, entry.name));
  for (const file of files) {
    const source = ts.createSourceFile(file, await readFile(file, "utf8"), ts.ScriptTarget.ES2022);
    for (const stmt of source.statements) {
      const isImport = ts.isImportDeclaration(stmt);
      if (!isImport && !ts.isExportDeclaration(stmt)) continue;
      if (!stmt.moduleSpecifier || !ts.isStringLiteral(stmt.moduleSpecifier)) continue;
      const clause = isImport ? stmt.importClause : stmt;
      if (clause?.isTypeOnly) continue; // erased
      let names = [];
      const bindings = isImport ? clause?.namedBindings : stmt.exportClause;
      if (isImport && clause?.name) names.push("default");
      if (bindings && (ts.isNamedImports(bindings) || ts.isNamedExports(bindings))) {
        for (const el of bindings.elements)
          if (!el.isTypeOnly) names.push((el.propertyName ?? el.name).text);
      } else if (bindings || (!isImport && !stmt.exportClause)) {
        names = null; // `* as ns`, `export *`: every name, so never served by the core file
      }
      const key = `${file}\0${stmt.moduleSpecifier.text}`;
      const before = table.get(key);
      table.set(key, before === null || names === null ? null : [...(before ?? []), ...names]);
    }
  }
  return table;
}

/** The source files an entry's own file holds: the core's, or those of its folder. */
function covers(entry) {
  const dir = dirname(join(root, entry.src));
  return entry.core ? isCoreFile : (file) => dirname(file) === dir;
}

/**
 * esbuild plugin: an import of a file of a used entry, whose names that entry all
 * exports, becomes an import of that entry's built file (`../index.js`).
 */
function shareEntries({ outfile, providers, names }) {
  const targetOf = (p) => {
    const rel = relative(dirname(outfile), p.outfile).split(sep).join("/");
    return rel.startsWith(".") ? rel : `./${rel}`;
  };
  return {
    name: "share-entries",
    setup(build) {
      build.onResolve({ filter: /^\.\.?\// }, (args) => {
        if (!args.importer) return undefined;
        const file = resolve(args.resolveDir, args.path.replace(/\.js$/, ".ts"));
        const provider = providers.find((p) => p.covers(file));
        const taken = names.get(`${args.importer}\0${args.path}`);
        if (!provider || !taken || !taken.every((n) => provider.exports.has(n))) return undefined;
        // sideEffects: false (as package.json says): an import that tree shaking left
        // unused is dropped, not kept as `import "../index.js"` in each copied module.
        return { path: targetOf(provider), external: true, sideEffects: false };
      });
      // Our code imports packages for their exports, never for their side effects: an
      // import left unused by tree shaking (openapi-fetch, from the copy of client.ts
      // that serves KEY_CHARS to the mock) is dropped rather than kept as `import "…"`.
      build.onResolve({ filter: /^[^./]/ }, (args) =>
        args.namespace === "file"
          ? { path: args.path, external: true, sideEffects: false }
          : undefined,
      );
    },
  };
}

// #21: openapi-fetch is bundled into the files that use it (the core's and the CLI's),
// not imported: resolving a package and loading one more module cost a fresh process
// about 2 ms, a fifth of the start-up budget. It stays a dependency, for its types
// (`poly.raw`). Its MIT notice heads each such file, as a plain comment: an app's
// minifier drops it, as it did when the app bundled openapi-fetch from node_modules.
const INLINED = "openapi-fetch";
const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8"));
const EXTERNAL = Object.keys(pkg.dependencies)
  .filter((name) => name !== INLINED)
  .flatMap((name) => [name, `${name}/*`]);
const inlinedVersion = JSON.parse(
  await readFile(join(root, "node_modules", INLINED, "package.json"), "utf8"),
).version;
const NOTICE = `/* Bundles ${INLINED} ${inlinedVersion}:\n${(
  await readFile(join(root, "node_modules", INLINED, "LICENSE"), "utf8")
)
  .trim()
  .replace(/\*\//g, "* /")} */`;

function options(entry, format, outDir) {
  return {
    absWorkingDir: root,
    entryPoints: [join(root, entry.src)],
    outfile: join(outDir, format, entry.src.replace(/\.ts$/, ".js")),
    bundle: true,
    format,
    // The core runs anywhere fetch does: an import of a node: builtin fails its build.
    platform: entry.core ? "neutral" : "node",
    mainFields: ["module", "main"],
    conditions: ["import"], // openapi-fetch's ESM build, whatever the output format
    external: EXTERNAL, // ajv: a dependency, installed next to the package
    // The files that bundle openapi-fetch: the core's, and a whole program's (the CLI).
    banner: { js: entry.core || entry.uses?.length === 0 ? NOTICE : "" },
    target: "es2022",
    sourcemap: "linked",
    sourcesContent: true,
    metafile: true,
    logLevel: "silent",
  };
}

/** The files of `providers` an output carries a copy of, and the bytes each adds. */
function copiesIn(entry, metafile, providers) {
  const output = Object.entries(metafile.outputs).find(([file]) => file.endsWith(".js"))[1];
  return Object.entries(output.inputs)
    .filter(([file, { bytesInOutput }]) => {
      const abs = join(root, file);
      return file !== entry.src && bytesInOutput > 0 && providers.some((p) => p.covers(abs));
    })
    .map(([file, { bytesInOutput }]) => ({ file, bytes: bytesInOutput }));
}

// What must exist once: a class (instanceof), and module state: a top-level `let` or
// `var` (a counter, a cache), a Symbol() (an identity of its own; Symbol.for is shared), a WeakMap/WeakSet, or
// a Map/Set created empty (a cache or registry filled at run time; a Set built from a
// literal list is a lookup table, and a copy of it is the same table).
const IDENTITY = new RegExp(
  [
    String.raw`^(export\s+)?(abstract\s+)?class\s`,
    String.raw`^(export\s+)?(let|var)\s`,
    String.raw`^(export\s+)?const\s+\w+(\s*:[^=]+)?\s*=\s*Symbol\(`,
    String.raw`^(export\s+)?const\s+\w+(\s*:[^=]+)?\s*=\s*new\s+(Weak(Map|Set)\b|(Map|Set)(<[^>]*>)?\(\s*\))`,
  ].join("|"),
  "m",
);

async function checkCopies(entry, format, copies) {
  const bad = [];
  for (const { file } of copies)
    if (IDENTITY.test(await readFile(join(root, file), "utf8"))) bad.push(file);
  if (bad.length)
    throw new Error(
      `${entry.src} (${format}) would carry its own copy of ${bad.join(", ")}, which holds a class or module state: ` +
        `import what it needs through names ${entry.uses.join(" or ")} exports`,
    );
}

/**
 * Two classes of one name in a bundle make esbuild rename one (`PolyAIError2`), and a
 * class takes its `name` from its variable: what `util.inspect` and stack traces show
 * would change. Fails the build rather than ship that.
 */
async function checkNames(entry, format, outfile) {
  const renamed = [
    ...(await readFile(outfile, "utf8")).matchAll(/\b([A-Za-z_$][\w$]*?\d+) = class\b/g),
  ];
  if (renamed.length)
    throw new Error(
      `${entry.src} (${format}): esbuild renamed ${renamed.map((m) => m[1]).join(", ")}; give the classes distinct names`,
    );
}

/** An esbuild failure's messages, one indented line each (`file:line: text`); also scripts/build.mjs's. */
export function esbuildMessages(err) {
  const msgs = (err.errors ?? [])
    .map((e) => `  ${e.location ? `${e.location.file}:${e.location.line}: ` : ""}${e.text}`)
    .join("\n");
  return msgs || err.message;
}

function describeFailure(entry, format, err) {
  return new Error(`bundling ${entry.src} (${format}) failed:\n${esbuildMessages(err)}`);
}

/**
 * Bundles every entry into `outDir` (`esm/…`, `cjs/…`, each with the package.json
 * that gives its module type). Returns one record per file written: the entry, the
 * format, the file, its export names, and the files of the entries it uses that it
 * carries a copy of (for the build's report and test/entry-boundary.test.ts).
 */
export async function bundle(outDir) {
  const names = await importedNames();
  const results = [];
  const exportsOf = new Map(); // entry src -> its export names (the ESM build's)
  for (const format of ["esm", "cjs"]) {
    await mkdir(join(outDir, format), { recursive: true });
    // Node and TypeScript read every file under esm/ as ESM and under cjs/ as CommonJS.
    const type = format === "esm" ? "module" : "commonjs";
    await writeFile(join(outDir, format, "package.json"), `${JSON.stringify({ type }, null, 2)}\n`);
    const built = new Map(); // entry src -> its provider record, this format
    for (const entry of ENTRIES) {
      if (entry.bin && format === "cjs") continue;
      const opts = options(entry, format, outDir);
      const providers = (entry.uses ?? []).map((src) => built.get(src));
      if (providers.length)
        opts.plugins = [shareEntries({ outfile: opts.outfile, providers, names })];
      const result = await esbuild.build(opts).catch((err) => {
        throw describeFailure(entry, format, err);
      });
      if (format === "esm")
        exportsOf.set(
          entry.src,
          Object.values(result.metafile.outputs).flatMap((o) => o.exports ?? []),
        );
      await checkNames(entry, format, opts.outfile);
      const copies = copiesIn(entry, result.metafile, providers);
      await checkCopies(entry, format, copies);
      const exports = exportsOf.get(entry.src);
      built.set(entry.src, {
        covers: covers(entry),
        outfile: opts.outfile,
        exports: new Set(exports),
      });
      results.push({ entry, format, outfile: opts.outfile, copies, exports });
    }
  }
  return results;
}
