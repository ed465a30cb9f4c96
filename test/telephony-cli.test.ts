// The `polyai-connectors` CLI in process: runCli(argv, io), the function the bin
// wraps, with collected streams and the key in the given environment, against the
// local PolyAI (loopback, port 0). Exit codes, --json, --out, --yes, export round
// trip, malformed and hostile files, flags, and the key never printed. What needs a
// real process (pipes, --version, POLYAI_LOG, a terminal) is in
// telephony-cli-process.test.ts.
import { execFileSync } from "node:child_process";
import { constants } from "node:fs";
import {
  link,
  lstat,
  open,
  readdir,
  readFile,
  stat,
  symlink,
  truncate,
  writeFile,
  type FileHandle,
} from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it, type ExpectStatic } from "vitest";
import { keyRedactor } from "../src/internal/redact.js";
import { MAX_FILE_BYTES } from "../src/telephony/cli/files.js";
import { runCli } from "../src/telephony/cli/run.js";
import type { ApplyResult, DesiredState, Plan } from "../src/telephony/index.js";
import {
  AGENT,
  connector,
  DESIRED,
  KEY,
  runsKeyless,
  setup,
  withSetup,
  countingFetch,
  writes,
  type Run,
} from "./support/telephony-cli.js";
import { cli, cliWith } from "./support/cli-in-process.js";

/** #22: export's `$schema`, a relative path to the package's schema (its value is tested in telephony-cli-export). */
const SCHEMA_REF = expect.stringMatching(/^\.\.?\/.*desired-state\.schema\.json$/);

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe.concurrent("plan", () => {
  it("exit 2 with changes pending, text and --json and --out; nothing written", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("phone-lines.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const text = await cli(["plan", desired, ...url]);
      expect(text.code, text.stderr).toBe(2);
      expect(text.stdout).toContain("Agent PROJECT-58RP822I: 4 changes");
      expect(text.stdout).toContain(
        '  voiceName  "en-US-Neural2-C" → "en-GB-Neural2-A"  (ttsLangCode follows: en-GB)',
      );
      expect(text.stdout).toContain("~ CONN-main → CONN-support: 1 number\n    +442079460000\n");

      const saved = await t.file("plan.json");
      const json = await cli(["plan", desired, ...url, "--json", "--out", saved]);
      expect(json.code).toBe(2);
      const p = JSON.parse(json.stdout) as Plan;
      expect(p.kind).toBe("polyai-connectors/plan");
      expect(p.digest).toMatch(/^pd1:[0-9a-f]{16}$/);
      expect(p.connectors.map((c) => c.connectorId)).toEqual(["CONN-main", "CONN-support"]);
      expect(p.phoneNumbers.map((c) => [c.number, c.action])).toEqual([
        ["+442079460000", "reassign"],
        ["+442079460009", "import"],
      ]);
      expect(JSON.parse(await readFile(saved, "utf8"))).toEqual(p);
      expect(writes(t.mock.requests)).toEqual([]);
      runsKeyless(expect, text, json);
    });
  });

  it("--json: stdout is the plan alone, stderr its one-line summary (#12)", async ({ expect }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const r = await cli(["plan", desired, "--json", "--base-url", t.mock.url]);
      expect(r.code).toBe(2);
      expect((JSON.parse(r.stdout) as Plan).agentId).toBe(AGENT);
      expect(r.stderr).toBe(
        "Agent PROJECT-58RP822I: 4 changes (2 connectors to update, 1 number to import and route, 1 number to reassign).\n",
      );
    });
  });
  it('a desired state that names nothing still reads the agent once: a wrong agent fails, not "No changes" (#19)', async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const typo = await t.file("typo.json", { agentId: "PROJECT-NOPE" });
      for (const args of [
        ["plan", typo],
        ["apply", typo, "--yes"],
        ["plan", typo, "--json"],
      ]) {
        const r = await cli([...args, ...url]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr).toContain("PermissionDeniedError: 403");
      }
      const empty = await t.file("empty.json", { agentId: AGENT, connectors: {} });
      const seen = t.mock.requests.length;
      const r = await cli(["plan", empty, ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("No changes");
      expect(t.mock.requests.slice(seen).map((q) => [q.method, q.path])).toEqual([
        ["GET", `/v1/agents/${AGENT}/telephony/connectors`],
      ]);
    });
  });
});

describe.concurrent("apply", () => {
  it("refuses without --yes when stdin is not a terminal, writing nothing", async ({ expect }) => {
    await withSetup({}, async (t) => {
      const r = await cli(["apply", await t.file("d.json", DESIRED), "--base-url", t.mock.url]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Agent PROJECT-58RP822I: 4 changes");
      expect(r.stderr).toContain("refusing to apply without --yes");
      expect(r.stderr).toContain("Nothing was written");
      expect(writes(t.mock.requests)).toEqual([]);
    });
  });

  it("on a terminal, the end of input at the question (Ctrl-D) is a no: cancelled, nothing written, no hang (#22)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const r = await cli(["apply", desired, "--base-url", t.mock.url], undefined, "");
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Apply 4 changes to agent PROJECT-58RP822I? [y/N] ");
      expect(r.stderr).toContain("polyai-connectors: cancelled. Nothing was written.");
      expect(writes(t.mock.requests)).toEqual([]);
    });
  });

  it("--yes: exit 0, every change in effect; plan then exits 0", async ({ expect }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const r = await cli(["apply", desired, "--yes", ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Applied 4 of 4 changes to agent PROJECT-58RP822I.");
      expect(r.stdout).toContain("Every change is in effect.");
      const again = await cli(["plan", desired, ...url]);
      expect(again.code).toBe(0);
      expect(again.stdout).toContain("No changes");
      // And applying an up-to-date state writes nothing and needs no --yes.
      const before = t.mock.requests.length;
      const noop = await cli(["apply", desired, ...url]);
      expect(noop.code).toBe(0);
      expect(noop.stdout).toContain("Nothing to apply.");
      expect(writes(t.mock.requests.slice(before))).toEqual([]);
      runsKeyless(expect, r, again, noop);
    });
  });

  it("--client-env: imported numbers serve that environment; a bad one is refused", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const bad = await cli(["apply", desired, "--yes", "--client-env", "staging", ...url]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--client-env "staging" is not an environment');
      expect(t.mock.requests).toEqual([]);
      const r = await cli(["apply", desired, "--yes", "--client-env", "sandbox", ...url]);
      expect(r.code, r.stderr).toBe(0);
      const imports = writes(t.mock.requests).filter((q) => q.method === "POST");
      expect(imports.length).toBeGreaterThan(0);
      for (const q of imports) expect((q.body as { clientEnv?: string }).clientEnv).toBe("sandbox");
    });
  });

  it.for([1, 2])(
    "--concurrency %i bounds every request of a desired-state file's apply, its planning reads included (counted at fetch) (#19)",
    async (concurrency, { expect }) => {
      await withSetup({}, async (t) => {
        const count = countingFetch();
        t.mock.delay(2);
        const desired = await t.file("d.json", DESIRED);
        const args = ["apply", desired, "--yes", "--concurrency", String(concurrency)];
        const r = await cli([...args, "--base-url", t.mock.url], undefined, undefined, count.fetch);
        expect(r.code, r.stderr).toBe(0);
        expect(count.sent).toBe(t.mock.requests.length);
        expect(count.sent).toBeGreaterThan(4); // the plan's reads, apply's re-read, the writes, the read-back
        expect(count.most).toBeGreaterThanOrEqual(1);
        expect(count.most).toBeLessThanOrEqual(concurrency);
      });
    },
  );

  it("plan.json: applies a saved plan, and refuses it with PLAN_STALE once the state moved", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const saved = await t.file("plan.json");
      expect((await cli(["plan", desired, ...url, "--out", saved])).code).toBe(2);
      // Someone else changes a value the plan depends on.
      const changed = await fetch(
        `${t.mock.url}/v1/agents/${AGENT}/telephony/connectors/CONN-support`,
        {
          method: "PATCH",
          headers: { "x-api-key": KEY, "content-type": "application/json" },
          body: JSON.stringify({ asrLangCode: "fr-FR" }),
        },
      );
      expect(changed.status).toBe(200);
      const seen = t.mock.requests.length;
      const stale = await cli(["apply", saved, "--yes", ...url]);
      expect(stale.code).toBe(1);
      expect(stale.stderr).toContain(`${saved}: the plan is stale`);
      expect(stale.stderr).toContain('connectors.CONN-support.asrLangCode: "en-US" → "fr-FR"');
      expect(stale.stderr).toContain("(PLAN_STALE)");
      expect(writes(t.mock.requests.slice(seen))).toEqual([]);
      // A fresh plan applies.
      expect((await cli(["plan", desired, ...url, "--out", saved])).code).toBe(2);
      const r = await cli(["apply", saved, "-y", ...url, "--json"]);
      expect(r.code, r.stderr).toBe(0);
      expect((JSON.parse(r.stdout) as ApplyResult).ok).toBe(true);
      expect(r.stderr).toContain("Agent PROJECT-58RP822I: 4 changes"); // the plan, on stderr with --json
    });
  });

  it("a saved plan edited anywhere is refused with PLAN_INVALID before any request; re-saved in another key order and spacing it applies (#4)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const saved = await t.file("plan.json");
      expect((await cli(["plan", desired, ...url, "--out", saved])).code).toBe(2);
      const p = JSON.parse(await readFile(saved, "utf8")) as Plan;
      // A number's route and its desired route both sent to another connector the
      // plan already names: the changes follow from the desired state, and the
      // fingerprint (of the same connectors and numbers) is the same.
      const other = structuredClone(p);
      const imported = other.phoneNumbers.find((c) => c.number === "+442079460009");
      if (!imported) throw new Error("the plan lacks +442079460009");
      imported.to = "CONN-support";
      other.desired.phoneNumbers["+442079460009"] = "CONN-support";
      // The same for the number that moves, sent back where it routes now: no change for it.
      const stay = structuredClone(p);
      stay.desired.phoneNumbers["+442079460000"] = "CONN-main";
      stay.phoneNumbers = stay.phoneNumbers.filter((c) => c.number !== "+442079460000");
      const agent = structuredClone(p);
      agent.agentId = agent.desired.agentId = "PROJECT-OTHER01";
      const seen = t.mock.requests.length;
      for (const [name, edited, field] of [
        ["other-route.json", other, "digest"],
        ["stay.json", stay, "digest"],
        ["agent.json", agent, "fingerprint"],
      ] as const) {
        const r = await cli(["apply", await t.file(name, edited), "--yes", ...url]);
        expect(r.code, name).toBe(1);
        expect(r.stderr, name).toContain(`${name}: ${field}: `);
        expect(r.stderr, name).toContain("make a new one");
      }
      expect(t.mock.requests.slice(seen)).toEqual([]);

      // The same plan, keys in reverse order at every level, tabs and CRLF: applies.
      const reversed = (v: unknown): unknown =>
        Array.isArray(v)
          ? v.map(reversed)
          : v !== null && typeof v === "object"
            ? Object.fromEntries(
                Object.entries(v)
                  .reverse()
                  .map(([k, x]) => [k, reversed(x)]),
              )
            : v;
      const resaved = JSON.stringify(reversed(p), null, "\t").replace(/\n/g, "\r\n");
      const r = await cli(["apply", await t.file("resaved.json", resaved), "--yes", ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain("Every change is in effect.");
    });
  });

  it("--json: a refused change is listed, the rest applied, exit 1", async ({ expect }) => {
    await withSetup({ unavailableVoices: ["en-GB-Neural2-A"] }, async (t) => {
      const r = await cli([
        "apply",
        await t.file("d.json", DESIRED),
        "--yes",
        "--json",
        "--base-url",
        t.mock.url,
      ]);
      expect(r.code).toBe(1);
      const result = JSON.parse(r.stdout) as {
        ok: boolean;
        applied: number;
        results: {
          kind: string;
          connectorId?: string;
          status: string;
          error?: { name: string; code?: string; message: string };
        }[];
      };
      expect([result.ok, result.applied]).toEqual([false, 3]);
      const failed = result.results.filter((x) => x.status === "failed");
      expect(failed).toEqual([
        expect.objectContaining({
          kind: "connector",
          connectorId: "CONN-main",
          error: expect.objectContaining({ name: "ChangeRejectedError", code: "CHANGE_REJECTED" }),
        }),
      ]);
      expect(r.stderr).toMatch(
        /Failed \(1\):\n {2}✗ connector CONN-main \(voiceName, variantId\): ChangeRejectedError: .*is not an available voice/,
      );
    });
  });
});

describe.concurrent("--json failures", () => {
  type Failure = {
    ok: boolean;
    error: { name: string; message: string; code?: string; status?: number; field?: string };
  };
  const failure = (expect: ExpectStatic, r: Run): Failure["error"] => {
    expect(r.code).toBe(1);
    const printed = JSON.parse(r.stdout) as Failure;
    expect(printed.ok).toBe(false);
    return printed.error;
  };

  it("every failure prints { ok: false, error } with the error's own name and code: not confirmed, cancelled, usage, PLAN_STALE, PLAN_INVALID, UNKNOWN_CONNECTOR, an API error (#19)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const desired = await t.file("d.json", DESIRED);
      const unconfirmed = await cli(["apply", desired, "--json", ...url]);
      expect(failure(expect, unconfirmed)).toMatchObject({
        name: "CliError",
        code: "CONFIRMATION_REQUIRED",
        message: expect.stringContaining("refusing to apply without --yes") as string,
      });
      expect(unconfirmed.stderr).toContain("Agent PROJECT-58RP822I: 4 changes"); // the plan
      const cancelled = await cli(["apply", desired, "--json", ...url], undefined, "n\n");
      expect(cancelled.stderr).toContain("Apply 4 changes to agent PROJECT-58RP822I? [y/N]");
      expect(failure(expect, cancelled)).toMatchObject({ name: "CliError", code: "CANCELLED" });
      expect(writes(t.mock.requests)).toEqual([]);

      expect(failure(expect, await cli(["plan", desired, "--json", "--colour", ...url]))).toEqual({
        name: "UsageError",
        code: "USAGE",
        message: "unknown option --colour",
      });
      const missing = await t.file("missing.json", {
        agentId: AGENT,
        connectors: { "CONN-x": {} },
      });
      expect(failure(expect, await cli(["plan", missing, "--json", ...url]))).toMatchObject({
        name: "UnknownConnectorError",
        code: "UNKNOWN_CONNECTOR",
        field: "connectors.CONN-x",
        message: expect.stringContaining(`${missing}: connectors.CONN-x: `) as string,
      });
      const other = await t.file("other.json", {
        agentId: "PROJECT-NOPE",
        connectors: { "CONN-main": {} },
      });
      expect(failure(expect, await cli(["plan", other, "--json", ...url]))).toMatchObject({
        name: "PermissionDeniedError",
        code: "USER_ACCESS_FORBIDDEN",
        status: 403,
      });

      const saved = await t.file("plan.json");
      expect((await cli(["plan", desired, "--out", saved, ...url])).code).toBe(2);
      const edited = JSON.parse(await readFile(saved, "utf8")) as Plan;
      edited.fingerprint = "fp1:0000000000000000";
      const invalid = await cli([
        "apply",
        await t.file("edited.json", edited),
        "-y",
        "--json",
        ...url,
      ]);
      expect(failure(expect, invalid)).toMatchObject({
        name: "InvalidPlanError",
        code: "PLAN_INVALID",
        field: "fingerprint",
      });
      await fetch(`${t.mock.url}/v1/agents/${AGENT}/telephony/connectors/CONN-support`, {
        method: "PATCH",
        headers: { "x-api-key": KEY, "content-type": "application/json" },
        body: JSON.stringify({ asrLangCode: "fr-FR" }),
      });
      expect(failure(expect, await cli(["apply", saved, "--yes", "--json", ...url]))).toMatchObject(
        {
          name: "PlanStaleError",
          code: "PLAN_STALE",
        },
      );
    });
  });

  it("`--` ends the options: a file named --json is a file, and no JSON is printed (#19)", async ({
    expect,
  }) => {
    const named = await cli(["plan", "--", "--json"]);
    expect(named.code).toBe(1);
    expect(named.stdout).toBe("");
    expect(named.stderr).toBe("polyai-connectors: --json: cannot read it: no such file\n");
    const asked = await cli(["plan", "--json", "--", "--nope.json"]);
    expect(failure(expect, asked)).toMatchObject({ name: "CliError", code: "FILE_UNREADABLE" });
  });
});

describe.concurrent("export", () => {
  it("prints the agent's desired state; --out writes it; planning it exits 0", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const r = await cli(["export", "--agent", AGENT, ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe("");
      const state = JSON.parse(r.stdout) as DesiredState;
      expect(state.agentId).toBe(AGENT);
      expect(Object.keys(state.connectors ?? {})).toEqual([
        "CONN-main",
        "CONN-other",
        "CONN-support",
      ]);
      expect(state.connectors?.["CONN-main"]).toEqual({
        voiceName: "en-US-Neural2-C",
        asrLangCode: "en-US",
        variantId: "VARIANT-spring",
      });
      expect(state.phoneNumbers).toEqual({
        "+442079460000": "CONN-main",
        "+442079460011": "CONN-other",
      });
      const file = await t.file("exported.json");
      const written = await cli(["export", "--agent", AGENT, "--out", file, ...url]);
      expect(written.code).toBe(0);
      expect(written.stderr).toContain(
        `Wrote 3 connectors and 2 numbers of agent ${AGENT} to ${file}`,
      );
      // The same state; `$schema` is relative to the file's folder there, to the cwd on stdout (#22).
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual({ ...state, $schema: SCHEMA_REF });
      const p = await cli(["plan", file, ...url]);
      expect(p.code, p.stdout + p.stderr).toBe(0);
      expect(writes(t.mock.requests)).toEqual([]);
    });
  });

  it("leaves out what a desired state cannot hold, warning with each path and value; the export always plans (#5)", async ({
    expect,
  }) => {
    await withSetup(
      {
        connectors: [
          connector("CONN-main", { asrLangCode: "en_GB", phoneNumbers: ["+442079460000"] }),
          connector("CONN-voice", { voiceName: "en-GB-Nueral2-A", ttsLangCode: "en-GB" }),
          connector("CONN-variant", {
            variantId: "VARIANT spring",
            phoneNumbers: ["+442079460011"],
          }),
        ],
      },
      async (t) => {
        const url = ["--base-url", t.mock.url];
        const file = await t.file("exported.json");
        const r = await cli(["export", "--agent", AGENT, "--out", file, ...url]);
        expect(r.code, r.stderr).toBe(0);
        const warnings = r.stderr.split("\n").filter((l) => l.includes("warning"));
        expect(warnings).toEqual([
          expect.stringMatching(
            /^polyai-connectors: warning: left out connectors\.CONN-main\.asrLangCode = "en_GB": .+ \(a desired state cannot hold it, so it is not managed\)$/,
          ),
          expect.stringMatching(
            /^polyai-connectors: warning: left out connectors\.CONN-variant\.variantId = "VARIANT spring": /,
          ),
          expect.stringMatching(
            /^polyai-connectors: warning: left out connectors\.CONN-voice\.voiceName = "en-GB-Nueral2-A": /,
          ),
        ]);
        const state = JSON.parse(await readFile(file, "utf8")) as DesiredState;
        expect(state.connectors?.["CONN-main"]).toEqual({
          voiceName: "en-US-Neural2-C",
          variantId: null,
        });
        expect(state.connectors?.["CONN-variant"]).not.toHaveProperty("variantId");
        expect(state.connectors?.["CONN-voice"]).not.toHaveProperty("voiceName");
        const p = await cli(["plan", file, ...url]);
        expect(p.code, p.stdout + p.stderr).toBe(0);

        const json = await cli(["export", "--agent", AGENT, "--json", ...url]);
        expect(json.code).toBe(0);
        const printed = JSON.parse(json.stdout) as {
          ok: boolean;
          desired: DesiredState;
          warnings: { path: string; value: unknown; reason: string }[];
        };
        expect(printed.ok).toBe(true);
        expect(printed.desired).toEqual({ ...state, $schema: SCHEMA_REF });
        expect(printed.warnings.map((w) => [w.path, w.value])).toEqual([
          ["connectors.CONN-main.asrLangCode", "en_GB"],
          ["connectors.CONN-variant.variantId", "VARIANT spring"],
          ["connectors.CONN-voice.voiceName", "en-GB-Nueral2-A"],
        ]);
        // The shape of a plan's warnings (path, code, message), so a script reads both alike.
        expect(printed.warnings[0]).toEqual({
          path: "connectors.CONN-main.asrLangCode",
          code: "VALUE_OMITTED",
          message: expect.stringMatching(/^left out: .+ \(a desired state cannot hold it/),
          value: "en_GB",
          reason: expect.any(String),
        });
        expect(writes(t.mock.requests)).toEqual([]);
      },
    );
  });
});

describe.concurrent("files", () => {
  it("a malformed file: exit 1, naming the file, the place in it and what is wrong; nothing sent", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const broken = await t.file(
        "broken.json",
        '{\n  "agentId": "PROJECT-58RP822I",\n  "connectors": {,}\n}\n',
      );
      const a = await cli(["plan", broken, ...url]);
      expect(a.code).toBe(1);
      expect(a.stderr).toMatch(
        new RegExp(
          `^polyai-connectors: ${escapeRe(broken)}: not valid JSON: expected a key .*\\(line 3, column 18\\)\\n$`,
        ),
      );

      const badVoice = await t.file("voice.json", {
        agentId: AGENT,
        connectors: { "CONN-main": { voiceName: "en-GB-Nueral2" } },
      });
      const b = await cli(["plan", badVoice, ...url]);
      expect(b.code).toBe(1);
      expect(b.stderr).toContain(
        `${badVoice}: connectors.CONN-main.voiceName: "en-GB-Nueral2" is not a Google TTS voice name`,
      );

      const badNumber = await t.file("number.json", {
        agentId: AGENT,
        phoneNumbers: { "+44 20 7946 0000": "CONN-main" },
      });
      const c = await cli(["apply", badNumber, "--yes", ...url]);
      expect(c.code).toBe(1);
      expect(c.stderr).toContain(
        `${badNumber}: phoneNumbers.+44 20 7946 0000: contains whitespace at index 3`,
      );

      const missing = await t.file("missing.json", {
        agentId: AGENT,
        connectors: { "CONN-gone": {} },
      });
      const d = await cli(["plan", missing, ...url]);
      expect(d.code).toBe(1);
      expect(d.stderr).toContain(
        `${missing}: connectors.CONN-gone: agent ${AGENT} has no connector "CONN-gone"`,
      );

      const e = await cli(["plan", join(t.dir, "nope.json"), ...url]);
      expect(e.code).toBe(1);
      expect(e.stderr).toContain("nope.json: cannot read it: no such file");

      const f = await cli(["plan", await t.file("list.json", []), ...url]);
      expect(f.code).toBe(1);
      expect(f.stderr).toContain("list.json: desired state: expected an object");

      const edited = await t.file("edited.json", { kind: "polyai-connectors/plan", version: 1 });
      const g = await cli(["apply", edited, "--yes", ...url]);
      expect(g.code).toBe(1);
      expect(g.stderr).toContain(`${edited}: plan.agentId: is missing`);

      expect(writes(t.mock.requests)).toEqual([]);
      expect(t.mock.requests.length).toBe(1); // only the plan of missing.json read anything
    });
  });

  it("a key written twice is refused, naming the path and line, however much whitespace is before the colon; --json failures print a JSON error (#6)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const twice = await t.file(
        "twice.json",
        `{\n  "agentId": "${AGENT}",\n  "phoneNumbers": {\n    "+442079460000": "CONN-main",\n    "+442079460000": "CONN-support"\n  }\n}\n`,
      );
      const text = await cli(["plan", twice, ...url]);
      expect(text.code).toBe(1);
      expect(text.stderr).toContain(
        "twice.json: phoneNumbers.+442079460000: is written twice (again on line 5)",
      );
      const json = await cli(["plan", twice, ...url, "--json"]);
      expect(json.code).toBe(1);
      const printed = JSON.parse(json.stdout) as { ok: boolean; error: { message: string } };
      expect(printed.ok).toBe(false);
      expect(printed.error.message).toContain("is written twice");
      // The old check looked 39 characters ahead for the colon.
      const spaced = await t.file(
        "spaced.json",
        `{"agentId": "${AGENT}", "phoneNumbers": {"+442079460000": "CONN-main",\r\n\t"\\u002B442079460000"${" ".repeat(200)}\r\n\t:\t"CONN-support"}}`,
      );
      const far = await cli(["plan", spaced, ...url]);
      expect(far.code).toBe(1);
      expect(far.stderr).toContain(
        "phoneNumbers.+442079460000: is written twice (again on line 2)",
      );
      expect(t.mock.requests).toHaveLength(0);
      runsKeyless(expect, text, json, far);
    });
  });

  it("a file that is not JSON is not quoted: a key file passed by mistake stays unprinted (#2)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      for (const content of [KEY, `${KEY}\n`, `{"agentId": ${KEY}}`, `["${KEY}`]) {
        const keyFile = await t.file("key.txt", content);
        const r = await cli(["plan", keyFile, "--json", "--base-url", t.mock.url]);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/key\.txt: not valid JSON: .*\(line 1, column \d+\)/);
        for (const out of [r.stdout, r.stderr]) expect(out).not.toContain(KEY.slice(0, 4));
      }
      expect(t.mock.requests).toHaveLength(0);
    });
  });

  it("control characters in a file's values are printed escaped, never raw (#7)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const hostile = "CONN-\u001b]0;owned\u0007\u001b[2J\u009b31m\u007f\u202e\r\nX";
      const file = await t.file("hostile.json", {
        agentId: AGENT,
        connectors: { [hostile]: { voiceName: "en-GB-Neural2-A" } },
        phoneNumbers: { "+442079460000": "CONN-support" },
      });
      for (const extra of [[], ["--json"]]) {
        const r = await cli(["plan", file, ...extra, "--base-url", t.mock.url]);
        expect(r.code).toBe(1);
        for (const out of [r.stdout, r.stderr])
          expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
        expect(r.stderr).toContain(
          "CONN-\\u001b]0;owned\\u0007\\u001b[2J\\u009b31m\\u007f\\u202e\\u000d\\u000aX",
        );
        expect(r.stderr.split("\n")).toHaveLength(2); // one line, and the final newline
      }
      expect(t.mock.requests).toHaveLength(0);
    });
  });

  it("a server's values with control characters are escaped in files too, and still parse to the same values (#7)", async ({
    expect,
  }) => {
    await withSetup(
      {
        connectors: [connector("CONN-main", { asrLangCode: "en\u009bGB\u2028" })],
      },
      async (t) => {
        const out = await t.file("plan.json");
        const desired = await t.file("d.json", {
          agentId: AGENT,
          connectors: { "CONN-main": { asrLangCode: "en-GB" } },
        });
        const r = await cli(["plan", desired, "--out", out, "--base-url", t.mock.url]);
        expect(r.code, r.stderr).toBe(2);
        const saved = await readFile(out, "utf8");
        expect(saved).not.toMatch(/[\u007f-\u009f\u2028]/);
        expect(saved).toContain("en\\u009bGB\\u2028");
        expect((JSON.parse(saved) as Plan).connectors[0]?.from.asrLangCode).toBe(
          "en\u009bGB\u2028",
        );
        expect(r.stdout).toContain('asrLangCode  "en\\u009bGB\\u2028" → "en-GB"');
        const applied = await cli(["apply", out, "--yes", "--base-url", t.mock.url]);
        expect(applied.code, applied.stderr).toBe(0);

        // A server's error message: one line, escaped, in the report and the JSON alike.
        const refused = await t.file("refused.json", {
          agentId: AGENT,
          connectors: { "CONN-main": { asrLangCode: "fr-FR" } },
          phoneNumbers: { "+442079460009": "CONN-main" },
        });
        const message = "no\u001b]0;owned\u0007\r\nFAKE: all good\u009b2J";
        for (const json of [false, true]) {
          t.mock.failNext({
            operation: "importPhoneNumbers",
            status: 400,
            message,
          });
          const r = await cli([
            "apply",
            refused,
            "--yes",
            ...(json ? ["--json"] : []),
            "--base-url",
            t.mock.url,
          ]);
          expect(r.code).toBe(1);
          for (const text of [r.stdout, r.stderr])
            expect(text).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/);
          const report = json ? r.stderr : r.stdout;
          expect(report).toMatch(
            /^ {2}✗ number \+442079460009 \(import, route to CONN-main\): .*no\\u001b\]0;owned\\u0007\\u000d\\u000aFAKE: all good\\u009b2J /m,
          );
          expect(report).not.toMatch(/^FAKE/m);
        }
      },
    );
  });

  it("--out is never the input file, by any name; files are replaced whole, through a rename (#9)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const desired = await t.file("d.json", DESIRED);
      const original = await readFile(desired, "utf8");
      const viaLink = join(t.dir, "link.json");
      await symlink(desired, viaLink);
      const hard = join(t.dir, "hard.json");
      await link(desired, hard);
      for (const out of [desired, viaLink, hard, join(t.dir, ".", "d.json")]) {
        const r = await cli(["plan", desired, "--out", out, ...url]);
        expect(r.code, out).toBe(1);
        expect(r.stderr).toContain(`--out ${out}: is the input file`);
      }
      const noDir = await cli(["plan", desired, "--out", join(t.dir, "no", "p.json"), ...url]);
      expect(noDir.code).toBe(1);
      expect(noDir.stderr).toContain("its folder does not exist");
      expect(await readFile(desired, "utf8")).toBe(original);
      expect(t.mock.requests).toEqual([]); // refused before any request

      // An existing --out is replaced by a new file (a rename), not rewritten in place.
      const saved = await t.file("plan.json", "old");
      const before = await stat(saved);
      expect((await cli(["plan", desired, "--out", saved, ...url])).code).toBe(2);
      const after = await stat(saved);
      expect(after.ino).not.toBe(before.ino);
      expect((JSON.parse(await readFile(saved, "utf8")) as Plan).kind).toBe(
        "polyai-connectors/plan",
      );
      expect(Object.keys(await t.files()).sort()).toEqual([
        "d.json",
        "hard.json",
        "link.json",
        "plan.json",
      ]);
    });
  });
});

describe.concurrent("the key inside a server's values (#19)", () => {
  // Punctuation with a backslash, numeric and named spelling each: every spelling
  // redact.ts claims differs from the key as is.
  const ODD = "pk_Test/Key+42=abc.xyz";
  const hex = (c: string) => c.charCodeAt(0).toString(16).padStart(2, "0");
  const each = (spell: (c: string) => string) => [...ODD].map(spell).join("");
  const punct = (spell: (c: string) => string) =>
    each((c) => (/[A-Za-z0-9]/.test(c) ? c : spell(c)));
  const NAMED: Record<string, string> = {
    _: "lowbar",
    "/": "sol",
    "+": "plus",
    "=": "equals",
    ".": "period",
  };
  const SPELLINGS = [
    ODD,
    ODD.toUpperCase(),
    punct((c) => `\\${c}`), // PHP's \/
    each((c) => `\\u00${hex(c)}`),
    each((c) => `\\u00${hex(c).toUpperCase()}`),
    each((c) => `%${hex(c).toUpperCase()}`),
    each((c) => `&#${c.charCodeAt(0)};`),
    each((c) => `&#x${hex(c)};`),
    punct((c) => `&${NAMED[c]};`),
  ];
  const spellsOdd = keyRedactor(ODD);
  const keyless = (expect: ExpectStatic, ...texts: string[]) => {
    for (const text of texts) expect(spellsOdd(text)).toBe(text);
  };

  it('in every spelling the client redacts: no stream or file of plan or export holds it; export leaves each such value out, so nothing it writes applies "[redacted]"', async ({
    expect,
  }) => {
    await withSetup(
      {
        apiKey: ODD,
        connectors: [
          ...SPELLINGS.map((spelled, i) => connector(`CONN-k${i}`, { variantId: `V-${spelled}` })),
          connector(`CONN-${SPELLINGS[5]}`, { phoneNumbers: ["+442079460000"] }), // in an ID
          connector("CONN-plain", { phoneNumbers: ["+442079460011"] }),
        ],
      },
      async (t) => {
        const env = { POLYAI_API_KEY: ODD };
        const url = ["--base-url", t.mock.url];
        const desired = await t.file("d.json", {
          agentId: AGENT,
          connectors: Object.fromEntries(
            SPELLINGS.map((_, i) => [`CONN-k${i}`, { variantId: null }]),
          ),
        });
        const planned = await cli(["plan", desired, ...url], env);
        expect(planned.code, planned.stderr).toBe(2);
        expect(planned.stdout.match(/"V-\[redacted\]" → null/g)).toHaveLength(SPELLINGS.length);
        const json = await cli(["plan", desired, "--json", ...url], env);
        expect(json.code).toBe(2);
        // Saved redacted, the plan could never be applied: not written.
        const planFile = join(t.dir, "plan.json");
        const saved = await cli(["plan", desired, "--out", planFile, ...url], env);
        expect(saved.code).toBe(1);
        expect(saved.stderr).toContain(
          `--out ${planFile}: not written: the plan holds the API key`,
        );
        const savedJson = await cli(["plan", desired, "--json", "--out", planFile, ...url], env);
        expect(JSON.parse(savedJson.stdout)).toMatchObject({
          ok: false,
          error: { code: "KEY_IN_PLAN" },
        });

        const exported = await cli(["export", "--agent", AGENT, ...url], env);
        expect(exported.code, exported.stderr).toBe(0);
        const exportJson = await cli(["export", "--agent", AGENT, "--json", ...url], env);
        const exportFile = await t.file("export.json");
        const written = await cli(["export", "--agent", AGENT, "--out", exportFile, ...url], env);
        expect(written.code, written.stderr).toBe(0);
        const file = await readFile(exportFile, "utf8");
        const state = JSON.parse(file) as Required<DesiredState>;
        expect(JSON.parse(exported.stdout)).toEqual({ ...state, $schema: SCHEMA_REF });
        expect(file).not.toContain("[redacted]");
        expect(Object.keys(state.connectors)).toEqual([
          ...SPELLINGS.map((_, i) => `CONN-k${i}`),
          "CONN-plain",
        ]);
        SPELLINGS.forEach((_, i) =>
          expect(state.connectors[`CONN-k${i}`]).not.toHaveProperty("variantId"),
        );
        expect(state.phoneNumbers).toEqual({ "+442079460011": "CONN-plain" });
        const printed = JSON.parse(exportJson.stdout) as {
          desired: DesiredState;
          warnings: { path: string; value: string }[];
        };
        expect(printed.desired).toEqual({ ...state, $schema: SCHEMA_REF });
        expect(printed.warnings.map((w) => [w.path, w.value])).toEqual([
          ["connectors.CONN-[redacted]", "CONN-[redacted]"], // "CONN-%…" sorts first
          ...SPELLINGS.map((_, i) => [`connectors.CONN-k${i}.variantId`, "V-[redacted]"]),
          ["phoneNumbers.+442079460000", "CONN-[redacted]"],
        ]);
        const warned = written.stderr.split("\n").filter((l) => l.includes("warning: left out"));
        expect(warned).toHaveLength(SPELLINGS.length + 2);
        for (const line of warned) expect(line).toContain("holds the API key");

        // The export plans with no change, and applying it writes nothing.
        const again = await cli(["plan", exportFile, ...url], env);
        expect(again.code, again.stderr).toBe(0);
        const applied = await cli(["apply", exportFile, "--yes", ...url], env);
        expect(applied.code, applied.stderr).toBe(0);
        expect(applied.stdout).toContain("Nothing to apply.");
        expect(writes(t.mock.requests)).toEqual([]);

        const runs = [
          planned,
          json,
          saved,
          savedJson,
          exported,
          exportJson,
          written,
          again,
          applied,
        ];
        keyless(expect, ...runs.flatMap((r) => [r.stdout, r.stderr]), file);
        expect((await readdir(t.dir)).sort()).toEqual(["d.json", "export.json"]);
      },
    );
  });

  it('a desired-state or plan file holding "[redacted]" is refused, naming the path; nothing is sent', async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const marked = await t.file("marked.json", {
        agentId: AGENT,
        connectors: { "CONN-main": { variantId: "V-[redacted]" } },
      });
      const inKey = await t.file("in-key.json", {
        agentId: AGENT,
        phoneNumbers: { "+442079460000": "CONN-[redacted]" },
      });
      for (const [file, path] of [
        [marked, "connectors.CONN-main.variantId"],
        [inKey, "phoneNumbers.+442079460000"],
      ] as const)
        for (const args of [
          ["plan", file],
          ["apply", file, "--yes"],
        ]) {
          const r = await cli([...args, ...url]);
          expect(r.code).toBe(1);
          expect(r.stderr).toContain(
            `${file}: ${path}: holds "[redacted]", which the CLI writes where the API key was`,
          );
        }
      expect(t.mock.requests).toEqual([]);
    });
  });
});

describe.concurrent("--out and big files", () => {
  it("a FIFO, or a link to the file behind a stream (/proc/self/fd/N, as /dev/stdout is), is written in place, never replaced (#19)", async ({
    expect,
  }) => {
    const t = await setup();
    const reader = {
      fifo: undefined as FileHandle | undefined,
      behind: undefined as FileHandle | undefined,
    };
    try {
      const url = ["--base-url", t.mock.url];
      const desired = await t.file("d.json", DESIRED);
      const fifo = join(t.dir, "plan.fifo");
      execFileSync("mkfifo", [fifo]);
      // Read-write and non-blocking: the CLI's open finds a reader, and a read never waits.
      reader.fifo = await open(fifo, constants.O_RDWR | constants.O_NONBLOCK);
      const viaLink = join(t.dir, "fifo-link.json");
      await symlink(fifo, viaLink);
      for (const out of [fifo, viaLink]) {
        const r = await cli(["plan", desired, "--out", out, ...url]);
        expect(r.code, r.stderr).toBe(2);
        expect((await lstat(fifo)).isFIFO()).toBe(true);
        const { bytesRead, buffer } = await reader.fifo.read(Buffer.alloc(1 << 16), 0, 1 << 16);
        expect((JSON.parse(buffer.subarray(0, bytesRead).toString("utf8")) as Plan).kind).toBe(
          "polyai-connectors/plan",
        );
      }
      // `--out /dev/stdout` with stdout redirected to a file: the path's real path is
      // that file, but a rename would replace it behind the stream. Appended instead.
      const behindPath = await t.file("behind.txt", "before\n");
      reader.behind = await open(behindPath, "r+");
      const before = await stat(behindPath);
      const streamLink = join(t.dir, "stdout-link.json");
      await symlink(`/proc/self/fd/${reader.behind.fd}`, streamLink);
      const r = await cli(["export", "--agent", AGENT, "--out", streamLink, ...url]);
      expect(r.code, r.stderr).toBe(0);
      expect((await lstat(streamLink)).isSymbolicLink()).toBe(true);
      expect((await stat(behindPath)).ino).toBe(before.ino);
      const text = await readFile(behindPath, "utf8");
      expect(text.startsWith("before\n")).toBe(true);
      expect((JSON.parse(text.slice("before\n".length)) as DesiredState).agentId).toBe(AGENT);
      expect((await readdir(t.dir)).sort()).toEqual(
        ["behind.txt", "d.json", "fifo-link.json", "plan.fifo", "stdout-link.json"].sort(),
      );
    } finally {
      await reader.fifo?.close();
      await reader.behind?.close();
      await t.close();
    }
  });

  it("an --out that is a directory, or in a folder that takes no new file, is a usage error before any request (#19)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const desired = await t.file("d.json", DESIRED);
      const notAFolder = await t.file("file.txt", "x");
      const cases: [string, string][] = [
        [t.dir, `--out ${t.dir}: is a directory; give a file name`],
        [
          join(notAFolder, "p.json"),
          `--out ${join(notAFolder, "p.json")}: cannot create a file in its folder: ENOTDIR`,
        ],
        // Not even root creates a file in /sys.
        [
          "/sys/polyai-connectors-plan.json",
          "--out /sys/polyai-connectors-plan.json: cannot create a file in its folder: ",
        ],
      ];
      for (const [out, says] of cases)
        for (const args of [
          ["plan", desired, "--out", out],
          ["export", "--agent", AGENT, "--out", out],
        ]) {
          const r = await cli([...args, ...url]);
          expect(r.code, out).toBe(1);
          expect(r.stderr, out).toContain(`polyai-connectors: ${says}`);
          expect(r.stderr, out).toMatch(/ \(see --help\)\n$/);
        }
      expect(t.mock.requests).toEqual([]);
      expect(Object.keys(await t.files()).sort()).toEqual(["d.json", "file.txt"]);
    });
  });

  it(`a desired-state or plan file over ${MAX_FILE_BYTES / 1024 / 1024} MiB is refused, measured before it is read; a device is read up to the cap (#19)`, async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const big = await t.file("big.json", "");
      await truncate(big, MAX_FILE_BYTES + 1); // sparse: nothing is written
      for (const file of [big, "/dev/zero"])
        for (const command of ["plan", "apply"]) {
          const r = await cli([command, file, ...url]);
          expect(r.code).toBe(1);
          expect(r.stderr).toBe(
            `polyai-connectors: ${file}: larger than 64 MiB, the most a desired-state or plan file may be; not read\n`,
          );
        }
      const atCap = await t.file("at-cap.json", "");
      await truncate(atCap, MAX_FILE_BYTES); // at the cap it is read: NUL bytes are not JSON
      expect((await cli(["plan", atCap, ...url])).stderr).toContain("at-cap.json: not valid JSON");
      expect(t.mock.requests).toEqual([]);
    });
  });
});

describe.concurrent("the command line", () => {
  it("--help prints usage and exits 0; --version prints the version", async ({ expect }) => {
    const r = await cli(["--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}polyai-connectors plan <desired.json>/);
    expect(r.stdout).toContain("POLYAI_API_KEY");
    const v = await cli(["--version"], {});
    expect([v.code, v.stdout, v.stderr]).toEqual([0, "9.9.9-test\n", ""]);
  });

  it("usage errors are one line naming the flag or argument, exit 1", async ({ expect }) => {
    const cases: [string[], string][] = [
      [[], "no command given"],
      [["plan", "x.json", "--colour"], "unknown option --colour"],
      [["plan", "x.json", "--colour=red"], "unknown option --colour"],
      [["plan", "x.json", "-q"], "unknown option -q"],
      [["plan", "x.json", "--out"], "--out needs a value"],
      [["plan", "x.json", "--json=yes"], "--json takes no value"],
      [
        ["frobnicate"],
        'unknown command "frobnicate"; expected plan, apply, export, validate, connectors, numbers, lookup, dial or call',
      ],
      [["export"], "export needs --agent PROJECT-ID"],
      [["export", "--agent", "a b"], "--agent: "],
      [["apply", "x.json", "--out", "y.json"], "--out is for plan and export"],
      [
        ["export", "--agent", AGENT, "--region", "eu", "--base-url", "http://127.0.0.1:9"],
        "pass either --region or --base-url, not both",
      ],
      [["apply", "x.json", "--yes=1"], "--yes takes no value"],
      [["apply", "x.json", "-y=1"], "--yes takes no value"],
      [
        ["apply", "x.json", "--concurrency", "-1"],
        '--concurrency: expected a whole number from 1 to 256, got "-1"',
      ],
      [["apply", "x.json", "--chunk-size", "-0.5"], "--chunk-size: expected a whole number"],
      [["plan", "x.json", "--out", "--json"], "--out needs a value"],
      [["plan", "x.json", "--out="], "--out needs a value"],
      [["plan", "x.json", "--yes"], "--yes is for apply, not plan"],
      [["plan", "x.json", "--concurrency", "2"], "--concurrency is for apply and dial, not plan"],
      [["plan", "x.json", "--chunk-size", "5"], "--chunk-size is for apply, not plan"],
      [
        ["export", "--agent", AGENT, "--client-env", "live"],
        "--client-env is for plan and apply, not export",
      ],
      [
        ["plan", "x.json", "--agent", AGENT],
        "--agent is for export, connectors list, numbers list, lookup, dial and call, not plan",
      ],
      [["export", "--agent", AGENT, "-y"], "--yes is for apply, not export"],
      [
        ["export", "--agent", AGENT, "--concurrency", "2"],
        "--concurrency is for apply and dial, not export",
      ],
      [
        ["apply", "x.json", "--agent", AGENT],
        "--agent is for export, connectors list, numbers list, lookup, dial and call, not apply",
      ],
      [["apply", "x.json", "--concurrency", "2", "--concurrency=3"], "--concurrency given twice"],
      [["apply", "x.json", "-y", "--yes"], "--yes given twice"],
      [["plan", "x.json", "--json", "--json"], "--json given twice"],
      [["export", "--agent", AGENT, "--out", "a.json", "--out", "b.json"], "--out given twice"],
    ];
    for (const [args, says] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr, args.join(" ")).toContain(`polyai-connectors: ${says}`);
      expect(r.stderr, args.join(" ")).toMatch(/ \(see --help\)\n$/);
      expect(r.stderr.split("\n"), args.join(" ")).toHaveLength(2);
    }
    // #19: an option that does not look like a flag name may be a pasted key: not echoed.
    for (const pasted of ["--pk_Test/Key+42=abc", "--pk_Test/Key+42", "-pk_live_abc"]) {
      const r = await cli(["plan", "x.json", pasted]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        "polyai-connectors: an unknown option was given (not shown: it does not look like an option name) (see --help)\n",
      );
    }
    for (const [flag, says] of [
      [
        "--concurrency",
        "--concurrency: expected a whole number from 1 to 256, got (a value not shown)",
      ],
      [
        "--chunk-size",
        "--chunk-size: expected a whole number from 1 to 10000, got (a value not shown)",
      ],
      ["--client-env", "--client-env (a value not shown) is not an environment"],
    ] as const) {
      const r = await cli(["apply", "x.json", flag, "pk_Test/Key+42"]);
      expect(r.stderr).toContain(`polyai-connectors: ${says}`);
      expect(r.stderr).not.toContain("pk_Test");
    }
    const command = await cli(["pk_Test/Key+42", "x.json"]);
    expect(command.stderr).toBe(
      "polyai-connectors: an unknown command was given; expected plan, apply, export, validate, connectors, numbers, lookup, dial or call (see --help)\n",
    );
    const region = await cli(["export", "--agent", AGENT, "--region", "mars"]);
    expect(region.stderr).toMatch(
      /^polyai-connectors: --region: "mars" is not a region.* \(see --help\)\n$/,
    );
    const fromEnv = await cli(["export", "--agent", AGENT], {
      POLYAI_API_KEY: KEY,
      POLYAI_REGION: "mars",
    });
    expect(fromEnv.stderr).toMatch(/^polyai-connectors: POLYAI_REGION: "mars" is not a region/);
  });

  it("every flag is checked before the file is read and before any request (#8)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const nowhere = join(t.dir, "nope.json");
      const url = ["--base-url", t.mock.url];
      const cases: [string[], string][] = [
        [
          ["--concurrency", "1000"],
          '--concurrency: expected a whole number from 1 to 256, got "1000"',
        ],
        [["--concurrency", "0"], "--concurrency: expected a whole number from 1 to 256"],
        [["--concurrency", "2.5"], "--concurrency: expected a whole number"],
        [["--chunk-size", "0"], '--chunk-size: expected a whole number from 1 to 10000, got "0"'],
        [["--chunk-size", "10001"], "--chunk-size: expected a whole number from 1 to 10000"],
        [["--client-env", "staging"], '--client-env "staging" is not an environment'],
        [["--base-url", "ftp://x"], "--base-url: "],
      ];
      for (const [flags, says] of cases) {
        for (const file of [desired, nowhere]) {
          const args = [
            "apply",
            file,
            "--yes",
            ...flags,
            ...(flags[0] === "--base-url" ? [] : url),
          ];
          const r = await cli(args);
          expect(r.code, args.join(" ")).toBe(1);
          expect(r.stderr, args.join(" ")).toContain(`polyai-connectors: ${says}`);
          expect(r.stderr).not.toContain("nope.json");
          expect(r.stdout).toBe("");
        }
      }
      expect(t.mock.requests).toEqual([]);
    });
  });

  it("a missing key: exit 1 naming POLYAI_API_KEY, nothing sent; a wrong key is a 401, never printed", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      for (const args of [
        ["plan", desired],
        ["apply", desired, "--yes"],
        ["export", "--agent", AGENT],
      ]) {
        const r = await cli([...args, ...url], {});
        expect(r.code).toBe(1);
        expect(r.stderr).toContain("POLYAI_API_KEY is not set");
      }
      expect(t.mock.requests).toEqual([]);
      const wrongKey = "sk-wrong-key-abcdefgh";
      const r = await cli(["plan", desired, ...url], { POLYAI_API_KEY: wrongKey });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("AuthenticationError: 401");
      expect(`${r.stdout}${r.stderr}`).not.toContain(wrongKey);
    });
  });
});

describe.concurrent("every problem at once, and validate (#22)", () => {
  /** Four mistakes on known lines, and a number written twice (line 11). */
  const MISTAKES = `{
  "agentId": "${AGENT}",
  "conectors": {},
  "connectors": {
    "CONN-main": { "voiceName": "en-GB" },
    "CONN-support": { "asrLangCode": 7 }
  },
  "phoneNumbers": {
    "0207946": "CONN-main",
    "+442079460000": "CONN-main",
    "+442079460000": "CONN-support"
  }
}
`;
  // In the order of the file, by line.
  const EXPECTED = [
    ["conectors", 3, "UNKNOWN_KEY"],
    ["connectors.CONN-main.voiceName", 5, "INVALID_VALUE"],
    ["connectors.CONN-support.asrLangCode", 6, "INVALID_VALUE"],
    ["phoneNumbers.0207946", 9, "INVALID_VALUE"],
    ["+442079460000", 11, "DUPLICATE_KEY"],
  ].map(([path, line, code]) => ({
    path: path === "+442079460000" ? `phoneNumbers.${path}` : path,
    line,
    code,
  }));

  type Listed = { path: string; line?: number; code: string; message: string };

  it("validate: offline (no key, no request), exit 1 with every problem as file:line: path: what; --json { ok, kind, errors }", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const file = await t.file("d.json", MISTAKES);
      const count = countingFetch();
      const text = await cli(["validate", file], {}, undefined, count.fetch);
      expect(text.code).toBe(1);
      expect(text.stdout).toBe("");
      const lines = text.stderr.split("\n");
      for (const [i, p] of EXPECTED.entries())
        expect(lines[i]).toMatch(new RegExp(`^${escapeRe(`${file}:${p.line}: ${p.path}: `)}`));
      expect(lines[5]).toBe(`polyai-connectors: ${file}: 5 problems; nothing was sent`);
      const json = await cli(["validate", file, "--json"], {}, undefined, count.fetch);
      expect(json.code).toBe(1);
      const printed = JSON.parse(json.stdout) as { ok: boolean; kind: string; errors: Listed[] };
      expect(printed).toMatchObject({ ok: false, kind: "desired-state", more: 0 });
      // Like every failure's JSON: `ok: false` comes with an `error` and its code.
      expect(printed).toMatchObject({
        error: { name: "InvalidInputError", code: "INVALID_INPUT", message: `${file}: 5 problems` },
      });
      expect(printed.errors.map(({ path, line, code }) => ({ path, line, code }))).toEqual(
        EXPECTED,
      );
      expect(count.sent).toBe(0);
      expect(t.mock.requests).toEqual([]);
    });
  });

  it("validate -: standard input (an editor's buffer, `git show :file`), its problems as <stdin>:line; no key, no request", async ({
    expect,
  }) => {
    const count = countingFetch();
    const piped = (text: string, ...more: string[]) =>
      cliWith(["validate", "-", ...more], {
        env: {},
        fetch: count.fetch,
        // In pieces, a line cut in two: the text is whole before it is read.
        piped: [text.slice(0, 7), Buffer.from(text.slice(7))],
      });
    const bad = await piped(MISTAKES);
    expect(bad.code).toBe(1);
    const lines = bad.stderr.split("\n");
    for (const [i, p] of EXPECTED.entries())
      expect(lines[i]).toMatch(new RegExp(`^${escapeRe(`<stdin>:${p.line}: ${p.path}: `)}`));
    expect(lines[5]).toBe("polyai-connectors: <stdin>: 5 problems; nothing was sent");
    const good = await piped(JSON.stringify(DESIRED, null, 2), "--json");
    expect(good.code, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout)).toMatchObject({ ok: true, kind: "desired-state" });
    expect(good.stderr).toBe(
      `<stdin>: a valid desired state for agent ${AGENT}: 2 connectors, 2 numbers\n`,
    );
    const empty = await piped("");
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain("<stdin>: the file is empty");
    // Not UTF-8 (Latin-1's ÿ on line 2): said so, not a "look-alike" of U+FFFD.
    const latin1 = await cliWith(["validate", "-", "--json"], {
      env: {},
      piped: [Buffer.from('{\n"agentId": "P\xff1"}', "latin1")],
    });
    expect(latin1.code).toBe(1);
    expect(JSON.parse(latin1.stdout)).toMatchObject({
      errors: [
        {
          code: "FILE_INVALID",
          message:
            "line 2: not UTF-8 text (a binary file, or another encoding such as Latin-1: save it as UTF-8)",
        },
      ],
    });
    // Standard input has the files' cap: an endless pipe is refused, not held in memory.
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    const huge = await cliWith(["validate", "-", "--json"], {
      env: {},
      piped: Array.from({ length: MAX_FILE_BYTES / mib.length + 1 }, () => mib),
    });
    expect(huge.code).toBe(1);
    expect(JSON.parse(huge.stdout)).toMatchObject({ errors: [{ code: "FILE_TOO_LARGE" }] });
    expect(count.sent).toBe(0);
  });

  it("validate: a valid desired state and an intact plan exit 0; an edited plan is PLAN_INVALID; unreadable and not JSON are listed too", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const desired = await t.file("d.json", DESIRED);
      const ok = await cli(["validate", desired], {});
      expect(ok).toEqual({
        code: 0,
        stdout: `${desired}: a valid desired state for agent ${AGENT}: 2 connectors, 2 numbers\n`,
        stderr: "",
      });
      const json = await cli(["validate", desired, "--json"], {});
      expect(JSON.parse(json.stdout)).toEqual({
        ok: true,
        kind: "desired-state",
        errors: [],
        more: 0,
      });
      const saved = await t.file("plan.json");
      expect((await cli(["plan", desired, "--out", saved, ...url])).code).toBe(2);
      const intact = await cli(["validate", saved, "--json"], {});
      expect(intact.code).toBe(0);
      expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, kind: "plan" });
      expect(intact.stderr).toContain("with 4 changes, intact");
      const edited = JSON.parse(await readFile(saved, "utf8")) as Plan;
      edited.desired.phoneNumbers["+442079460000"] = "CONN-main";
      const broken = await cli(["validate", await t.file("e.json", edited), "--json"], {});
      expect(broken.code).toBe(1);
      expect(JSON.parse(broken.stdout)).toMatchObject({
        ok: false,
        kind: "plan",
        errors: [{ code: "PLAN_INVALID" }],
      });
      const notJson = await cli(["validate", await t.file("bad.json", '{\n  "a": ,\n}'), "--json"]);
      expect(notJson.code).toBe(1);
      expect(JSON.parse(notJson.stdout)).toMatchObject({
        ok: false,
        kind: null,
        errors: [{ path: "", code: "FILE_INVALID", message: expect.stringContaining("line 2") }],
        error: { name: "CliError", code: "FILE_INVALID" },
      });
      const none = await cli(["validate", join(t.dir, "none.json")]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("cannot read it: no such file");
      const one = await cli([
        "validate",
        await t.file("one.json", {
          agentId: AGENT,
          phoneNumbers: { "+442079460000": "CONN-main" },
        }),
      ]);
      expect(one.stdout).toContain(
        `a valid desired state for agent ${AGENT}: 0 connectors, 1 number\n`,
      );
      const requests = t.mock.requests.length;
      await cli(["validate", desired]);
      expect(t.mock.requests.length).toBe(requests);
    });
  });

  it("a usage error exits 2 for validate (1 means the file is invalid), 1 for every other command", async ({
    expect,
  }) => {
    for (const args of [
      ["validate"],
      ["validate", "a.json", "b.json"],
      ["validate", "a.json", "--region", "eu"],
      ["validate", "a.json", "--yes"],
      ["--region", "eu", "validate", "a.json"],
      ["--json", "validate"],
    ]) {
      const r = await cli(args, {});
      expect(r.code, args.join(" ")).toBe(2);
      expect(r.stderr).toMatch(/\(see --help\)\n$/);
    }
    // Every other command's usage error is 1: plan's 2 means "changes pending", so a
    // typo in CI must not read as that; only validate, whose 1 is "invalid", differs.
    for (const args of [
      ["plan"],
      ["plan", "d.json", "--yes"],
      ["apply", "d.json", "--force"],
      ["export"],
      ["connectors", "list", "--full"],
      ["numbers", "list", "--agent", AGENT, "--client-env", "live"],
      ["lookup", "+442079460000"],
      ["frobnicate"],
      [],
    ]) {
      const r = await cli(args, {});
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(/\(see --help\)\n$/);
    }
  });

  it("plan and apply list every problem with its line, code INVALID_INPUT, before any request", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const file = await t.file("d.json", MISTAKES);
      const url = ["--base-url", t.mock.url];
      for (const command of [["plan"], ["apply", "--yes"]]) {
        const r = await cli([...command, file, "--json", ...url]);
        expect(r.code).toBe(1);
        const { error } = JSON.parse(r.stdout) as { error: Record<string, unknown> };
        expect(error).toMatchObject({
          name: "InvalidInputError",
          code: "INVALID_INPUT",
          field: "conectors",
          more: 0,
        });
        expect(
          (error["errors"] as Listed[]).map(({ path, line, code }) => ({ path, line, code })),
        ).toEqual(EXPECTED);
        const lines = r.stderr.split("\n");
        expect(lines[0]).toBe(`polyai-connectors: ${file}: 5 problems:`);
        expect(lines[2]).toMatch(
          new RegExp(`^  ${escapeRe(`${file}:5: connectors.CONN-main.voiceName: `)}`),
        );
      }
      expect(t.mock.requests).toEqual([]);
    });
  });

  it("the key pasted into the file is in no output of validate or plan, text or --json", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const file = await t.file("d.json", {
        agentId: AGENT,
        connectors: { [`CONN-${KEY}`]: { voiceName: KEY, asrLangCode: `x${KEY}` } },
        phoneNumbers: { [KEY]: "CONN-main" },
      });
      const url = ["--base-url", t.mock.url];
      const runs = [
        await cli(["validate", file]),
        await cli(["validate", file, "--json"]),
        await cli(["plan", file, ...url]),
        await cli(["plan", file, "--json", ...url]),
      ];
      for (const r of runs) expect(r.code).toBe(1);
      expect(runs[0]?.stderr).toContain("[redacted]");
      runsKeyless(expect, ...runs);
      expect(t.mock.requests).toEqual([]);
    });
  });

  it("10,000 problems: 50 listed, the rest counted; hostile keys escaped on their line", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const connectors: Record<string, unknown> = {};
      for (let i = 0; i < 10_000; i++) connectors[`CONN-${i}\u001b[2J\n`] = { voiceName: "x" };
      const file = await t.file("d.json", { agentId: AGENT, connectors });
      const r = await cli(["validate", file, "--json"]);
      expect(r.code).toBe(1);
      const printed = JSON.parse(r.stdout) as { errors: Listed[]; more: number };
      expect(printed.errors).toHaveLength(50);
      expect(printed.more).toBe(20_000 - 50); // a bad ID and a bad voice each
      const lines = r.stderr.split("\n");
      expect(lines).toHaveLength(53); // 50, "and N more", the total, ""
      expect(lines[50]).toBe(`and ${20_000 - 50} more`);
      expect(r.stderr).not.toContain("\u001b");
      expect(lines[0]).toContain("CONN-0\\u001b[2J\\u000a");
    });
  });
});

describe("a code on every failure (#22)", () => {
  it("every CliError the CLI throws is given a literal code", async ({ expect }) => {
    const dir = join(import.meta.dirname, "../src/telephony/cli");
    const made: string[] = [];
    for (const name of await readdir(dir)) {
      const text = await readFile(join(dir, name), "utf8");
      // Each call, up to the next statement: its code is a literal or the wrapped error's own.
      for (const call of text.split("new CliError(").slice(1))
        made.push(call.split(/\);\n/)[0] ?? "");
    }
    expect(made.length).toBeGreaterThan(10);
    for (const args of made) expect(args).toMatch(/,\s*("[A-Z_]{4,}"|e\.code)/);
  });

  it("every error class the CLI can meet maps to a code", async ({ expect }) => {
    const { codeOf } = await import("../src/telephony/cli/codes.js");
    const errors = await import("../src/errors.js");
    const body = { error_code: undefined };
    const init = { status: 500, headers: new Headers(), body };
    const cases: [Error, string][] = [
      [new errors.InvalidInputError("a", "b"), "INVALID_INPUT"],
      [new errors.BadRequestError({ ...init, status: 400 }), "BAD_REQUEST"],
      [new errors.AuthenticationError({ ...init, status: 401 }), "AUTHENTICATION_FAILED"],
      [new errors.PermissionDeniedError({ ...init, status: 403 }), "PERMISSION_DENIED"],
      [new errors.NotFoundError({ ...init, status: 404 }), "NOT_FOUND"],
      [new errors.ConflictError({ ...init, status: 409 }), "CONFLICT"],
      [new errors.UnprocessableEntityError({ ...init, status: 422 }), "UNPROCESSABLE"],
      [new errors.RateLimitError({ ...init, status: 429 }), "RATE_LIMITED"],
      [new errors.InternalServerError(init), "SERVER_ERROR"],
      [new errors.APIError({ ...init, status: 418 }), "API_ERROR"],
      [new errors.APIError({ ...init, status: 418, code: "TEAPOT" }), "TEAPOT"],
      [new Error("?"), "INTERNAL"],
    ];
    for (const [error, code] of cases) expect(codeOf(error), error.name).toBe(code);
  });

  it("through the CLI: no key, a bad region, a missing file, not JSON, a bad file, a failed connection", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const desired = await t.file("d.json", DESIRED);
      const code = async (args: string[], env?: Record<string, string>, f?: typeof fetch) => {
        const r = await cli([...args, "--json"], env, undefined, f);
        expect(r.code).toBe(1);
        return (JSON.parse(r.stdout) as { error: { code: string } }).error.code;
      };
      expect(await code(["plan", desired], {})).toBe("MISSING_API_KEY");
      expect(await code(["plan", desired], { POLYAI_API_KEY: KEY, POLYAI_REGION: "mars" })).toBe(
        "INVALID_ENVIRONMENT",
      );
      // #23: a key too long to redact is refused by its length, never printed.
      const long = `sk-live-${"b".repeat(7_000)}`;
      const refusedKey = await cli(["connectors", "list", "--agent", AGENT], {
        POLYAI_API_KEY: long,
      });
      expect(refusedKey).toMatchObject({ code: 1, stdout: "" });
      expect(refusedKey.stderr).toBe(
        "polyai-connectors: POLYAI_API_KEY: is 7008 characters long; keys have at most 1024 (two pastes, or a file?)\n",
      );
      expect(await code(["plan", join(t.dir, "none.json")])).toBe("FILE_UNREADABLE");
      expect(await code(["plan", await t.file("bad.json", "{")])).toBe("FILE_INVALID");
      expect(await code(["plan", await t.file("x.json", { agentId: 1 })])).toBe("INVALID_INPUT");
      const refused: typeof fetch = () => Promise.reject(new TypeError("fetch failed"));
      expect(await code(["plan", desired, "--base-url", t.mock.url], undefined, refused)).toMatch(
        /^(CONNECTION_FAILED|INTERNAL)$/,
      );
    });
  });
});

describe.concurrent("warnings and --target (#22)", () => {
  const SANDBOX = [
    connector("CONN-main", { variantId: "VARIANT-spring", phoneNumbers: ["+442079460000"] }),
    connector("CONN-support"),
    connector("CONN-sandbox", { clientEnv: "sandbox" }),
  ];
  const RISKY: DesiredState = {
    agentId: AGENT,
    connectors: { "CONN-main": { voiceName: "de-DE-Neural2-A" } },
    phoneNumbers: { "+442079460000": "CONN-sandbox", "+442079460009": "CONN-support" },
  };

  it("plan shows each warning as a ! line above the changes; --json carries them; apply shows them before asking", async ({
    expect,
  }) => {
    await withSetup({ connectors: SANDBOX }, async (t) => {
      const url = ["--base-url", t.mock.url];
      const file = await t.file("d.json", RISKY);
      const text = await cli(["plan", file, ...url]);
      expect(text.code).toBe(2);
      const lines = text.stdout.split("\n");
      expect(lines[1]).toMatch(
        /^! connectors\.CONN-main\.voiceName: voice "de-DE-Neural2-A" speaks de-DE but asrLangCode is "en-US"/,
      );
      expect(lines[2]).toMatch(
        /^! phoneNumbers\.\+442079460000: serves clientEnv live but moves to "CONN-sandbox", a sandbox connector/,
      );
      expect(lines[3]).toBe("");
      const json = await cli(["plan", file, "--json", ...url]);
      const p = JSON.parse(json.stdout) as Plan;
      expect(p.warnings?.map((w) => w.code)).toEqual([
        "VOICE_LANGUAGE_MISMATCH",
        "NUMBER_CLIENT_ENV_MISMATCH",
      ]);
      expect(json.stderr).toContain("! phoneNumbers.+442079460000: ");
      const asked = await cli(["apply", file, ...url], undefined, "n\n");
      expect(asked.code).toBe(1);
      const warning = asked.stdout.indexOf("! phoneNumbers.+442079460000");
      expect(warning).toBeGreaterThan(0);
      expect(asked.stderr).toContain(
        "Apply 3 changes despite 2 warnings (marked ! above) to agent PROJECT-58RP822I? [y/N]",
      );
      expect(writes(t.mock.requests)).toEqual([]);
    });
  });

  it("--client-env on plan: an import into another clientEnv than its connector's warns, and the saved plan keeps it", async ({
    expect,
  }) => {
    await withSetup({ connectors: SANDBOX }, async (t) => {
      const url = ["--base-url", t.mock.url];
      const file = await t.file("d.json", {
        agentId: AGENT,
        phoneNumbers: { "+442079460009": "CONN-sandbox" },
      });
      const saved = await t.file("plan.json");
      const r = await cli(["plan", file, "--client-env", "live", "--out", saved, ...url]);
      expect(r.stdout).toContain(
        '! phoneNumbers.+442079460009: is imported for clientEnv live but routed to "CONN-sandbox", a sandbox connector',
      );
      expect((JSON.parse(await readFile(saved, "utf8")) as Plan).clientEnv).toBe("live");
      const other = await cli([
        "apply",
        saved,
        "--yes",
        "--client-env",
        "sandbox",
        "--json",
        ...url,
      ]);
      expect(other.code).toBe(1);
      expect(JSON.parse(other.stdout)).toMatchObject({ error: { code: "USAGE" } });
      // Refused before the plan is shown or a question asked; a plan made without one refuses any.
      const unchosen = await t.file("unchosen.json");
      await cli(["plan", file, "--out", unchosen, ...url]);
      const asked = await cli(
        ["apply", unchosen, "--client-env", "live", ...url],
        undefined,
        "y\n",
      );
      expect(asked.code).toBe(1);
      expect(asked.stdout).toBe("");
      expect(asked.stderr).toBe(
        "polyai-connectors: --client-env: a saved plan keeps the clientEnv it was made with (each number's connector's); plan again (see --help)\n",
      );
      expect(other.stderr).toContain("it was made with (live); plan again");
      expect(writes(t.mock.requests)).toEqual([]);
      const plain = await cli(["apply", file, "--yes", ...url]);
      expect(plain.code).toBe(0);
      expect(t.mock.phoneNumbers.find((n) => n.number === "+442079460009")?.clientEnv).toBe(
        "sandbox",
      );
    });
  });

  it("--target limits plan and apply to the entries named; the saved plan records and shows them", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const file = await t.file("d.json", DESIRED);
      const target = ["--target", "number:+442079460000", "--target=connector:CONN-support"];
      const saved = await t.file("plan.json");
      const r = await cli(["plan", file, ...target, "--out", saved, ...url]);
      expect(r.code).toBe(2);
      expect(r.stdout.split("\n").slice(0, 2)).toEqual([
        "Agent PROJECT-58RP822I: 2 changes (1 connector to update, 1 number to reassign).",
        "Targeted: only connector:CONN-support, number:+442079460000; the rest of the file is not planned.",
      ]);
      const p = JSON.parse(await readFile(saved, "utf8")) as Plan;
      expect(p.targets).toEqual({ connectors: ["CONN-support"], phoneNumbers: ["+442079460000"] });
      const applied = await cli(["apply", saved, "--yes", ...url]);
      expect(applied.code).toBe(0);
      expect(applied.stdout).toContain(
        "Targeted: only connector:CONN-support, number:+442079460000;",
      );
      expect(writes(t.mock.requests)).toHaveLength(2);
      // The rest of the file is still pending.
      const rest = await cli(["plan", file, "--json", ...url]);
      expect((JSON.parse(rest.stdout) as Plan).phoneNumbers.map((c) => c.number)).toEqual([
        "+442079460009",
      ]);
    });
  });

  it("--target: a target the file does not hold, a bad form, or one with a saved plan is a usage error naming it; nothing sent", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const file = await t.file("d.json", DESIRED);
      const usage = async (args: string[], message: string) => {
        const r = await cli([...args, ...url]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr).toBe(`polyai-connectors: ${message} (see --help)\n`);
      };
      await usage(
        ["plan", file, "--target", "number:+15550000000"],
        `--target number:+15550000000: "+15550000000" is not in the file's phoneNumbers: a target names an entry of the file`,
      );
      await usage(
        ["apply", file, "--yes", "--target", "connector:CONN-other"],
        `--target connector:CONN-other: "CONN-other" is not in the file's connectors: a target names an entry of the file`,
      );
      await usage(
        ["plan", file, "--target", "phone:+442079460000"],
        `--target "phone:+442079460000": expected connector:ID or number:+E164`,
      );
      const notE164 = await cli(["plan", file, "--target", "number:0800", ...url]);
      expect(notE164.code).toBe(1);
      expect(notE164.stderr).toMatch(/^polyai-connectors: --target "number:0800": .*E\.164/);
      const hostile = await cli(["plan", file, "--target", `connector:${KEY}\u001b[2J`, ...url]);
      expect(hostile.stderr).toContain("--target (a value not shown):");
      runsKeyless(expect, hostile);
      const saved = await t.file("plan.json");
      await cli(["plan", file, "--out", saved, ...url]);
      await usage(
        ["apply", saved, "--yes", "--target", "number:+442079460000"],
        "--target: a saved plan keeps the targets it was made with; plan again",
      );
      expect(writes(t.mock.requests)).toEqual([]);
    });
  });
});
