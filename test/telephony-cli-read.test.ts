// #22: the read commands through the CLI in process: `connectors list`, `numbers
// list [--connector]`, `lookup +E164`. A table on a terminal, tab-separated lines
// piped, --json for scripts; exit 0 found, 1 error or not found; every cell escaped.
import { describe, it } from "vitest";
import { displayWidth, table } from "../src/telephony/cli/table.js";
import type { Connector, PhoneNumber } from "../src/index.js";
import { cliWith } from "./support/cli-in-process.js";
import { AGENT, connector, KEY, runsKeyless, withSetup } from "./support/telephony-cli.js";

const read = (t: { mock: { url: string } }, args: string[], terminal?: number) =>
  cliWith([...args, "--agent", AGENT, "--base-url", t.mock.url], { terminal });

const UNROUTED = { number: "+442079460099", agentId: AGENT, clientEnv: "sandbox" as const };

describe.concurrent("connectors list (#22)", () => {
  it("piped: one tab-separated line per connector, sorted, no header; a terminal: an aligned table; --json: every field", async ({
    expect,
  }) => {
    await withSetup({ phoneNumbers: [UNROUTED] }, async (t) => {
      const piped = await read(t, ["connectors", "list"]);
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stderr).toBe("");
      expect(piped.stdout).toBe(
        [
          "CONN-main\tLine CONN-main\tlive\ten-US-Neural2-C\ten-US\tVARIANT-spring\t1",
          "CONN-other\tLine CONN-other\tlive\ten-US-Neural2-C\ten-US\t-\t1",
          "CONN-support\tLine CONN-support\tlive\ten-US-Neural2-C\ten-US\t-\t0",
          "",
        ].join("\n"),
      );
      const tty = await read(t, ["connectors", "list"], 120);
      expect(tty.stdout).toBe(
        [
          "CONNECTOR     NAME               ENV   VOICE            ASR    VARIANT         NUMBERS",
          "CONN-main     Line CONN-main     live  en-US-Neural2-C  en-US  VARIANT-spring        1",
          "CONN-other    Line CONN-other    live  en-US-Neural2-C  en-US  -                     1",
          "CONN-support  Line CONN-support  live  en-US-Neural2-C  en-US  -                     0",
          "",
        ].join("\n"),
      );
      const before = t.mock.requests.length;
      const json = await read(t, ["connectors", "list", "--json"]);
      expect(t.mock.requests.slice(before).map((r) => r.path)).toEqual([
        `/v1/agents/${AGENT}/telephony/connectors`,
      ]);
      const parsed = JSON.parse(json.stdout) as { ok: boolean; connectors: Connector[] };
      expect(parsed.ok).toBe(true);
      expect(parsed.connectors.map((c) => c.connectorId)).toEqual([
        "CONN-main",
        "CONN-other",
        "CONN-support",
      ]);
      expect(parsed.connectors[0]).toMatchObject({ projectId: AGENT, disableHandoff: false });
      expect(t.mock.requests.every((r) => r.method === "GET")).toBe(true);
      runsKeyless(expect, piped, tty, json);
    });
  });

  it("a terminal that reports 0 columns (`script`, a container's pty) is taken as 80 wide, not cut to nothing", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const unknown = await read(t, ["connectors", "list"], 0);
      expect(unknown.stdout).toBe((await read(t, ["connectors", "list"], 80)).stdout);
      // 85 cells uncut: at 80 the free text gives the 5 it lacks; at 0 it would be cut to 8 cells.
      expect(unknown.stdout.split("\n")[1]).toBe(
        "CONN-main     Line CONN-ma…  live  en-US-Neural…  en-US  VARIANT-spring        1",
      );
    });
  });

  it("hostile values (tab, newline, ESC, bidi, a 300-character name, wide characters) stay escaped and in their column; a terminal row fits its width", async ({
    expect,
  }) => {
    const name = `evil\tname\n\u001b]0;owned\u0007\u202eX${"y".repeat(300)}`;
    await withSetup(
      {
        connectors: [
          connector("CONN-evil", { name }),
          connector("CONN-wide", { name: "東京の回線😀" }),
        ],
      },
      async (t) => {
        const piped = await read(t, ["connectors", "list"]);
        const rows = piped.stdout.trimEnd().split("\n");
        expect(rows).toHaveLength(2);
        for (const row of rows) expect(row.split("\t")).toHaveLength(7);
        expect(piped.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
        expect(rows[0]).toContain(
          `evil\\u0009name\\u000a\\u001b]0;owned\\u0007\\u202eX${"y".repeat(300)}\t`,
        );
        for (const width of [80, 60]) {
          const tty = await read(t, ["connectors", "list"], width);
          const lines = tty.stdout.trimEnd().split("\n");
          expect(lines).toHaveLength(3);
          expect(tty.stdout).not.toMatch(/[\u001b\u0007\u202e]/);
          for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(width);
          // IDs are never cut; the name is, with an ellipsis.
          expect(lines[1]).toMatch(/^CONN-evil  evil\\u0.*…/);
          expect(lines[2]).toMatch(
            width === 80 ? /^CONN-wide {2}東京の回線😀 / : /^CONN-wide {2}東京の… /,
          );
          // Aligned by display width: ENV starts at the same cell on every row, wide characters or not.
          const envAt = (line: string) => displayWidth(line.slice(0, line.search(/ (ENV|live)/)));
          expect(new Set(lines.map(envAt)).size).toBe(1);
        }
      },
    );
  });
});

describe.concurrent("read commands: the key (#22)", () => {
  it("a server value holding the key is printed redacted in the table, the lines and the JSON; a cut cell keeps no part of it", async ({
    expect,
  }) => {
    await withSetup(
      {
        connectors: [
          connector("CONN-main", { name: `line ${KEY}`, variantId: encodeURIComponent(KEY) }),
          // Cut to fit a terminal, a name must not keep part of the key.
          connector("CONN-long", { name: `${KEY}${"m".repeat(40)}` }),
        ],
      },
      async (t) => {
        const runs = [
          await read(t, ["connectors", "list"]),
          await read(t, ["connectors", "list"], 200),
          await read(t, ["connectors", "list", "--json"]),
          await read(t, ["connectors", "list"], 60),
        ];
        for (const r of runs.slice(0, 3)) expect(r.stdout).toContain("[redacted]");
        expect(runs[3]?.stdout).toMatch(/^CONN-long {2}\[redac?t?…/m);
        for (const r of runs) expect(r.stdout).not.toContain(KEY.slice(0, 6));
        runsKeyless(expect, ...runs);
      },
    );
  });
});

describe.concurrent("numbers list (#22)", () => {
  it("every number with its connector (- when it routes nowhere); --connector only that connector's; an unknown one is exit 1", async ({
    expect,
  }) => {
    await withSetup({ phoneNumbers: [UNROUTED] }, async (t) => {
      const all = await read(t, ["numbers", "list"]);
      expect(all.code, all.stderr).toBe(0);
      expect(all.stdout).toBe(
        "+442079460000\tCONN-main\tlive\n+442079460011\tCONN-other\tlive\n+442079460099\t-\tsandbox\n",
      );
      const tty = await read(t, ["numbers", "list"], 80);
      expect(tty.stdout.split("\n").slice(0, 2)).toEqual([
        "NUMBER         CONNECTOR   ENV",
        "+442079460000  CONN-main   live",
      ]);
      const one = await read(t, ["numbers", "list", "--connector", "CONN-other"]);
      expect(one.stdout).toBe("+442079460011\tCONN-other\tlive\n");
      const none = await read(t, ["numbers", "list", "--connector", "CONN-support"]);
      expect([none.code, none.stdout]).toEqual([0, ""]);
      const json = await read(t, ["numbers", "list", "--json"]);
      const parsed = JSON.parse(json.stdout) as { ok: true; phoneNumbers: PhoneNumber[] };
      expect(parsed.phoneNumbers.map((n) => n.number)).toEqual([
        "+442079460000",
        "+442079460011",
        "+442079460099",
      ]);
      expect(parsed.phoneNumbers[2]).not.toHaveProperty("connectorId");

      const typo = await read(t, ["numbers", "list", "--connector", "CONN-typo"]);
      expect(typo.code).toBe(1);
      expect(typo.stdout).toBe("");
      expect(typo.stderr).toBe(
        `polyai-connectors: --connector CONN-typo: agent ${AGENT} has no such connector\n`,
      );
      const typoJson = await read(t, ["numbers", "list", "--connector", "CONN-typo", "--json"]);
      expect(JSON.parse(typoJson.stdout)).toMatchObject({
        ok: false,
        error: { name: "CliError", code: "UNKNOWN_CONNECTOR" },
      });
    });
  });

  it("100,000 numbers (13 MB of JSON, over the library's 10 MiB default): every one listed, one line each", async ({
    expect,
  }) => {
    const phoneNumbers = Array.from({ length: 100_000 }, (_, i) => ({
      number: `+44207${String(i).padStart(7, "0")}`,
      agentId: AGENT,
      connectorId: "CONN-support",
    }));
    await withSetup({ phoneNumbers }, async (t) => {
      const r = await read(t, ["numbers", "list", "--connector", "CONN-support"]);
      expect(r.code, r.stderr).toBe(0);
      const lines = r.stdout.trimEnd().split("\n");
      expect(lines).toHaveLength(100_000);
      expect(lines[99_999]).toBe("+442070099999\tCONN-support\tlive");
      const tty = await read(t, ["numbers", "list"], 80);
      expect(tty.stdout.trimEnd().split("\n")).toHaveLength(100_003);
    });
  });
});

describe.concurrent("lookup (#22)", () => {
  it("found: exit 0, the connector's row (--json: the connector); not found or unrouted: exit 1 naming the number", async ({
    expect,
  }) => {
    await withSetup({ phoneNumbers: [UNROUTED] }, async (t) => {
      const found = await read(t, ["lookup", "+442079460011"]);
      expect(found.code, found.stderr).toBe(0);
      expect(found.stdout).toBe("CONN-other\tLine CONN-other\tlive\ten-US-Neural2-C\ten-US\t-\n");
      const json = await read(t, ["lookup", "+442079460011", "--json"]);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: true,
        connector: { connectorId: "CONN-other", projectId: AGENT },
      });
      for (const number of ["+442079460055", UNROUTED.number]) {
        const missing = await read(t, ["lookup", number]);
        expect(missing.code).toBe(1);
        expect(missing.stdout).toBe("");
        expect(missing.stderr).toContain(
          `polyai-connectors: ${number}: not found: agent ${AGENT} has no such number, or it routes to no connector`,
        );
        const asJson = await read(t, ["lookup", number, "--json"]);
        expect(JSON.parse(asJson.stdout)).toMatchObject({
          ok: false,
          error: { name: "NotFoundError", status: 404 },
        });
      }
    });
  });
});

describe.concurrent("read commands: the command line (#22)", () => {
  it("usage errors name what is wrong, before any request; the key handling is plan's", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const url = ["--base-url", t.mock.url];
      const cases: [string[], string][] = [
        [["connectors"], "connectors takes the subcommand list"],
        [
          ["connectors", "get", "--agent", AGENT],
          'connectors takes the subcommand list, not "get"',
        ],
        [["numbers", "list"], "numbers list needs --agent PROJECT-ID"],
        [["connectors", "list", "--agent", "PROJECT 1"], "--agent: "],
        [
          ["connectors", "list", "--agent", AGENT, "--connector", "C"],
          "--connector is for numbers list, not connectors list",
        ],
        [["numbers", "list", "--agent", AGENT, "--connector", "batch"], "--connector: "],
        [["lookup", "--agent", AGENT], "lookup needs a phone number (+E164)"],
        [["lookup", "+44 20 7946 0000", "--agent", AGENT], "lookup: contains whitespace"],
        [["lookup", "+442079460000", "extra", "--agent", AGENT], 'unexpected argument "extra"'],
        [
          ["lookup", "+442079460000", "--agent", AGENT, "--out", "x"],
          "--out is for plan and export, not lookup",
        ],
      ];
      for (const [args, message] of cases) {
        const r = await cliWith([...args, ...url]);
        expect(r.code, args.join(" ")).toBe(1);
        expect(r.stderr, args.join(" ")).toContain(`polyai-connectors: ${message}`);
        expect(r.stderr).toMatch(/\(see --help\)\n$/);
      }
      const noKey = await cliWith(["connectors", "list", "--agent", AGENT, ...url], { env: {} });
      expect(noKey.stderr).toContain("POLYAI_API_KEY is not set");
      expect(t.mock.requests).toHaveLength(0);
      const wrongKey = await cliWith(["numbers", "list", "--agent", AGENT, ...url], {
        env: { POLYAI_API_KEY: `${KEY}-wrong` },
      });
      expect(wrongKey.code).toBe(1);
      expect(wrongKey.stderr).toContain("AuthenticationError: 401");
      expect(wrongKey.stderr).not.toContain(`${KEY}-wrong`);
      const help = await cliWith(["--help"]);
      expect(help.stdout).toContain("lookup   0 found, 1 error or not found");
    });
  });
});

describe("table (#22)", () => {
  it("a table too wide for any terminal cuts only the free-text columns, down to 8 cells", ({
    expect,
  }) => {
    const text = table(
      [{ header: "ID" }, { header: "NAME", cut: true }],
      [["X".repeat(50), "n".repeat(50)]],
      20,
      (text) => text,
    );
    expect(text).toBe(`ID${" ".repeat(50)}NAME\n${"X".repeat(50)}  nnnnnnn…\n`);
  });
});
