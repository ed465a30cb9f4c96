#!/usr/bin/env node
// `npm run test:consumer`: the package as a user gets it. `npm pack` (which builds),
// install the tarball into a fresh project in the OS temp dir, then, in parallel:
//
//   node esm.mjs            import both entries, start the mock, update a connector
//   node cjs.cjs            the same through require (the CJS build)
//   tsc (3 configs)         consumer.ts + consumer-cjs.cts under moduleResolution
//                           node16, nodenext and bundler; `{ voiceName: null }` must
//                           be a compile error (@ts-expect-error)
//   esbuild + node          bundle edge.mjs (core only) for platform "neutral" with
//                           nothing external, then run the bundle against the mock
//   polyai-connectors-mock  the installed bin answers --help
//   tarball contents        dist/ and package metadata only: no tests, scripts, spec
//
// The fixtures live in test/consumer/. The temp dir is removed at the end, pass or
// fail; --keep leaves it for inspection.
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import * as esbuild from "esbuild";

const execFileP = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "test/consumer");
const keep = process.argv.includes("--keep");
const started = performance.now();
const secs = (from = started) => `${((performance.now() - from) / 1000).toFixed(1)} s`;

async function run(cmd, args, cwd, label = [cmd, ...args].join(" ")) {
  const isNpm = cmd === "npm";
  try {
    const { stdout } = await execFileP(
      isNpm && process.platform === "win32" ? "npm.cmd" : cmd,
      args,
      {
        cwd,
        env: { ...process.env, NO_COLOR: "1", npm_config_update_notifier: "false" },
        maxBuffer: 64 << 20,
        shell: isNpm && process.platform === "win32",
        timeout: 90_000,
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
// and the typed assignments of consumer.ts into errors.
const tsconfigs = {
  // Node, ESM consumer ("type": "module"), DOM lib for fetch/Headers/AbortSignal.
  node16: {
    module: "node16",
    moduleResolution: "node16",
    lib: ["ES2022", "DOM"],
    types: [],
    skipLibCheck: false,
    skipDefaultLibCheck: true,
  },
  // Node with @types/node and no DOM lib: the public types need nothing DOM-only.
  nodenext: {
    module: "nodenext",
    moduleResolution: "nodenext",
    lib: ["ES2022"],
    types: ["node"],
    exactOptionalPropertyTypes: true,
    skipLibCheck: true,
  },
  // A bundler project (Vite, esbuild, webpack 5, edge runtimes).
  bundler: {
    module: "preserve",
    moduleResolution: "bundler",
    lib: ["ES2022", "DOM"],
    types: [],
    skipLibCheck: true,
  },
};

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
  for (const [name, options] of Object.entries(tsconfigs)) {
    const config = {
      compilerOptions: {
        target: "ES2022",
        strict: true,
        noEmit: true,
        noUncheckedIndexedAccess: true,
        ...options,
      },
      files: ["consumer.ts", "consumer-cjs.cts"],
    };
    await writeFile(join(app, `tsconfig.${name}.json`), `${JSON.stringify(config, null, 2)}\n`);
  }

  const i = performance.now();
  await run(
    "npm",
    [
      "install",
      join(tmp, tarball),
      "typescript@5.9",
      "@types/node@20",
      "--no-audit",
      "--no-fund",
      "--no-package-lock",
      "--loglevel=error",
    ],
    app,
    "npm install",
  );
  console.log(`installed the tarball, typescript@5.9 and @types/node@20 into ${app} in ${secs(i)}`);
  return app;
}

async function* walk(dir) {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules") continue; // nested dependencies, if npm put any there
    if (entry.isDirectory()) yield* walk(join(dir, entry.name));
    else yield join(dir, entry.name);
  }
}

async function edge(app) {
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
  if (!inputs.some((f) => f.includes("node_modules/openapi-fetch/")))
    throw new Error("the edge bundle does not contain openapi-fetch");
  const bytes = Object.values(result.metafile.outputs)[0]?.bytes ?? 0;
  const out = await run(process.execPath, ["edge-run.mjs"], app);
  return `esbuild platform=neutral: ${inputs.length} modules, ${(bytes / 1024).toFixed(1)} kB minified\n${out.trim()}`;
}

async function main() {
  const tmp = await mkdtemp(join(tmpdir(), "polyai-consumer-"));
  try {
    const app = await setUp(tmp);
    const tsc = join(app, "node_modules/typescript/bin/tsc");
    const checks = {
      "node esm.mjs": () => run(process.execPath, ["esm.mjs"], app),
      "node cjs.cjs": () => run(process.execPath, ["cjs.cjs"], app),
      ...Object.fromEntries(
        Object.keys(tsconfigs).map((name) => [
          `tsc -p tsconfig.${name}.json`,
          async () => {
            await run(process.execPath, [tsc, "-p", `tsconfig.${name}.json`], app, `tsc (${name})`);
            return `tsc ${name}: ok`;
          },
        ]),
      ),
      edge: () => edge(app),
      bin: async () => {
        // Installed by npm as node_modules/.bin/polyai-connectors-mock: shebang and mode matter.
        const out = await run(
          join(app, "node_modules/.bin/polyai-connectors-mock"),
          ["--help"],
          app,
        );
        if (!out.includes("Usage: polyai-connectors-mock"))
          throw new Error(`polyai-connectors-mock --help printed:\n${out}`);
        return "bin: polyai-connectors-mock --help ok";
      },
      tarball: async () => {
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
            !["package.json", "README.md", "LICENSE", "CHANGELOG.md"].includes(f),
        );
        const bad = files.filter(
          (f) =>
            /(^|\/)(test|tests|scripts|bench|examples|openapi)\//.test(f) || /\.test\./.test(f),
        );
        if (stray.length || bad.length)
          throw new Error(
            `the tarball holds files a consumer does not need:\n  ${[...stray, ...bad].join("\n  ")}`,
          );
        return `tarball: ${files.length} files, only dist/ and package metadata`;
      },
    };
    const results = await Promise.allSettled(
      Object.entries(checks).map(async ([label, check]) => {
        const t = performance.now();
        const out = await check();
        return `${out.trim()}  [${label}, ${secs(t)}]`;
      }),
    );
    const failed = results.filter((r) => r.status === "rejected");
    for (const r of results)
      if (r.status === "fulfilled") console.log(`  ✓ ${r.value.replace(/\n/g, "\n    ")}`);
    for (const r of failed) console.error(`  ✗ ${r.reason?.message ?? r.reason}`);
    if (failed.length) {
      console.error(
        `consumer test failed: ${failed.length} of ${results.length} checks (${secs()})`,
      );
      process.exitCode = 1;
    } else {
      console.log(`consumer test passed: ${results.length} checks in ${secs()}`);
    }
  } finally {
    if (keep) console.log(`kept ${tmp}`);
    else await rm(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.message ?? err);
  process.exitCode = 1;
});
