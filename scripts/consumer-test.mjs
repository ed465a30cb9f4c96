#!/usr/bin/env node
// `npm run test:consumer`: the package as a user gets it. `npm pack` (which builds),
// install the tarball into a fresh project in the OS temp dir, then run the steps
// below, as many at a time as there are cores. Each prints `== step: NAME ==`, its
// output, and `PASS NAME (time)` or `FAIL NAME (time)`:
//
//   node N              esm.mjs (import the three entries and the spec, start the
//                       mock, update a connector, plan with the core's client, and
//                       check telephony throws the core's classes) and cjs.cjs (the
//                       same through require),
//                       under the Node.js running this script
//   typescript 5.9      consumer.ts, consumer-cjs.cts and consumer-spec.ts under
//   typescript 7        moduleResolution node16, nodenext and bundler; `{ voiceName:
//                       null }` must be a compile error (@ts-expect-error). 7 is the
//                       native compiler (npm `typescript@7`)
//   edge bundle         esbuild bundles edge.mjs (core only) for platform "neutral"
//                       with nothing external; the bundle runs against the mock
//   prism               Stoplight Prism mocks the installed openapi.json; the calls
//                       docs/compatibility-and-contract-tools.md lists pass the
//                       client's answer checks or are refused as it says (prism-run.mjs)
//   bin                 the installed polyai-connectors-mock and polyai-connectors answer --help
//   tarball             dist/ and package metadata only; one .js per entry and
//                       format (#21); dist/openapi.json is
//                       generated/openapi.json; every source map inlines its sources
//                       (the repository's text) and names none outside the package;
//                       under --enable-source-maps a stack frame names a .ts file
//
// `--matrix` (`npm run test:matrix`, what CI runs) also installs from npm, into the
// temp dir and while the package builds: Node.js 20, 22, 24 and 26 (`node@N`), Bun
// (`bun`), Deno (`deno`) and miniflare (`miniflare`, which brings workerd). Then:
//
//   node 20 … node 26   esm.mjs and cjs.cjs under each (in place of the step for the
//                       Node.js running this script)
//   bun, deno           esm.mjs under each; Deno with only the permissions the client
//                       and the mock need
//   workerd             the edge bundle as a Cloudflare worker in workerd, without
//                       nodejs_compat, through miniflare run by Node.js 22
//                       (workerd-run.mjs; miniflare needs Node.js 22 or later)
//
// The fixtures live in test/consumer/. Nothing is kept: the temp dir (runtimes
// included) is removed at the end, pass or fail; --keep leaves it for inspection.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { delimiter, dirname, join, posix, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";
import { ENTRIES } from "./bundle.mjs";

const execFileP = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "test/consumer");
const USAGE = "usage: node scripts/consumer-test.mjs [--matrix] [--keep]";
const flags = process.argv.slice(2);
for (const flag of flags)
  if (flag !== "--keep" && flag !== "--matrix") {
    console.error(`unknown option ${flag}\n${USAGE}`);
    process.exit(2);
  }
const keep = flags.includes("--keep");
const matrix = flags.includes("--matrix");
const started = performance.now();
const secs = (from = started) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

async function run(cmd, args, cwd, label = [cmd, ...args].join(" "), options = {}) {
  const isNpm = cmd === "npm";
  try {
    const { stdout } = await execFileP(
      isNpm && process.platform === "win32" ? "npm.cmd" : cmd,
      args,
      {
        cwd,
        env: {
          ...process.env,
          NO_COLOR: "1",
          npm_config_update_notifier: "false",
          ...options.env,
        },
        maxBuffer: 64 << 20,
        shell: isNpm && process.platform === "win32",
        timeout: options.timeout ?? 90_000,
      },
    );
    return stdout;
  } catch (err) {
    const out = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim();
    throw new Error(
      `${label} failed${err.code !== undefined ? ` (exit ${err.code})` : ""}:\n${out || err.message}`,
    );
  }
}

// The package's own .d.ts files are type-checked in full once (node16: skipLibCheck
// off, only TypeScript's lib files skipped); the other two configs skip .d.ts checking
// to save time (attw already checks every import inside the .d.ts files under each
// resolution mode). In all three, a type gone wrong turns the @ts-expect-error lines
// and the typed assignments of consumer.ts into errors. consumer-spec.ts imports the
// spec `with { type: "json" }`, which module node16 does not accept (consumer-cjs.cts
// `require`s it in all three).
const tsconfigs = {
  // Node, ESM consumer ("type": "module"), DOM lib for fetch/Headers/AbortSignal.
  node16: {
    files: ["consumer.ts", "consumer-cjs.cts"],
    compilerOptions: {
      module: "node16",
      moduleResolution: "node16",
      lib: ["ES2022", "DOM"],
      types: [],
      skipLibCheck: false,
      skipDefaultLibCheck: true,
    },
  },
  // Node with @types/node and no DOM lib: the public types need nothing DOM-only.
  nodenext: {
    files: ["consumer.ts", "consumer-cjs.cts", "consumer-spec.ts"],
    compilerOptions: {
      module: "nodenext",
      moduleResolution: "nodenext",
      lib: ["ES2022"],
      types: ["node"],
      exactOptionalPropertyTypes: true,
      skipLibCheck: true,
    },
  },
  // A bundler project (Vite, esbuild, webpack 5, edge runtimes).
  bundler: {
    files: ["consumer.ts", "consumer-cjs.cts", "consumer-spec.ts"],
    compilerOptions: {
      module: "preserve",
      moduleResolution: "bundler",
      lib: ["ES2022", "DOM"],
      types: [],
      skipLibCheck: true,
    },
  },
};

/** The TypeScript versions the type tests run under, installed into the consumer project. */
const TYPESCRIPTS = [
  { name: "typescript 5.9", install: "typescript@5.9", dir: "typescript" },
  { name: "typescript 7", install: "typescript7@npm:typescript@7", dir: "typescript7" },
];

/**
 * --matrix: the runtimes, each installed from npm into its own folder of the temp dir.
 * `allowScripts` approves the install script each package needs (the `node`, `bun`
 * and `deno` packages fetch their platform's binary package in one; workerd's links
 * its binary) and nothing else.
 */
const NODE_VERSIONS = [20, 22, 24, 26];
const MINIFLARE_NODE = 22; // the oldest Node.js miniflare 4 supports
const RUNTIMES = {
  ...Object.fromEntries(
    NODE_VERSIONS.map((n) => [
      `node ${n}`,
      { install: `node@${n}`, allowScripts: { node: true }, bin: "node" },
    ]),
  ),
  bun: { install: "bun@1", allowScripts: { bun: true }, bin: "bun" },
  deno: { install: "deno@2", allowScripts: { deno: true }, bin: "deno" },
  // Installed by npm running on Node.js 22: npm picks the newest version whose
  // `engines` the running Node.js satisfies, and on Node.js 20 that is an old one.
  miniflare: {
    install: "miniflare@4",
    allowScripts: { workerd: true, sharp: false },
    npmUnder: `node ${MINIFLARE_NODE}`,
  },
};

async function installRuntime(into, name, runtime, npmNode) {
  const t = performance.now();
  const dir = join(into, name.replace(/\W+/g, "-"));
  await mkdir(dir, { recursive: true });
  const manifest = { private: true, allowScripts: runtime.allowScripts };
  await writeFile(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  await run(
    "npm",
    [
      "install",
      runtime.install,
      "--no-audit",
      "--no-fund",
      "--no-save",
      "--no-package-lock",
      "--loglevel=error",
    ],
    dir,
    `npm install ${runtime.install}${npmNode ? ` (npm on ${npmNode.version})` : ""}`,
    {
      timeout: 300_000,
      // npm's own script starts with `#!/usr/bin/env node`: this makes it the Node.js given.
      env: npmNode ? { PATH: `${dirname(npmNode.bin)}${delimiter}${process.env.PATH}` } : {},
    },
  );
  let bin;
  let version;
  if (runtime.bin) {
    bin = join(dir, "node_modules/.bin", runtime.bin);
    // `v22.23.3`, `1.4.5`, `deno 2.9.6 (stable, release, …)`: the first line, no parentheses.
    version = (await run(bin, ["--version"], dir))
      .trim()
      .split("\n")[0]
      .replace(/\s*\(.*$/, "");
  } else {
    const pkg = JSON.parse(await readFile(join(dir, "node_modules", name, "package.json"), "utf8"));
    version = `${name} ${pkg.version}`;
  }
  if (runtime.bin && !version.toLowerCase().startsWith(runtime.bin))
    version = `${runtime.bin} ${version}`;
  return {
    dir,
    bin,
    version,
    note: `${version} (npm ${runtime.install}, installed in ${secs(t)})`,
  };
}

/** Starts every install at once (miniflare after the Node.js it needs); each settles alone. */
function installRuntimes(into) {
  const installs = {};
  for (const [name, runtime] of Object.entries(RUNTIMES)) {
    installs[name] = runtime.npmUnder
      ? installs[runtime.npmUnder].then((node) => installRuntime(into, name, runtime, node))
      : installRuntime(into, name, runtime);
    installs[name].catch(() => {}); // awaited by its step, later
  }
  return installs;
}

async function setUp(tmp) {
  const t = performance.now();
  await run("npm", ["pack", "--silent", "--pack-destination", tmp], root, "npm pack");
  const tarball = (await readdir(tmp)).find((f) => f.endsWith(".tgz"));
  if (!tarball) throw new Error(`npm pack left no .tgz in ${tmp}`);
  console.log(`packed ${tarball} (build included) in ${secs(t)}`);

  const app = join(tmp, "app");
  await mkdir(app);
  await writeFile(
    join(app, "package.json"),
    `${JSON.stringify({ name: "polyai-consumer", private: true, type: "module" }, null, 2)}\n`,
  );
  for (const name of await readdir(fixtures)) {
    if (/\.(c|m)?ts$/.test(name)) {
      // The fixtures start with @ts-nocheck so the repo's own typecheck skips them.
      const text = await readFile(join(fixtures, name), "utf8");
      await writeFile(join(app, name), text.replace(/^\/\/ @ts-nocheck\b.*\n/, ""));
    } else {
      await copyFile(join(fixtures, name), join(app, name));
    }
  }
  for (const [name, { files, compilerOptions }] of Object.entries(tsconfigs)) {
    const config = {
      compilerOptions: {
        target: "ES2022",
        strict: true,
        noEmit: true,
        noUncheckedIndexedAccess: true,
        resolveJsonModule: true,
        ...compilerOptions,
      },
      files,
    };
    await writeFile(join(app, `tsconfig.${name}.json`), `${JSON.stringify(config, null, 2)}\n`);
  }

  const i = performance.now();
  const installs = [...TYPESCRIPTS.map((ts) => ts.install), "@types/node@20"];
  await run(
    "npm",
    [
      "install",
      join(tmp, tarball),
      ...installs,
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
    ],
    app,
    "npm install",
  );
  console.log(`installed the tarball, ${installs.join(", ")} into ${app} in ${secs(i)}`);
  return app;
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue; // nested dependencies, if npm put any there
    if (entry.isDirectory()) yield* walk(join(dir, entry.name));
    else yield join(dir, entry.name);
  }
}

/** edge.mjs bundled as an edge runtime's bundler would: edge.bundle.mjs, for two steps. */
async function bundleEdge(app) {
  const result = await esbuild
    .build({
      absWorkingDir: app,
      entryPoints: ["edge.mjs"],
      outfile: join(app, "edge.bundle.mjs"),
      bundle: true,
      platform: "neutral",
      format: "esm",
      minify: true,
      metafile: true,
      logLevel: "silent",
    })
    .catch((err) => {
      throw new Error(
        `esbuild --platform=neutral of edge.mjs failed:\n${(err.errors ?? []).map((e) => `  ${e.text}`).join("\n") || err.message}`,
      );
    });
  const inputs = Object.keys(result.metafile.inputs);
  const bad = inputs.filter(
    (f) => f.startsWith("node:") || /polyai-connectors\/dist\/[^/]+\/src\/testing\//.test(f),
  );
  if (bad.length) throw new Error(`the edge bundle pulled in ${bad.join(", ")}`);
  // #21: the core's one file, openapi-fetch bundled in; no other package.
  const packages = inputs.filter((f) => f.includes("node_modules/"));
  if (packages.join() !== "node_modules/polyai-connectors/dist/esm/src/index.js")
    throw new Error(
      `the edge bundle's packages are not the core's one file: ${packages.join(", ")}`,
    );
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  return `esbuild platform=neutral: ${inputs.length} modules, ${(bytes / 1024).toFixed(1)} kB minified`;
}

/** Type tests under one TypeScript: the three configs at once; every failure reported. */
async function typecheck(app, ts) {
  const tsc = join(app, "node_modules", ts.dir, "bin/tsc");
  const version = (await run(process.execPath, [tsc, "--version"], app))
    .trim()
    .replace(/^Version /, "");
  const results = await Promise.allSettled(
    Object.keys(tsconfigs).map(async (name) => {
      const t = performance.now();
      await run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], app, `tsc (${name})`);
      return `${name}: ok (${secs(t)})`;
    }),
  );
  const lines = results.map((r) => (r.status === "fulfilled" ? r.value : r.reason.message));
  const text = [`typescript ${version} (npm ${ts.install})`, ...lines].join("\n");
  if (results.some((r) => r.status === "rejected")) throw new Error(text);
  return text;
}

/** The esm and cjs fixtures under one Node.js. */
async function nodeRun(app, bin, version) {
  const esm = await run(bin, ["esm.mjs"], app, `${version}: node esm.mjs`);
  const cjs = await run(bin, ["cjs.cjs"], app, `${version}: node cjs.cjs`);
  return [esm.trim(), cjs.trim()].join("\n");
}

/** What `npm pack` put in: only what a consumer needs, the spec as generated, usable maps. */
async function checkTarball(app) {
  const pkg = join(app, "node_modules/polyai-connectors");
  const files = [];
  for await (const f of walk(pkg))
    files.push(
      f
        .slice(pkg.length + 1)
        .split("\\")
        .join("/"),
    );
  const stray = files.filter(
    (f) =>
      !f.startsWith("dist/") &&
      !/^docs\/[^/]+\.md$/.test(f) &&
      !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f),
  );
  const bad = files.filter(
    (f) => /(^|\/)(test|tests|scripts|bench|examples|openapi)\//.test(f) || /\.test\./.test(f),
  );
  if (stray.length || bad.length)
    throw new Error(
      `the tarball holds files a consumer does not need:\n  ${[...stray, ...bad].join("\n  ")}`,
    );
  const lines = [`tarball: ${files.length} files, only dist/, the guides and package metadata`];
  const problems = [];

  // #25: the guides are what an offline user reads in node_modules; README links them.
  const guides = (await readdir(join(root, "docs")))
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`);
  const missing = guides.filter((f) => !files.includes(f));
  if (missing.length) problems.push(`guides missing from the tarball: ${missing.join(", ")}`);
  else lines.push(`guides: ${guides.length} files of docs/`);

  // #21: one bundled .js per entry and format (the bins ESM only), nothing else to load.
  const scripts = files.filter((f) => f.endsWith(".js")).sort();
  const entries = ENTRIES.flatMap(({ src, bin }) =>
    (bin ? ["esm"] : ["esm", "cjs"]).map((f) => `dist/${f}/${src.replace(/\.ts$/, ".js")}`),
  ).sort();
  if (scripts.join("\n") !== entries.join("\n"))
    problems.push(
      `the JavaScript files are not one per entry and format:\n    ${scripts.join("\n    ")}`,
    );
  else lines.push(`JavaScript: ${scripts.length} files, one bundle per entry and format`);

  // The spec, exported as polyai-connectors/openapi.json: the bundled one, byte for byte.
  const spec = await readFile(join(root, "generated/openapi.json"), "utf8");
  const shipped = await readFile(join(pkg, "dist/openapi.json"), "utf8").catch(() => null);
  if (shipped === null) problems.push("dist/openapi.json (the openapi.json export) is missing");
  else if (shipped !== spec) problems.push("dist/openapi.json differs from generated/openapi.json");
  else
    lines.push(
      `openapi.json: generated/openapi.json as it is (${(spec.length / 1024).toFixed(1)} kB)`,
    );

  // Source maps: every one inlines each source's text (so no src/ needs shipping), that
  // text is the repository's file, and no source path leaves the package. Every map a
  // .js file names is in the tarball.
  const have = new Set(files);
  for (const f of files.filter((f) => /\.[cm]?js$/.test(f))) {
    const text = await readFile(join(pkg, f), "utf8");
    const url = /\/\/# sourceMappingURL=(\S+)\s*$/.exec(text)?.[1];
    if (url && !have.has(posix.join(posix.dirname(f), url)))
      problems.push(`${f} names the source map ${url}, which the tarball does not hold`);
  }
  const maps = files.filter((f) => f.endsWith(".map"));
  let sources = 0;
  for (const f of maps) {
    let map;
    try {
      map = JSON.parse(await readFile(join(pkg, f), "utf8"));
    } catch {
      problems.push(`${f}: not JSON`);
      continue;
    }
    const list = Array.isArray(map.sources) ? map.sources : [];
    const contents = Array.isArray(map.sourcesContent) ? map.sourcesContent : [];
    if (list.length === 0) problems.push(`${f}: no sources`);
    else if (contents.length === 0) problems.push(`${f}: no sourcesContent (sources not inlined)`);
    for (const [i, source] of list.entries()) {
      const text = contents[i];
      if (contents.length > 0 && (typeof text !== "string" || text === ""))
        problems.push(`${f}: no inlined text (sourcesContent) for ${source}`);
      if (typeof source !== "string" || /^([a-z][a-z0-9+.-]*:|\/)/i.test(source)) {
        problems.push(`${f}: source ${JSON.stringify(source)} is an absolute path or URL`);
        continue;
      }
      const at = posix.normalize(posix.join(posix.dirname(f), map.sourceRoot ?? "", source));
      if (at === ".." || at.startsWith("../")) {
        problems.push(`${f}: source ${source} points outside the package (to ${at})`);
        continue;
      }
      // The inlined text is the file the path names, as built: the repository's, or
      // the published source of openapi-fetch, which the core's file bundles (#21).
      if (at.startsWith("node_modules/") && !at.startsWith("node_modules/openapi-fetch/"))
        problems.push(`${f}: source ${source} is a package other than openapi-fetch`);
      const original = await readFile(join(root, at), "utf8").catch(() => null);
      if (original === null)
        problems.push(`${f}: source ${source} (${at}) is no file of the repository`);
      else if (typeof text === "string" && text !== "" && text !== original)
        problems.push(`${f}: the inlined text of ${source} is not ${at}`);
      sources++;
    }
  }
  if (maps.length === 0) problems.push("no source maps in dist/");
  if (problems.length) {
    const shown = problems.slice(0, 20);
    if (problems.length > shown.length) shown.push(`… and ${problems.length - shown.length} more`);
    throw new Error([...lines, ...shown].join("\n"));
  }
  lines.push(
    `source maps: ${maps.length}, each source's text inlined (${sources} sources, each the repository's file or openapi-fetch's), none outside the package`,
  );
  // And in use: with --enable-source-maps, a stack frame inside the package names its .ts.
  const frame = (
    await run(
      process.execPath,
      [
        "--enable-source-maps",
        "--input-type=module",
        "-e",
        'import { createPolyAIClient } from "polyai-connectors";\n' +
          'try { createPolyAIClient({ apiKey: "short" }); } catch (e) { console.log(e.stack.split("\\n")[1]); }',
      ],
      app,
      "node --enable-source-maps",
    )
  ).trim();
  if (!/polyai-connectors[\\/]src[\\/].+\.ts:\d+:\d+/.test(frame))
    throw new Error(
      `${lines.join("\n")}\nwith --enable-source-maps, a stack frame reads: ${frame}`,
    );
  lines.push(`node --enable-source-maps: ${frame.replace(/^at /, "").replace(app, ".")}`);
  return lines.join("\n");
}

/** At most `n` functions running at once. */
function limiter(n) {
  let active = 0;
  const waiting = [];
  return async (fn) => {
    if (active >= n) await new Promise((resolve) => waiting.push(resolve));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

const indent = (text) => text.trim().replace(/^/gm, "  ");

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "polyai-consumer-"));
  const runtimesDir = join(tmp, "runtimes");
  const installs = matrix ? installRuntimes(runtimesDir) : {};
  try {
    const app = await setUp(tmp);
    const edgeBundle = bundleEdge(app);
    edgeBundle.catch(() => {}); // awaited by the steps that use it

    /**
     * A step waits for what it `needs` (a runtime's install, the edge bundle), then for
     * a free core; `about` says what it runs on, before its output, pass or fail.
     * @type {{ name: string, needs?: () => Promise<any>, about?: (needed: any) => string, run: (needed: any) => Promise<string> }[]}
     */
    const steps = [
      ...TYPESCRIPTS.map((ts) => ({ name: ts.name, run: () => typecheck(app, ts) })),
      { name: "tarball", run: () => checkTarball(app) },
      {
        name: "edge bundle",
        needs: () => edgeBundle,
        about: (built) => `${built}; run by node ${process.version}`,
        run: () => run(process.execPath, ["edge-run.mjs"], app),
      },
      {
        // docs/compatibility-and-contract-tools.md, "Contract tools": Prism (the repo's
        // devDependency) mocks the installed openapi.json; the calls it lists pass or
        // are refused as it says.
        name: "prism",
        run: async () => {
          const prism = join(root, "node_modules/@stoplight/prism-cli/dist/index.js");
          return run(process.execPath, ["prism-run.mjs", prism], app, "prism-run.mjs");
        },
      },
      {
        name: "bin",
        run: async () => {
          // Installed by npm as node_modules/.bin/polyai-connectors-mock: shebang and mode matter.
          const out = await run(
            join(app, "node_modules/.bin/polyai-connectors-mock"),
            ["--help"],
            app,
          );
          if (!out.includes("Usage: polyai-connectors-mock"))
            throw new Error(`polyai-connectors-mock --help printed:\n${out}`);
          // The phone-lines-as-code command, also installed as a bin.
          const cli = await run(join(app, "node_modules/.bin/polyai-connectors"), ["--help"], app);
          if (!/polyai-connectors plan/.test(cli))
            throw new Error(`polyai-connectors --help printed:\n${cli}`);
          return "polyai-connectors-mock --help and polyai-connectors --help ok";
        },
      },
    ];
    if (!matrix) {
      const major = process.versions.node.split(".")[0];
      steps.unshift({
        name: `node ${major}`,
        about: () => `node ${process.version} (the one running this script)`,
        run: () => nodeRun(app, process.execPath, `node ${process.version}`),
      });
    } else {
      for (const n of NODE_VERSIONS)
        steps.push({
          name: `node ${n}`,
          needs: () => installs[`node ${n}`],
          about: (node) => node.note,
          run: (node) => nodeRun(app, node.bin, node.version),
        });
      // The mock listens on 127.0.0.1 and esm.mjs reads seed.json; the client reads
      // three environment variables (docs/compatibility-and-contract-tools.md).
      const denoPermissions = [
        "--allow-net=127.0.0.1",
        "--allow-read=.",
        "--allow-env=POLYAI_API_KEY,POLYAI_REGION,POLYAI_LOG",
      ];
      steps.push(
        {
          name: "bun",
          needs: () => installs.bun,
          about: (bun) => bun.note,
          run: (bun) => run(bun.bin, ["--no-install", "esm.mjs"], app, "bun esm.mjs"),
        },
        {
          name: "deno",
          needs: () => installs.deno,
          about: (deno) => `${deno.note}\ndeno run ${denoPermissions.join(" ")}`,
          run: (deno) =>
            run(
              deno.bin,
              ["run", "--no-lock", "--no-prompt", "--node-modules-dir=manual"].concat(
                denoPermissions,
                "esm.mjs",
              ),
              app,
              "deno run esm.mjs",
              { env: { DENO_DIR: join(runtimesDir, "deno-cache"), DENO_NO_UPDATE_CHECK: "1" } },
            ),
        },
        {
          name: "workerd",
          needs: () =>
            Promise.all([installs.miniflare, installs[`node ${MINIFLARE_NODE}`], edgeBundle]),
          about: ([miniflare, node]) => `${miniflare.note}, run by ${node.version}`,
          run: async ([miniflare, node]) => {
            // miniflare keeps its scratch files in the OS temp dir: this one, removed at the end.
            const scratch = join(runtimesDir, "tmp");
            await mkdir(scratch, { recursive: true });
            return run(node.bin, ["workerd-run.mjs", miniflare.dir], app, "workerd-run.mjs", {
              env: { TMPDIR: scratch, TMP: scratch, TEMP: scratch },
            });
          },
        },
      );
    }

    const cores = availableParallelism();
    console.log(
      `running ${steps.length} steps, ${cores} at a time${matrix ? " (runtimes installing from npm)" : ""}`,
    );
    const limit = limiter(cores);
    const outcomes = await Promise.all(
      steps.map(async (step) => {
        let outcome;
        try {
          const needed = await step.needs?.();
          outcome = await limit(async () => {
            const t = performance.now();
            const about = step.about ? `${step.about(needed)}\n` : "";
            try {
              return { ok: true, text: about + (await step.run(needed)).trim(), time: secs(t) };
            } catch (err) {
              return { ok: false, text: about + (err?.message ?? String(err)), time: secs(t) };
            }
          });
        } catch (err) {
          // What the step needed (a runtime's install, the edge bundle) failed.
          outcome = { ok: false, text: err?.message ?? String(err), time: "0.0 s" };
        }
        const verdict = `${outcome.ok ? "PASS" : "FAIL"} ${step.name} (${outcome.time})`;
        console.log(`== step: ${step.name} ==\n${indent(outcome.text)}\n${verdict}`);
        return { step, ...outcome };
      }),
    );
    const failed = outcomes.filter((o) => !o.ok);
    console.log(`\nconsumer test, ${secs()} in all:`);
    for (const o of outcomes) console.log(`  ${o.ok ? "PASS" : "FAIL"} ${o.step.name} (${o.time})`);
    console.log(`consumer: ${outcomes.length - failed.length} passed, ${failed.length} failed`);
    if (failed.length) process.exitCode = 1;
  } finally {
    // No npm left writing into the folder about to be removed.
    await Promise.allSettled(Object.values(installs));
    if (keep) console.log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exitCode = 1;
});
