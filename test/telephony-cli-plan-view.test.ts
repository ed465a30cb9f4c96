// #22: the plan for people through the CLI: a summary, connectors field by field,
// number changes grouped by route with the first few numbers (`--full`: every one),
// `~`/`+` markers coloured on a terminal only (NO_COLOR, FORCE_COLOR, TERM=dumb),
// every value escaped. --json is the plan as before.
import { describe, it } from "vitest";
import type { ClientEnv } from "../src/index.js";
import { renderPlan } from "../src/telephony/index.js";
import type { Plan, PhoneNumberChange, PlanWarning } from "../src/telephony/index.js";
import { cliWith } from "./support/cli-in-process.js";
import { AGENT, connector, KEY, runsKeyless, withSetup } from "./support/telephony-cli.js";

const IDS = ["CONN-a", "CONN-b", "CONN-c"] as const;
const number = (i: number) => `+4420794${String(i).padStart(5, "0")}`;

/**
 * 500 numbers over 3 connectors, every one moved: the 6 routes between them and
 * the 3 from no connector (numbers that route nowhere yet), the most groups 3
 * connectors can make.
 */
function fiveHundredMoves() {
  const routes: [string | undefined, string][] = [];
  for (const from of [...IDS, undefined])
    for (const to of IDS) if (from !== to) routes.push([from, to]);
  const seeded = [];
  const phoneNumbers: Record<string, string> = {};
  for (let i = 0; i < 500; i++) {
    const [from, to] = routes[i % routes.length] as [string | undefined, string];
    seeded.push({ number: number(i), agentId: AGENT, connectorId: from });
    phoneNumbers[number(i)] = to;
  }
  return {
    setup: { connectors: IDS.map((id) => connector(id)), phoneNumbers: seeded },
    desired: { agentId: AGENT, phoneNumbers },
  };
}

const ESC = "\u001b";

describe.concurrent("plan, grouped (#22)", () => {
  it("500 number moves across 3 connectors: at most 40 lines; --full lists every number once; --json unchanged", async ({
    expect,
  }) => {
    const { setup, desired } = fiveHundredMoves();
    await withSetup(setup, async (t) => {
      const file = await t.file("d.json", desired);
      const url = ["--base-url", t.mock.url];
      const text = await cliWith(["plan", file, ...url]);
      expect(text.code, text.stderr).toBe(2);
      const lines = text.stdout.trimEnd().split("\n");
      // The figure of the issue: 500 moves, the 9 routes 3 connectors allow.
      expect(lines.length).toBeLessThanOrEqual(40);
      expect(lines.length).toBe(27);
      expect(lines[0]).toBe("Agent PROJECT-58RP822I: 500 changes (500 numbers to reassign).");
      const headings = lines.filter((l) => l.startsWith("~ "));
      expect(headings).toHaveLength(8);
      expect(headings[0]).toBe("~ CONN-a → CONN-b: 56 numbers");
      expect(headings).toContain("~ (none) → CONN-a: 55 numbers");
      expect(lines).toContain(`    ${number(0)}, ${number(9)}, ${number(18)} … and 53 more`);
      expect(lines.at(-1)).toBe("… and 1 more group (55 numbers)");

      const full = await cliWith(["plan", file, "--full", ...url]);
      expect(full.code).toBe(2);
      const listed = full.stdout.split("\n").filter((l) => /^ {4}\+\d+$/.test(l));
      expect(listed.map((l) => l.trim()).sort()).toEqual(Object.keys(desired.phoneNumbers).sort());
      expect(full.stdout.match(/^~ /gm)).toHaveLength(9);

      const json = await cliWith(["plan", file, "--json", ...url]);
      const p = JSON.parse(json.stdout) as Plan;
      expect(p.phoneNumbers).toHaveLength(500);
      expect(json.stderr).toBe(`${lines[0]}\n`);
      runsKeyless(expect, text, full, json);
    });
  });

  it("500 moves with 300 warnings of two kinds: one line per kind, both shown, at most 40 lines; --full lists every warning", async ({
    expect,
  }) => {
    // CONN-c is sandbox: 150 live numbers move onto it, its 150 sandbox numbers onto live CONN-a.
    const seeded = [];
    const phoneNumbers: Record<string, string> = {};
    const route = { "CONN-a": "CONN-b", "CONN-b": "CONN-c", "CONN-c": "CONN-a" } as const;
    for (let i = 0; i < 500; i++) {
      const from = i < 200 ? "CONN-a" : i < 350 ? "CONN-b" : "CONN-c";
      const clientEnv: ClientEnv = from === "CONN-c" ? "sandbox" : "live";
      seeded.push({ number: number(i), agentId: AGENT, connectorId: from, clientEnv });
      phoneNumbers[number(i)] = route[from];
    }
    const connectors = [
      connector("CONN-a"),
      connector("CONN-b"),
      connector("CONN-c", { clientEnv: "sandbox" }),
    ];
    await withSetup({ connectors, phoneNumbers: seeded }, async (t) => {
      const file = await t.file("d.json", { agentId: AGENT, phoneNumbers });
      const url = ["--base-url", t.mock.url];
      const text = await cliWith(["plan", file, ...url]);
      expect(text.code, text.stderr).toBe(2);
      const lines = text.stdout.trimEnd().split("\n");
      expect(lines.length).toBeLessThanOrEqual(40);
      expect(lines.filter((l) => l.startsWith("! "))).toEqual([
        `! phoneNumbers.${number(200)} (and 149 more): serves clientEnv live but moves to "CONN-c", a sandbox connector: its live callers would reach the sandbox agent the moment it applies`,
        `! phoneNumbers.${number(350)} (and 149 more): serves clientEnv sandbox but moves to "CONN-a", a live connector: its sandbox callers would reach the live agent the moment it applies`,
      ]);
      const full = await cliWith(["plan", file, "--full", ...url]);
      const warned = full.stdout.split("\n").filter((l) => l.startsWith("! "));
      expect(warned).toHaveLength(300);
      expect(warned).toContain(
        `! phoneNumbers.${number(499)}: serves clientEnv sandbox but moves to "CONN-a", a live connector: its sandbox callers would reach the live agent the moment it applies`,
      );
      const applied = await cliWith(["apply", file, "--yes", "--full", ...url]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout.split("\n").filter((l) => l.startsWith("! "))).toHaveLength(300);
    });
  });

  it("imports are grouped by the connector they route to; a small group is listed whole; apply shows the same view", async ({
    expect,
  }) => {
    await withSetup({ connectors: IDS.map((id) => connector(id)) }, async (t) => {
      const phoneNumbers: Record<string, string> = {};
      for (let i = 0; i < 4; i++) phoneNumbers[number(i)] = "CONN-a";
      for (let i = 4; i < 9; i++) phoneNumbers[number(i)] = "CONN-b";
      const file = await t.file("d.json", { agentId: AGENT, phoneNumbers });
      const url = ["--base-url", t.mock.url];
      const r = await cliWith(["plan", file, ...url]);
      expect(r.stdout).toBe(
        [
          "Agent PROJECT-58RP822I: 9 changes (9 numbers to import and route).",
          "",
          "+ import → CONN-b: 5 numbers",
          `    ${number(4)}, ${number(5)}, ${number(6)} … and 2 more`,
          "",
          "+ import → CONN-a: 4 numbers",
          `    ${number(0)}, ${number(1)}, ${number(2)}, ${number(3)}`,
          "",
        ].join("\n"),
      );
      const applied = await cliWith(["apply", file, "--yes", "--full", ...url]);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout).toContain(`+ import → CONN-b: 5 numbers\n    ${number(4)}\n`);
    });
  });

  it("colour on a terminal only: NO_COLOR and TERM=dumb turn it off, FORCE_COLOR on off a terminal; NO_COLOR wins", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const file = await t.file("d.json", {
        agentId: AGENT,
        connectors: { "CONN-support": { asrLangCode: "en-GB" } },
        phoneNumbers: { "+442079460000": "CONN-support", "+442079460009": "CONN-main" },
      });
      const url = ["--base-url", t.mock.url];
      const env = (more: Record<string, string> = {}) => ({ POLYAI_API_KEY: KEY, ...more });
      const tty = await cliWith(["plan", file, ...url], { terminal: 80 });
      expect(tty.stdout).toContain(`${ESC}[33m~ connector CONN-support${ESC}[0m\n`);
      expect(tty.stdout).toContain(`${ESC}[33m~ CONN-main → CONN-support: 1 number${ESC}[0m\n`);
      expect(tty.stdout).toContain(`${ESC}[32m+ import → CONN-main: 1 number${ESC}[0m\n`);
      // Only the marked lines: the summary and the fields are plain.
      expect(tty.stdout).toContain(`\n    asrLangCode  "en-US" → "en-GB"\n`);
      const plain = tty.stdout.replaceAll(/\u001b\[[0-9;]*m/g, "");
      const piped = await cliWith(["plan", file, ...url]);
      expect(piped.stdout).toBe(plain);
      for (const more of [{ NO_COLOR: "1" }, { TERM: "dumb" }, { FORCE_COLOR: "0" }]) {
        const r = await cliWith(["plan", file, ...url], { terminal: 80, env: env(more) });
        expect(r.stdout, JSON.stringify(more)).toBe(plain);
      }
      const forced = await cliWith(["plan", file, ...url], { env: env({ FORCE_COLOR: "1" }) });
      expect(forced.stdout).toBe(tty.stdout);
      const both = await cliWith(["plan", file, ...url], {
        env: env({ FORCE_COLOR: "1", NO_COLOR: "1" }),
      });
      expect(both.stdout).toBe(plain);
      // --json on a terminal: the JSON is never coloured.
      const json = await cliWith(["plan", file, "--json", ...url], { terminal: 80 });
      expect(json.stdout).not.toContain(ESC);
    });
  });

  it("a hostile connector ID from the server (ESC, bidi, line breaks, quotes) is quoted and escaped, never raw, and adds no colour", async ({
    expect,
  }) => {
    const hostile = 'CONN-\u001b[31mX\u202e\n\u2028" → CONN-b';
    // The spec allows printable ASCII only: a server that breaks it, as the answer is read.
    const rewriting: typeof fetch = async (input, init) => {
      const answer = await fetch(input, init);
      const text = (await answer.text()).replaceAll('"CONN-evil"', JSON.stringify(hostile));
      return new Response(text, { status: answer.status, headers: answer.headers });
    };
    await withSetup(
      {
        connectors: [connector("CONN-main"), connector("CONN-evil")],
        phoneNumbers: [{ number: "+442079460000", agentId: AGENT, connectorId: "CONN-evil" }],
      },
      async (t) => {
        const file = await t.file("d.json", {
          agentId: AGENT,
          phoneNumbers: { "+442079460000": "CONN-main" },
        });
        for (const terminal of [80, undefined]) {
          const r = await cliWith(["plan", file, "--base-url", t.mock.url], {
            terminal,
            fetch: rewriting,
          });
          expect(r.code, r.stderr).toBe(2);
          const shown = r.stdout.replaceAll(/\u001b\[33m|\u001b\[0m/g, "");
          expect(shown).not.toMatch(/[\u001b\u202e\u2028]/);
          expect(shown).toContain(
            '\n~ "CONN-\\u001b[31mX\\u202e\\n\\u2028\\" → CONN-b" → CONN-main: 1 number\n    +442079460000\n',
          );
        }
      },
    );
  });
});

describe("renderPlan at scale (#22)", () => {
  const plan = (changes: PhoneNumberChange[]): Plan => ({
    kind: "polyai-connectors/plan",
    version: 1,
    agentId: AGENT,
    fingerprint: "fp1:0",
    digest: "pd1:0",
    connectors: [],
    phoneNumbers: changes,
    desired: { agentId: AGENT, connectors: {}, phoneNumbers: {} },
  });

  it("100,000 numbers, each on a route of its own: the default view stays 30 lines; full lists each", ({
    expect,
  }) => {
    const changes: PhoneNumberChange[] = [];
    for (let i = 0; i < 100_000; i++)
      changes.push({ number: number(i), action: "reassign", from: `CONN-${i}`, to: "CONN-x" });
    const lines = renderPlan(plan(changes)).split("\n");
    expect(lines.length).toBe(1 + 8 * 3 + 2);
    expect(lines.at(-1)).toBe("… and 99992 more groups (99992 numbers)");
    const full = renderPlan(plan(changes), { full: true }).split("\n");
    expect(full.filter((l) => l.startsWith("    +"))).toHaveLength(100_000);
  });

  it("warnings: alike ones are one line in plan order; past 10 kinds the rest are counted; full lists each", ({
    expect,
  }) => {
    const warnings: PlanWarning[] = [];
    for (let i = 0; i < 12; i++)
      for (let j = 0; j < 3; j++)
        warnings.push({
          path: `phoneNumbers.${number(i * 3 + j)}`,
          code: "NUMBER_CLIENT_ENV_MISMATCH",
          message: `kind ${i}`,
        });
    const p = { ...plan([]), warnings };
    const lines = renderPlan(p).split("\n");
    expect(lines.slice(1, 3)).toEqual([
      `! phoneNumbers.${number(0)} (and 2 more): kind 0`,
      `! phoneNumbers.${number(3)} (and 2 more): kind 1`,
    ]);
    expect(lines.filter((l) => l.startsWith("! "))).toHaveLength(11);
    expect(lines.at(-1)).toBe("! and 6 more warnings (--full or --json lists them all)");
    const full = renderPlan(p, { full: true }).split("\n");
    expect(full.slice(1)).toEqual(warnings.map((w) => `! ${w.path}: ${w.message}`));
  });

  it("checks its options, naming the field", ({ expect }) => {
    expect(() => renderPlan(plan([]), { full: "yes" as unknown as boolean })).toThrow(
      "options.full: expected a boolean, got a string",
    );
    expect(() => renderPlan(plan([]), { ful: true } as never)).toThrow(/options\.ful/);
  });
});
