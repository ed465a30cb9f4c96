// #22: what `export` writes around the state: a `$schema` that resolves to the
// package's schema from the folder of the file written (from the cwd on stdout), so
// an editor completes and checks the file at once; and no file replaced without a
// yes on a terminal or --force.
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, it } from "vitest";
import { packageSchemaFile } from "../src/telephony/cli/export-file.js";
import { validateDesiredState, type DesiredState } from "../src/telephony/index.js";
import { cliWith } from "./support/cli-in-process.js";
import { AGENT, runsKeyless, withSetup } from "./support/telephony-cli.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const SOURCE_SCHEMA = join(root, "src/telephony/desired-state.schema.json");

/** The schema an export's `$schema` names, read from `base` as an editor resolves it. */
async function schemaAt(base: string, ref: string | undefined): Promise<unknown> {
  if (ref === undefined) throw new Error("no $schema");
  return JSON.parse(await readFile(resolve(base, ref), "utf8"));
}

describe.concurrent("export: $schema (#22)", () => {
  it("--out: a relative path from the file's folder to the package's schema; the file validates against it and plans with no change", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const source: unknown = JSON.parse(await readFile(SOURCE_SCHEMA, "utf8"));
      await mkdir(join(t.dir, "telephony", "agents"), { recursive: true });
      for (const name of ["top.json", "telephony/agents/deep.json"]) {
        const out = join(t.dir, name);
        const r = await cliWith(["export", "--agent", AGENT, "--out", out, ...url]);
        expect(r.code, r.stderr).toBe(0);
        const text = await readFile(out, "utf8");
        const state = JSON.parse(text) as DesiredState;
        expect(text.startsWith('{\n  "$schema": "../')).toBe(true); // first, relative, `/`
        expect(state.$schema).toMatch(/desired-state\.schema\.json$/);
        expect(state.$schema).not.toContain("\\");
        expect(await schemaAt(dirname(out), state.$schema)).toEqual(source);
        const schema = (await schemaAt(dirname(out), state.$schema)) as Record<string, unknown>;
        const valid = new Ajv2020().compile(schema);
        expect(valid(state), JSON.stringify(valid.errors)).toBe(true);
        expect(validateDesiredState(state).agentId).toBe(AGENT);
        const p = await cliWith(["plan", out, ...url]);
        expect(p.code, p.stdout + p.stderr).toBe(0);
      }
    });
  });

  it("stdout, --json and an --out written in place (/dev/stdout): relative to the working directory", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const cwd = join(t.dir, "work");
      await mkdir(cwd);
      const printed = await cliWith(["export", "--agent", AGENT, ...url], { cwd });
      const state = JSON.parse(printed.stdout) as DesiredState;
      expect(resolve(cwd, state.$schema ?? "")).toBe(packageSchemaFile(import.meta.url));
      expect(await schemaAt(cwd, state.$schema)).toEqual(
        JSON.parse(await readFile(SOURCE_SCHEMA, "utf8")),
      );
      const json = await cliWith(["export", "--agent", AGENT, "--json", ...url], { cwd });
      expect((JSON.parse(json.stdout) as { desired: DesiredState }).desired).toEqual(state);
      const inPlace = await cliWith(["export", "--agent", AGENT, "--out", "/dev/null", ...url], {
        cwd,
      });
      expect(inPlace.code, inPlace.stderr).toBe(0);
    });
  });

  it("a project that installed the package: the path names its node_modules copy, found from the file's folder up, whichever CLI runs (npx from a cache)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const installed = join(t.dir, "node_modules", "polyai-connectors");
      await mkdir(join(installed, "dist"), { recursive: true });
      await writeFile(
        join(installed, "package.json"),
        JSON.stringify({
          name: "polyai-connectors",
          exports: { "./desired-state.schema.json": "./dist/desired-state.schema.json" },
        }),
      );
      await writeFile(join(installed, "dist", "desired-state.schema.json"), "{}");
      await mkdir(join(t.dir, "telephony"));
      const out = join(t.dir, "telephony", "phone-lines.json");
      const r = await cliWith(["export", "--agent", AGENT, "--out", out, "--base-url", t.mock.url]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(await readFile(out, "utf8")) as DesiredState).$schema).toBe(
        "../node_modules/polyai-connectors/dist/desired-state.schema.json",
      );
      const printed = await cliWith(["export", "--agent", AGENT, "--base-url", t.mock.url], {
        cwd: t.dir,
      });
      expect((JSON.parse(printed.stdout) as DesiredState).$schema).toBe(
        "./node_modules/polyai-connectors/dist/desired-state.schema.json",
      );
    });
  });

  it("the package's schema is found from the package's own location: dist's export when built, else the source", ({
    expect,
  }) => {
    const found = packageSchemaFile(import.meta.url);
    expect([join(root, "dist/desired-state.schema.json"), SOURCE_SCHEMA]).toContain(found);
    expect(packageSchemaFile("file:///")).toBeUndefined();
  });

  it("the schema names no URL that does not exist: no $id, and the only URL is the meta-schema's", async ({
    expect,
  }) => {
    const text = await readFile(SOURCE_SCHEMA, "utf8");
    expect(JSON.parse(text)).not.toHaveProperty("$id");
    expect(text.match(/https?:\/\/[^"\s)]+/g)).toEqual([
      "https://json-schema.org/draft/2020-12/schema",
    ]);
  });
});

describe.concurrent("export --out onto an existing file (#22)", () => {
  const OLD = '{ "agentId": "PROJECT-OLD" }\n';

  it("off a terminal: refused naming the file (CONFIRMATION_REQUIRED, as apply without --yes), nothing read or written; --force replaces it", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const out = await t.file("phone-lines.json", OLD);
      const refused = await cliWith(["export", "--agent", AGENT, "--out", out, ...url]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toBe(
        `polyai-connectors: --out ${out}: the file exists; pass --force to replace it (stdin is not a terminal, so no one can confirm)\n`,
      );
      const json = await cliWith(["export", "--agent", AGENT, "--out", out, "--json", ...url]);
      // apply's code for the same refusal (no --yes off a terminal).
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        error: { name: "CliError", code: "CONFIRMATION_REQUIRED" },
      });
      expect(await readFile(out, "utf8")).toBe(OLD);
      expect(t.mock.requests).toHaveLength(0);

      const forced = await cliWith(["export", "--agent", AGENT, "--out", out, "--force", ...url]);
      expect(forced.code, forced.stderr).toBe(0);
      expect((JSON.parse(await readFile(out, "utf8")) as DesiredState).agentId).toBe(AGENT);
      // --force is export's: plan and apply refuse it.
      const other = await cliWith(["plan", out, "--force", ...url]);
      expect(other.stderr).toContain("--force is for export, not plan");
      // Without --out there is no file to replace: refused, not ignored.
      const alone = await cliWith(["export", "--agent", AGENT, "--force", ...url]);
      expect(alone.code).toBe(1);
      expect(alone.stderr).toBe(
        "polyai-connectors: --force replaces an existing --out file: give --out FILE too (see --help)\n",
      );
      expect(alone.stdout).toBe("");
      runsKeyless(expect, refused, json, forced);
    });
  });

  it("on a terminal: asks on stderr; y replaces, anything else or the end of input (Ctrl-D) keeps the file; the question escapes the name", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const out = await t.file("lines\u001b]0;x\u0007.json", OLD);
      for (const typed of ["n\n", "", "maybe\n"]) {
        const r = await cliWith(["export", "--agent", AGENT, "--out", out, ...url], { typed });
        expect(r.code, JSON.stringify(typed)).toBe(1);
        expect(r.stderr).toContain(`polyai-connectors: cancelled: `);
        expect(r.stdout).toBe("");
        expect(await readFile(out, "utf8")).toBe(OLD);
      }
      expect(t.mock.requests).toHaveLength(0);
      const yes = await cliWith(["export", "--agent", AGENT, "--out", out, ...url], {
        typed: "y\n",
      });
      expect(yes.code, yes.stderr).toBe(0);
      expect(yes.stderr).toContain("lines\\u001b]0;x\\u0007.json exists. Replace it? [y/N] ");
      expect(yes.stderr).not.toContain("\u001b");
      expect((JSON.parse(await readFile(out, "utf8")) as DesiredState).agentId).toBe(AGENT);
    });
  });

  it("a new file, a FIFO-like in-place target or a directory: never asked about", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const fresh = await t.file("new.json");
      const r = await cliWith(["export", "--agent", AGENT, "--out", fresh, ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect((await stat(fresh)).isFile()).toBe(true);
      const dev = await cliWith(["export", "--agent", AGENT, "--out", "/dev/null", ...url]);
      expect(dev.code, dev.stderr).toBe(0);
      await writeFile(join(t.dir, "x"), "");
      const dir = await cliWith(["export", "--agent", AGENT, "--out", t.dir, "--force", ...url]);
      expect(dir.stderr).toContain("is a directory");
    });
  });
});
