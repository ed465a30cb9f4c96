// The `polyai-connectors` CLI as a process: `node --import tsx src/telephony/cli.ts`
// against the local PolyAI (loopback, port 0), the key in POLYAI_API_KEY. Exit
// codes, --json, --out, --yes, export round trip, malformed files, a missing key,
// and the key never printed.
import { spawn, spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, it, type ExpectStatic } from "vitest";
import type { ApplyResult, DesiredState, Plan } from "../src/telephony/index.js";
import {
  createMockPolyAI,
  type MockPolyAI,
  type RecordedRequest,
  type SeedConnector,
} from "../src/testing/index.js";

const root = resolve(import.meta.dirname, "..");
const KEY = "sk-cli-test-key-0123456789";
const AGENT = "PROJECT-58RP822I";

function connector(id: string, over: Partial<SeedConnector> = {}): SeedConnector {
  return {
    connectorId: id,
    name: `Line ${id}`,
    accountId: "ws-fd112d8f",
    projectId: AGENT,
    clientEnv: "live",
    variantId: "",
    asrLangCode: "en-US",
    ttsLangCode: "en-US",
    voiceName: "en-US-Neural2-C",
    disableHandoff: false,
    ...over,
  };
}

const SEED = () => [
  connector("CONN-main", { variantId: "VARIANT-spring", phoneNumbers: ["+442079460000"] }),
  connector("CONN-support"),
  connector("CONN-other", { phoneNumbers: ["+442079460011"] }),
];
const DESIRED: DesiredState = {
  agentId: AGENT,
  connectors: {
    "CONN-main": { voiceName: "en-GB-Neural2-A", variantId: null },
    "CONN-support": { asrLangCode: "en-GB" },
  },
  phoneNumbers: { "+442079460000": "CONN-support", "+442079460009": "CONN-main" },
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; stdin is a pipe (not a terminal). Async: the mock shares this process. */
function cli(args: string[], env: Record<string, string> = { POLYAI_API_KEY: KEY }): Promise<Run> {
  const inherited = { ...process.env };
  delete inherited["POLYAI_API_KEY"];
  delete inherited["POLYAI_REGION"];
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/telephony/cli.ts", ...args], {
      cwd: root,
      env: { ...inherited, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}

/** A mock and a scratch folder for one test, both removed after it. */
async function setup(options: { unavailableVoices?: string[] } = {}): Promise<{
  mock: MockPolyAI;
  dir: string;
  file: (name: string, data?: unknown) => Promise<string>;
  close: () => Promise<void>;
}> {
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: SEED(), ...options });
  const dir = await mkdtemp(join(tmpdir(), "polyai-cli-"));
  return {
    mock,
    dir,
    file: async (name, data) => {
      const path = join(dir, name);
      if (data !== undefined)
        await writeFile(path, typeof data === "string" ? data : JSON.stringify(data, null, 2));
      return path;
    },
    close: async () => {
      await mock.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function writes(requests: readonly RecordedRequest[]): RecordedRequest[] {
  return requests.filter(
    (r) => r.method !== "GET" && !(r.method === "POST" && /\/(batch|lookup)$/.test(r.path)),
  );
}

/** No output of any run shows the key. */
function keyless(expect: ExpectStatic, ...runs: Run[]): void {
  for (const r of runs) expect(`${r.stdout}${r.stderr}`).not.toContain(KEY);
}

describe.concurrent("polyai-connectors (the CLI as a process)", { timeout: 60_000 }, () => {
  it("--help prints usage and exits 0", async ({ expect }) => {
    const r = await cli(["--help"], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage:\n {2}polyai-connectors plan <desired.json>/);
    expect(r.stdout).toContain("POLYAI_API_KEY");
  });

  it("plan: exit 2 with changes pending, text and --json and --out; nothing written", async ({
    expect,
  }) => {
    const t = await setup();
    try {
      const desired = await t.file("phone-lines.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const text = await cli(["plan", desired, ...url]);
      expect(text.code, text.stderr).toBe(2);
      expect(text.stdout).toContain("Agent PROJECT-58RP822I: 4 changes");
      expect(text.stdout).toContain(
        '  voiceName  "en-US-Neural2-C" → "en-GB-Neural2-A"  (ttsLangCode follows: en-GB)',
      );
      expect(text.stdout).toContain('  route  "CONN-main" → "CONN-support"');

      const saved = await t.file("plan.json");
      const json = await cli(["plan", desired, ...url, "--json", "--out", saved]);
      expect(json.code).toBe(2);
      const p = JSON.parse(json.stdout) as Plan;
      expect(p.kind).toBe("polyai-connectors/plan");
      expect(p.connectors.map((c) => c.connectorId)).toEqual(["CONN-main", "CONN-support"]);
      expect(p.phoneNumbers.map((c) => [c.number, c.action])).toEqual([
        ["+442079460000", "reassign"],
        ["+442079460009", "import"],
      ]);
      expect(JSON.parse(await readFile(saved, "utf8"))).toEqual(p);
      expect(writes(t.mock.requests)).toEqual([]);
      keyless(expect, text, json);
    } finally {
      await t.close();
    }
  });

  it("apply: refuses without --yes when stdin is not a terminal, writing nothing", async ({
    expect,
  }) => {
    const t = await setup();
    try {
      const r = await cli(["apply", await t.file("d.json", DESIRED), "--base-url", t.mock.url]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain("Agent PROJECT-58RP822I: 4 changes");
      expect(r.stderr).toContain("Refusing to apply without --yes");
      expect(r.stderr).toContain("Nothing was written");
      expect(writes(t.mock.requests)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("apply --yes: exit 0, every change in effect; plan then exits 0", async ({ expect }) => {
    const t = await setup();
    try {
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
      keyless(expect, r, again, noop);
    } finally {
      await t.close();
    }
  });

  it("apply --client-env: imported numbers serve that environment; a bad one is refused", async ({
    expect,
  }) => {
    const t = await setup();
    try {
      const desired = await t.file("d.json", DESIRED);
      const url = ["--base-url", t.mock.url];
      const bad = await cli(["apply", desired, "--yes", "--client-env", "staging", ...url]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toContain('--client-env "staging" is not an environment');
      expect(writes(t.mock.requests)).toEqual([]);
      const r = await cli(["apply", desired, "--yes", "--client-env", "sandbox", ...url]);
      expect(r.code, r.stderr).toBe(0);
      const imports = writes(t.mock.requests).filter((q) => q.method === "POST");
      expect(imports.length).toBeGreaterThan(0);
      for (const q of imports) expect((q.body as { clientEnv?: string }).clientEnv).toBe("sandbox");
    } finally {
      await t.close();
    }
  });

  it("apply plan.json: applies a saved plan, and refuses it with PLAN_STALE once the state moved", async ({
    expect,
  }) => {
    const t = await setup();
    try {
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
    } finally {
      await t.close();
    }
  });

  it("apply --json: a refused change is listed, the rest applied, exit 1", async ({ expect }) => {
    const t = await setup({ unavailableVoices: ["en-GB-Neural2-A"] });
    try {
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
    } finally {
      await t.close();
    }
  });

  it("export: prints the agent's desired state; --out writes it; planning it exits 0", async ({
    expect,
  }) => {
    const t = await setup();
    try {
      const url = ["--base-url", t.mock.url];
      const r = await cli(["export", "--agent", AGENT, ...url]);
      expect(r.code, r.stderr).toBe(0);
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
      expect(JSON.parse(await readFile(file, "utf8"))).toEqual(state);
      const p = await cli(["plan", file, ...url]);
      expect(p.code, p.stdout + p.stderr).toBe(0);
      expect(writes(t.mock.requests)).toEqual([]);
    } finally {
      await t.close();
    }
  });

  it("a malformed file: exit 1, naming the file, the place in it and what is wrong; nothing sent", async ({
    expect,
  }) => {
    const t = await setup();
    try {
      const url = ["--base-url", t.mock.url];
      const broken = await t.file(
        "broken.json",
        '{\n  "agentId": "PROJECT-58RP822I",\n  "connectors": {,}\n}\n',
      );
      const a = await cli(["plan", broken, ...url]);
      expect(a.code).toBe(1);
      expect(a.stderr).toMatch(
        new RegExp(
          `^polyai-connectors: ${broken.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: not valid JSON: .*\\(line 3, column 18\\)`,
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
    } finally {
      await t.close();
    }
  });

  it("a key written twice in the file is refused, naming the path and line; --json failures print a JSON error", async ({
    expect,
  }) => {
    const t = await setup();
    try {
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
      expect(t.mock.requests).toHaveLength(0);
      keyless(expect, text, json);
    } finally {
      await t.close();
    }
  });

  it("a missing key: exit 1 naming POLYAI_API_KEY, nothing sent; a wrong key is a 401, never printed", async ({
    expect,
  }) => {
    const t = await setup();
    try {
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
    } finally {
      await t.close();
    }
  });

  // On a terminal: util-linux `script` gives the CLI a pseudo-terminal.
  const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
  it.skipIf(!hasScript)(
    "on a terminal: asks before applying (y applies, anything else writes nothing), and shows progress",
    async ({ expect }) => {
      /** Runs the CLI under a pty; answers `answer` once, at the prompt. */
      const onTty = (args: string[], answer?: string) =>
        new Promise<{ code: number | null; output: string }>((done, fail) => {
          const command = ["node", "--import", "tsx", "src/telephony/cli.ts", ...args]
            .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
            .join(" ");
          const inherited = { ...process.env };
          delete inherited["POLYAI_REGION"];
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
      const t = await setup();
      try {
        const desired = await t.file("d.json", DESIRED);
        const url = ["--base-url", t.mock.url];
        const no = await onTty(["apply", desired, ...url], "n");
        expect(no.output).toContain("Apply 4 changes to agent PROJECT-58RP822I? [y/N]");
        expect(no.output).toContain("Cancelled. Nothing was written.");
        expect(no.code).toBe(1);
        expect(writes(t.mock.requests)).toEqual([]);
        const yes = await onTty(["apply", desired, ...url], "y");
        expect(yes.output).toContain("Every change is in effect.");
        expect(yes.code).toBe(0);

        // 30 changes: a progress line on the terminal.
        const many: DesiredState = {
          agentId: AGENT,
          phoneNumbers: Object.fromEntries(
            Array.from({ length: 30 }, (_, i) => [
              `+4420794601${String(i).padStart(2, "0")}`,
              "CONN-other",
            ]),
          ),
        };
        const big = await onTty(["apply", await t.file("many.json", many), "--yes", ...url]);
        expect(big.output).toContain("Applying: 30/30 (100%)");
        expect(big.code).toBe(0);
        expect(no.output + yes.output + big.output).not.toContain(KEY);
      } finally {
        await t.close();
      }
    },
  );

  it("usage errors exit 1: no command, unknown option, --region with --base-url, a bad --concurrency", async ({
    expect,
  }) => {
    const cases: [string[], RegExp][] = [
      [[], /no command given/],
      [["plan", "x.json", "--colour"], /Unknown option '--colour'/],
      [["frobnicate"], /unknown command "frobnicate"/],
      [["export"], /export needs --agent/],
      [["apply", "x.json", "--concurrency", "0"], /--concurrency: expected a whole number/],
    ];
    for (const [args, says] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(1);
      expect(r.stderr).toMatch(says);
    }
    const both = await cli([
      "export",
      "--agent",
      AGENT,
      "--region",
      "eu",
      "--base-url",
      "http://127.0.0.1:9",
    ]);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("pass either --region or --base-url, not both");
    const region = await cli(["export", "--agent", AGENT, "--region", "mars"]);
    expect(region.stderr).toContain('--region: "mars" is not a region');
  });
});
