// The `polyai-connectors` bin as a process, for what only a process shows: what
// reaches fd 1 and fd 2 (log lines, a closed pipe), --version from the files as
// laid out, the exit code, and the key in no byte of any stream or file. The bin is
// src/telephony/cli.ts bundled once into one file by esbuild (a process then starts
// in a fifth of the time `--import tsx` takes); --version also runs the source
// itself. The command logic is tested in process (telephony-cli.test.ts).
import { spawn, spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, it } from "vitest";
import type { ApplyResult } from "../src/telephony/index.js";
import { serve } from "./support/loopback.js";
import {
  AGENT,
  connector,
  DESIRED,
  KEY,
  keyless,
  runsKeyless,
  setup,
  withSetup,
  writes,
  type Run,
} from "./support/telephony-cli.js";

const root = resolve(import.meta.dirname, "..");
const SOURCE = ["--import", "tsx", "src/telephony/cli.ts"];

// The bundle lives inside the package (so --version finds package.json by walking
// up), next to a package.json that only says "type": "module", as in dist/esm.
let bundleDir = "";
let BIN: string[] = [];
beforeAll(async () => {
  await mkdir(join(root, "node_modules", ".cache"), { recursive: true });
  bundleDir = await mkdtemp(join(root, "node_modules", ".cache", "polyai-cli-bundle-"));
  await writeFile(join(bundleDir, "package.json"), '{ "type": "module" }\n');
  const outfile = join(bundleDir, "cli.js");
  await esbuild.build({
    entryPoints: [join(root, "src/telephony/cli.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile,
    logLevel: "silent",
  });
  BIN = [outfile];
});
afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

interface Spawned {
  env?: Record<string, string>;
  /** Close the reading end of stdout or stderr at once, as `| head -0` would. */
  close?: "stdout" | "stderr";
  /** Run these node arguments instead of the bundled bin. */
  bin?: string[];
  /** stdout is this file descriptor (`> /dev/full`), not a pipe. */
  stdoutFd?: number;
}

/** Runs the bin; stdin is a pipe (not a terminal). Async: the mock shares this process. */
function cli(args: string[], options: Spawned = {}): Promise<Run> {
  const inherited = { ...process.env };
  for (const name of ["POLYAI_API_KEY", "POLYAI_REGION", "POLYAI_LOG"]) delete inherited[name];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [...(options.bin ?? BIN), ...args], {
      cwd: root,
      env: { ...inherited, ...(options.env ?? { POLYAI_API_KEY: KEY }) },
      stdio: ["pipe", options.stdoutFd ?? "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    if (options.close) child[options.close]?.destroy();
    // With stdoutFd, child.stdout is null.
    if (options.close !== "stdout")
      child.stdout?.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    if (options.close !== "stderr")
      child.stderr?.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin?.end();
  });
}

const version = (
  JSON.parse(await readFile(join(root, "package.json"), "utf8")) as { version: string }
).version;

describe.concurrent("polyai-connectors (the bin as a process)", { timeout: 60_000 }, () => {
  it("--version prints package.json's version, from the source and from a one-file bundle in a dist-like folder (#11)", async ({
    expect,
  }) => {
    const source = await cli(["--version"], { env: {}, bin: SOURCE });
    expect([source.code, source.stdout, source.stderr]).toEqual([0, `${version}\n`, ""]);
    const bundled = await cli(["--version"], { env: {} });
    expect([bundled.code, bundled.stdout, bundled.stderr]).toEqual([0, `${version}\n`, ""]);
  });

  it("validate without a key and without a server: 0 valid, 1 invalid with every problem as file:line, 2 usage (#22)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const good = await t.file("good.json", DESIRED);
      const bad = await t.file(
        "bad.json",
        `{\n  "agentId": "${AGENT}",\n  "connectors": { "CONN-main": { "voiceName": "x" } },\n  "phoneNumbers": { "0207": "CONN-main" }\n}\n`,
      );
      const [valid, invalid, usage] = await Promise.all([
        cli(["validate", good], { env: {} }),
        cli(["validate", bad], { env: {} }),
        cli(["validate"], { env: {} }),
      ]);
      expect([valid.code, valid.stderr]).toEqual([0, ""]);
      expect(valid.stdout).toBe(
        `${good}: a valid desired state for agent ${AGENT}: 2 connectors, 2 numbers\n`,
      );
      expect(invalid.code).toBe(1);
      expect(invalid.stderr.split("\n").map((l) => l.split(": ").slice(0, 2).join(": "))).toEqual([
        `${bad}:3: connectors.CONN-main.voiceName`,
        `${bad}:4: phoneNumbers.0207`,
        `polyai-connectors: ${bad}`,
        "",
      ]);
      expect([usage.code, usage.stderr]).toEqual([
        2,
        "polyai-connectors: validate needs a desired-state or plan file (see --help)\n",
      ]);
      expect(t.mock.requests).toEqual([]);
    });
  });

  it("plan --target with a warning: the ! line above the changes, exit 2; a target not in the file exits 1 (#22)", async ({
    expect,
  }) => {
    await withSetup(
      {
        connectors: [
          connector("CONN-main", { phoneNumbers: ["+442079460000"] }),
          connector("CONN-sandbox", { clientEnv: "sandbox" }),
        ],
      },
      async (t) => {
        const file = await t.file("d.json", {
          agentId: AGENT,
          phoneNumbers: { "+442079460000": "CONN-sandbox", "+442079460009": "CONN-main" },
        });
        const url = ["--base-url", t.mock.url];
        const [planned, missing] = await Promise.all([
          cli(["plan", file, "--target", "number:+442079460000", ...url]),
          cli(["plan", file, "--target", "number:+15550000000", "--json", ...url]),
        ]);
        expect(planned.code).toBe(2);
        expect(planned.stdout.split("\n").slice(0, 3)).toEqual([
          "Agent PROJECT-58RP822I: 1 change (1 number to reassign).",
          "Targeted: only number:+442079460000; the rest of the file is not planned.",
          `! phoneNumbers.+442079460000: serves clientEnv live but moves to "CONN-sandbox", a sandbox connector: its live callers would reach the sandbox agent the moment it applies`,
        ]);
        expect(missing.code).toBe(1);
        expect(JSON.parse(missing.stdout)).toMatchObject({ ok: false, error: { code: "USAGE" } });
        runsKeyless(expect, planned, missing);
      },
    );
  });

  it("an unknown flag is one line naming it, exit 1; not Node's parser message (#11)", async ({
    expect,
  }) => {
    const r = await cli(["plan", "x.json", "--foo"]);
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      "",
      "polyai-connectors: unknown option --foo (see --help)\n",
    ]);
  });

  it("a closed stdout or stderr ends output quietly: the apply is done and its exit code kept (#10)", async ({
    expect,
  }) => {
    await Promise.all(
      (["stdout", "stderr"] as const).map(async (close) => {
        await withSetup({}, async (t) => {
          const desired = await t.file("d.json", DESIRED);
          // --json: the plan goes to stderr and the result to stdout, so both are written.
          const r = await cli(["apply", desired, "--yes", "--json", "--base-url", t.mock.url], {
            close,
          });
          expect(r.code, `${close} closed: ${r.stderr}`).toBe(0);
          const other = close === "stdout" ? r.stderr : r.stdout;
          expect(other).not.toMatch(/EPIPE|Error|    at /);
          if (close === "stderr") expect((JSON.parse(r.stdout) as ApplyResult).ok).toBe(true);
          // Every write went out, and the read-back after them.
          expect(writes(t.mock.requests).length).toBe(4);
          expect(t.mock.requests.at(-1)?.path).toMatch(/\/batch$/);
        });
      }),
    );
  });

  it("under POLYAI_LOG=debug, every command's stdout is exactly what it is without; the log lines are on stderr (#1)", async ({
    expect,
  }) => {
    const commands: [string, (t: Awaited<ReturnType<typeof setup>>) => Promise<string[]>][] = [
      ["plan --json", async (t) => ["plan", await t.file("d.json", DESIRED), "--json"]],
      ["apply --json", async (t) => ["apply", await t.file("d.json", DESIRED), "--yes", "--json"]],
      ["export", async () => ["export", "--agent", AGENT]],
    ];
    await Promise.all(
      commands.map(async ([name, args]) => {
        const runs: Run[] = [];
        for (const log of [undefined, "debug"]) {
          const t = await setup(); // a fresh agent each time: apply changes it
          try {
            const env: Record<string, string> = { POLYAI_API_KEY: KEY };
            if (log) env["POLYAI_LOG"] = log;
            runs.push(await cli([...(await args(t)), "--base-url", t.mock.url], { env }));
          } finally {
            await t.close();
          }
        }
        const [quiet, logged] = runs as [Run, Run];
        expect(logged.code, name).toBe(quiet.code);
        expect(quiet.stdout.length, name).toBeGreaterThan(0);
        expect(logged.stdout, name).toBe(quiet.stdout);
        expect(logged.stderr, name).toMatch(/^polyai: 200 /m);
        expect(quiet.stderr, name).not.toMatch(/^polyai: /m);
        runsKeyless(expect, quiet, logged);
      }),
    );
  });

  it("a server that echoes the key in headers, bodies and error messages: no stream and no file written holds it, in any spelling the client redacts (#2)", async ({
    expect,
    onTestFinished,
  }) => {
    const spelled = [...KEY]
      .map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)
      .join("");
    const percent = [...KEY].map((c) => `%${c.charCodeAt(0).toString(16)}`).join("");
    const html = [...KEY].map((c) => `&#${c.charCodeAt(0)};`).join("");
    const t = await setup({
      // The key as a live variant: it is in every plan's `from` and in the export.
      connectors: [
        connector("CONN-main", { variantId: KEY, name: html, phoneNumbers: ["+442079460000"] }),
        connector("CONN-support", { variantId: KEY.toUpperCase() }),
      ],
      // A number of another project: its import is refused.
      phoneNumbers: [
        { number: "+442079460077", agentId: "PROJECT-OTHER01", projectId: "PROJECT-OTHER01" },
      ],
    });
    // A proxy in front of the mock that adds the key to every answer's headers.
    const proxy = await serve((req, res, body) => {
      void (async () => {
        const answer = await fetch(`${t.mock.url}${req.url ?? ""}`, {
          method: req.method ?? "GET",
          headers: Object.fromEntries(
            Object.entries(req.headers).filter(
              (e): e is [string, string] =>
                typeof e[1] === "string" && e[0] !== "host" && e[0] !== "content-length",
            ),
          ),
          ...(body === "" ? {} : { body }),
        });
        const headers: Record<string, string> = {
          "x-echo": KEY,
          "x-echo-json": spelled,
          "x-echo-url": percent,
        };
        answer.headers.forEach((value, name) => {
          if (
            !["content-length", "content-encoding", "transfer-encoding", "connection"].includes(
              name,
            )
          )
            headers[name] = value;
        });
        res.writeHead(answer.status, headers);
        res.end(Buffer.from(await answer.arrayBuffer()));
      })();
    }, onTestFinished); // this test's own: the suite is concurrent
    try {
      const url = ["--base-url", proxy.url];
      const env = { POLYAI_API_KEY: KEY, POLYAI_LOG: "debug" };
      const desired = await t.file("d.json", {
        agentId: AGENT,
        connectors: {
          "CONN-main": { variantId: null },
          "CONN-support": { voiceName: "en-GB-Neural2-A" },
        },
        phoneNumbers: { "+442079460000": "CONN-support", "+442079460077": "CONN-main" },
      });
      const planFile = await t.file("plan.json");
      const exportFile = await t.file("export.json");
      const runs: Run[] = await Promise.all([
        cli(["plan", desired, "--json", ...url], { env }),
        cli(["export", "--agent", AGENT, "--out", exportFile, ...url], { env }),
        // Saved with the key redacted, the plan could never be applied: not written (#19).
        cli(["plan", desired, "--out", planFile, ...url], { env }),
      ]);
      // The refused import's message holds the key in every spelling, raw included.
      t.mock.failNext({
        operation: "importPhoneNumbers",
        status: 403,
        message: `no access for ${KEY} (${spelled}, ${percent}, ${html}, ${KEY.toUpperCase()})`,
      });
      runs.push(await cli(["apply", desired, "--yes", ...url], { env }));
      const [planned, exported, saved, applied] = runs as Run[] & [Run, Run, Run, Run];
      expect(planned.code, planned.stderr).toBe(2);
      expect(planned.stdout).toContain('"from": {\n        "variantId": "[redacted]"');
      expect(exported.code, exported.stderr).toBe(0);
      expect(exported.stderr).toContain("warning: left out connectors.CONN-main.variantId");
      expect(saved.code).toBe(1);
      expect(saved.stderr).toContain("not written: the plan holds the API key");
      expect(applied.code).toBe(1);
      expect(applied.stdout, applied.stderr).toContain("✗ number +442079460077");
      expect(applied.stdout).toContain("[redacted]");
      expect(applied.stderr).toMatch(/^polyai: /m); // the log lines were there to check
      runsKeyless(expect, ...runs);
      const files = await t.files();
      expect(Object.keys(files).sort()).toEqual(["d.json", "export.json"]);
      keyless(expect, files["export.json"] ?? "");
      expect(files["export.json"]).not.toContain("[redacted]"); // left out, not redacted (#19)
    } finally {
      await t.close();
    }
  });

  it("read commands and export as the bin (#22): a closed pipe ends a list quietly; export's $schema resolves from the bundle's package; an existing --out is refused off a terminal", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      // `numbers list | head -0`: the reader is gone; exit 0 and no crash on stderr.
      const closed = await cli(["numbers", "list", "--agent", AGENT, ...url], { close: "stdout" });
      expect([closed.code, closed.stderr]).toEqual([0, ""]);
      const found = await cli(["lookup", "+442079460011", "--agent", AGENT, ...url]);
      expect([found.code, found.stdout.split("\t")[0]]).toEqual([0, "CONN-other"]);

      const out = await t.file("phone-lines.json");
      const first = await cli(["export", "--agent", AGENT, "--out", out, ...url]);
      expect(first.code, first.stderr).toBe(0);
      const written = await readFile(out, "utf8");
      const ref = (JSON.parse(written) as { $schema: string }).$schema;
      const schema = await readFile(resolve(t.dir, ref), "utf8");
      expect(JSON.parse(schema)).toHaveProperty("title", "PolyAI phone lines: desired state");
      // stdin is a pipe: no one to ask, so --force is needed; the file is left as it was.
      const again = await cli(["export", "--agent", AGENT, "--out", out, ...url]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain(`--out ${out}: the file exists; pass --force to replace it`);
      expect(await readFile(out, "utf8")).toBe(written);
      runsKeyless(expect, closed, found, first, again);
    });
  });

  it("a SIGTERM as a finished run's output arrives keeps its exit code: not killed with 143 (#22)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const inherited = { ...process.env };
      for (const name of ["POLYAI_API_KEY", "POLYAI_REGION", "POLYAI_LOG"]) delete inherited[name];
      for (let round = 0; round < 3; round++) {
        const child = spawn(
          process.execPath,
          [...BIN, "export", "--agent", AGENT, "--base-url", t.mock.url],
          {
            cwd: root,
            env: { ...inherited, POLYAI_API_KEY: KEY },
            stdio: ["ignore", "pipe", "pipe"],
          },
        );
        let stdout = "";
        // The export is written once the work is done: `docker stop` at that moment.
        child.stdout.setEncoding("utf8").once("data", () => child.kill("SIGTERM"));
        child.stdout.on("data", (d: string) => (stdout += d));
        const [code, signal] = await new Promise<[number | null, string | null]>((done) =>
          child.on("close", (c, s) => done([c, s])),
        );
        expect([code, signal], `round ${round}`).toEqual([0, null]);
        expect(JSON.parse(stdout)).toHaveProperty("agentId", AGENT);
      }
    });
  });

  it("`> /dev/full`: a write error on stdout is exit 1 and one line naming it, not a quiet 0 (#22)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const full = openSync("/dev/full", "w");
      try {
        const url = ["--base-url", t.mock.url];
        const runs = await Promise.all([
          cli(["export", "--agent", AGENT, ...url], { stdoutFd: full }),
          cli(["export", "--agent", AGENT, "--json", ...url], { stdoutFd: full }),
          cli(["--version"], { stdoutFd: full, env: {} }),
        ]);
        for (const r of runs)
          expect([r.code, r.stderr]).toEqual([
            1,
            "polyai-connectors: could not write the output: ENOSPC (no space left on device)\n",
          ]);
      } finally {
        closeSync(full);
      }
    });
  });

  // On a terminal: util-linux `script` gives the CLI a pseudo-terminal.
  const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
  it.skipIf(!hasScript)(
    "on a terminal: asks before applying (y applies, anything else writes nothing), and shows progress",
    async ({ expect }) => {
      /** Runs the CLI under a pty; answers `answer` once, at the prompt. */
      const onTty = (args: string[], answer?: string) =>
        new Promise<{ code: number | null; output: string }>((done, fail) => {
          const command = [process.execPath, ...BIN, ...args]
            .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
            .join(" ");
          const inherited = { ...process.env };
          delete inherited["POLYAI_REGION"];
          delete inherited["POLYAI_LOG"];
          const child = spawn("script", ["-qec", command, "/dev/null"], {
            cwd: root,
            env: { ...inherited, POLYAI_API_KEY: KEY },
            stdio: ["pipe", "pipe", "pipe"],
          });
          let output = "";
          let answered = false;
          const read = (d: Buffer) => {
            output += d.toString("utf8");
            if (!answered && answer !== undefined && output.includes("[y/N]")) {
              answered = true;
              child.stdin.write(`${answer}\n`);
            }
          };
          child.stdout.on("data", read);
          child.stderr.on("data", read);
          child.on("error", fail);
          child.on("close", (code) => done({ code, output }));
        });
      await withSetup({}, async (t) => {
        const desired = await t.file("d.json", DESIRED);
        const url = ["--base-url", t.mock.url];
        const no = await onTty(["apply", desired, ...url], "n");
        expect(no.output).toContain("Apply 4 changes to agent PROJECT-58RP822I? [y/N]");
        expect(no.output).toContain("polyai-connectors: cancelled. Nothing was written.");
        expect(no.code).toBe(1);
        expect(writes(t.mock.requests)).toEqual([]);
        const yes = await onTty(["apply", desired, ...url], "y");
        expect(yes.output).toContain("Every change is in effect.");
        expect(yes.code).toBe(0);

        // 30 changes: a progress line on the terminal.
        const many = {
          agentId: AGENT,
          phoneNumbers: Object.fromEntries(
            Array.from({ length: 30 }, (_, i) => [
              `+4420794601${String(i).padStart(2, "0")}`,
              "CONN-other",
            ]),
          ),
        };
        const big = await onTty(["apply", await t.file("many.json", many), "--yes", ...url]);
        expect(big.output).toContain("\rApplying: 30/30 (100%)");
        expect(big.code).toBe(0);

        // #22: the plan's markers in colour; export asks before replacing a file.
        const back = {
          agentId: AGENT,
          connectors: { "CONN-support": { asrLangCode: "fr-FR" } },
          phoneNumbers: { "+442079460000": "CONN-main" },
        };
        const coloured = await onTty(["plan", await t.file("c.json", back), ...url]);
        expect(coloured.output).toContain("\u001b[33m~ connector CONN-support\u001b[0m");
        expect(coloured.output).toContain(
          "\u001b[33m~ CONN-support → CONN-main: 1 number\u001b[0m\r\n    +442079460000",
        );
        const out = await t.file("phone-lines.json", "{}\n");
        const keep = await onTty(["export", "--agent", AGENT, "--out", out, ...url], "n");
        expect(keep.output).toContain(`${out} exists. Replace it? [y/N]`);
        expect(keep.code).toBe(1);
        expect(await readFile(out, "utf8")).toBe("{}\n");
        keyless(expect, no.output, yes.output, big.output, coloured.output, keep.output);
      });
    },
  );
});
