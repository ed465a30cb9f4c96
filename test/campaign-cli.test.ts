// #23: `polyai-connectors dial` and `call` in process (runCli), against the local
// PolyAI (counted at mock.outboundCalls): CSV and JSON-lines files, every row checked before any
// call (named by line and column), the journal (re-runs, another file's journal,
// a torn or hand-edited one, a path that cannot be written), duplicates, the
// concurrency bound where requests leave, Ctrl-C and SIGTERM, --json, and the key in no output
// or journal. Killing a real process mid-campaign is in campaign-process.test.ts.
import { EventEmitter } from "node:events";
import { link, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { runCli } from "../src/telephony/cli/run.js";
import type { CampaignResult } from "../src/telephony/index.js";
import {
  createMockPolyAI,
  type MockOutboundOptions,
  type MockPolyAI,
  type SeedConnector,
} from "../src/testing/index.js";
import { placedProxy } from "./support/placed-proxy.js";
import { AGENT, countingFetch, KEY, keyless, type Run } from "./support/telephony-cli.js";

class Sink {
  text = "";
  constructor(readonly isTTY = false) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  on(): this {
    return this;
  }
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** The agent's connector: the mock places calls only for an agent it serves. */
const OUTBOUND: SeedConnector = {
  connectorId: "CONN-outbound",
  projectId: AGENT,
  clientEnv: "sandbox",
  voiceName: "en-GB-Neural2-A",
};

interface SceneOptions {
  outbound?: MockOutboundOptions;
  /** Called with the count of each call placed, before its answer reaches the CLI. */
  onPlaced?: (count: number) => void;
}

interface Scene {
  mock: MockPolyAI;
  /** Calls the mock placed, per number. */
  placed(): Map<string, number>;
  dir: string;
  file(name: string, text: string): Promise<string>;
  /** Runs the CLI against the server; `extra` adds io fields. */
  cli(
    args: string[],
    extra?: { fetch?: typeof fetch; tty?: boolean; signals?: EventEmitter },
  ): Promise<Run>;
}

async function scene(options: SceneOptions = {}): Promise<Scene> {
  const mock = await createMockPolyAI({
    apiKey: KEY,
    connectors: [OUTBOUND],
    outbound: options.outbound,
  });
  const proxy = options.onPlaced ? await placedProxy(mock.url, options.onPlaced) : undefined;
  const dir = await mkdtemp(join(tmpdir(), "polyai-campaign-"));
  closers.push(
    async () => {
      await proxy?.close();
      await mock.close();
    },
    () => rm(dir, { recursive: true, force: true }),
  );
  return {
    mock,
    placed: () => {
      const per = new Map<string, number>();
      for (const c of mock.outboundCalls) per.set(c.toNumber, (per.get(c.toNumber) ?? 0) + 1);
      return per;
    },
    dir,
    file: async (name, text) => {
      const path = join(dir, name);
      await writeFile(path, text);
      return path;
    },
    cli: async (args, extra = {}) => {
      const stdout = new Sink();
      const stderr = new Sink(extra.tty);
      const code = await runCli([...args, "--base-url", proxy?.url ?? mock.url], {
        stdout,
        stderr,
        stdin: Object.assign(Readable.from([]), { isTTY: false }),
        env: { POLYAI_API_KEY: KEY },
        version: () => "9.9.9-test",
        fetch: extra.fetch,
        signals: extra.signals,
        pollIntervalMs: 5,
      });
      return { code, stdout: stdout.text, stderr: stderr.text };
    },
  };
}

const number = (i: number) => `+4477009${String(i).padStart(5, "0")}`;
const csvOf = (n: number) =>
  `toNumber,firstName\n${Array.from({ length: n }, (_, i) => `${number(i)},Person ${i}`).join("\n")}\n`;

/** `dial FILE --agent … --env sandbox --journal JOURNAL`, and more flags. */
const dial = (file: string, journal: string, ...more: string[]) => [
  "dial",
  file,
  "--agent",
  AGENT,
  "--env",
  "sandbox",
  "--journal",
  journal,
  ...more,
];

const lines = async (path: string) =>
  (await readFile(path, "utf8"))
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("the file", () => {
  it("CSV as RFC 4180 writes it (BOM, CRLF, quotes, commas and line breaks in fields); other columns are metadata", async () => {
    const s = await scene();
    const csv =
      '\uFEFFtoNumber,countryCode,note,"last, name"\r\n' +
      '+447700900001,,"says ""hi""","Smith, J"\r\n' +
      '07700900002,GB,"two\nlines",\r\n';
    const file = await s.file("rows.csv", csv);
    const run = await s.cli(dial(file, join(s.dir, "j.jsonl")));
    expect(run.code, run.stderr).toBe(0);
    expect(s.mock.outboundCalls.map((c) => [c.toNumber, c.countryCode, c.metadata])).toEqual([
      ["+447700900001", undefined, { note: 'says "hi"', "last, name": "Smith, J" }],
      ["07700900002", "GB", { note: "two\nlines" }],
    ]);
    expect(run.stdout).toContain(
      "Campaign of 2 rows for agent PROJECT-58RP822I in sandbox: 2 placed",
    );
  });

  it("a CSV saved in Latin-1 is refused by the line of its first non-UTF-8 byte, before any call", async () => {
    const s = await scene();
    const file = join(s.dir, "latin1.csv");
    await writeFile(file, Buffer.from(`toNumber,name\n${number(0)},Zoé\n`, "latin1"));
    const run = await s.cli([...dial(file, join(s.dir, "j.jsonl")), "--json"]);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).error).toMatchObject({ code: "FILE_INVALID" });
    expect(run.stderr).toContain("line 2: not UTF-8 text");
    expect(s.mock.outboundCalls).toEqual([]);
  });

  it("JSON lines, by extension or by content", async () => {
    const s = await scene();
    const text = `{"toNumber":"+447700900001","metadata":{"a":"1"}}\n\n{"toNumber":"+447700900002"}\n`;
    for (const name of ["rows.jsonl", "rows.txt"]) {
      const run = await s.cli(dial(await s.file(name, text), join(s.dir, `${name}.journal`)));
      expect(run.code, run.stderr).toBe(0);
    }
    expect([...s.placed().values()]).toEqual([2, 2]);
  });

  it.each([
    ["rows.csv", csvOf(3) + "+4477009x,Bad\n", "rows.csv: line 5, column toNumber:"],
    [
      "rows.csv",
      csvOf(3) + `${number(0)},Again\n`,
      "rows.csv: line 5, column toNumber: is the number of line 2 too",
    ],
    [
      "rows.csv",
      'toNumber,name\n+447700900001,"open\n',
      "not valid CSV: a quoted field is not closed (line 2",
    ],
    ["rows.csv", "toNumber,name\n+447700900001\n", "line 2: 1 fields, but the header has 2"],
    [
      "rows.csv",
      "tonumber,name\n+447700900001,a\n",
      'line 1: column "tonumber": did you mean "toNumber"?',
    ],
    ["rows.csv", "phone,name\n+447700900001,a\n", "line 1: no toNumber column"],
    ["rows.csv", "toNumber,a,a\n+447700900001,1,2\n", 'line 1: column "a" is named twice'],
    ["rows.csv", "toNumber,countryCode\n07700900001,gb\n", "line 2, column countryCode:"],
    [
      "rows.jsonl",
      '{"toNumber":"+447700900001"}\n{"toNumber":"+447700900002",}\n',
      "line 2: not valid JSON",
    ],
    [
      "rows.jsonl",
      '{"toNumber":"+447700900001","metadata":{"n":1}}\n',
      "line 1: metadata.n: expected a string",
    ],
    [
      "rows.jsonl",
      '{"toNumber":"+447700900001","variant":"V"}\n',
      "line 1: variant: is not a field of a row; the fields are toNumber",
    ],
    ["rows.csv", "", "the file is empty"],
    [
      "rows.csv",
      `toNumber,a,b\n+447700900001,${"x".repeat(10_000)},${"y".repeat(10_000)}\n`,
      "line 2, the metadata columns together:",
    ],
    ["rows.csv", "toNumber,name\r\n", "the file has a header row and no rows"],
  ])("%s is refused whole, naming the line, before any call: %j", async (name, text, words) => {
    const s = await scene();
    const journal = join(s.dir, "j.jsonl");
    const run = await s.cli([...dial(await s.file(name, text), journal), "--json"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(words);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      error: { code: expect.any(String) },
    });
    expect(s.mock.outboundCalls).toEqual([]);
    // Nothing dialled, and no journal left behind.
    await expect(stat(journal)).rejects.toThrow(/ENOENT/);
  });

  // #23: the header was checked with names.indexOf per column, quadratic: 100,000
  // columns took 22 s to refuse; 200,000 would pass the hang guard.
  it.each([
    ["c7", 'line 1: column "c7" is named twice'],
    ["to_number", 'line 1: column "to_number": did you mean "toNumber"?'],
  ])(
    "a header of 200,000 columns ending in %j is refused with its message",
    async (last, words) => {
      const s = await scene();
      const names = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
      const text = `toNumber,${names.join(",")},${last}\n${number(1)}${",".repeat(200_001)}\n`;
      const run = await s.cli(dial(await s.file("wide.csv", text), join(s.dir, "j.jsonl")));
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(words);
      expect(s.mock.outboundCalls).toEqual([]);
    },
  );

  it("a header of 200,000 distinct columns is read, its empty cells left out", async () => {
    const s = await scene();
    const names = Array.from({ length: 200_000 }, (_, i) => `c${i}`);
    const text = `${names.join(",")},toNumber\n${",".repeat(200_000)}${number(1)}\n`;
    const run = await s.cli(dial(await s.file("wide.csv", text), join(s.dir, "j.jsonl")));
    expect(run.code, run.stderr).toBe(0);
    expect(s.mock.outboundCalls.map((c) => [c.toNumber, c.metadata])).toEqual([[number(1), {}]]);
  });

  it("a number twice is dialled twice only with --allow-duplicates", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", `toNumber\n${number(1)}\n${number(1)}\n`);
    const refused = await s.cli(dial(file, join(s.dir, "a.jsonl")));
    expect(refused.stderr).toContain("line 3, column toNumber: is the number of line 2 too");
    const run = await s.cli(dial(file, join(s.dir, "b.jsonl"), "--allow-duplicates"));
    expect(run.code, run.stderr).toBe(0);
    expect(s.placed().get(number(1))).toBe(2);
  });

  it("100,000 rows are checked in full: one bad row at the end, nothing dialled", async () => {
    const s = await scene();
    const file = await s.file("big.csv", csvOf(100_000) + "not-a-number,x\n");
    const started = performance.now();
    const run = await s.cli(dial(file, join(s.dir, "j.jsonl")));
    console.log(`100,001-row CSV refused in ${Math.round(performance.now() - started)} ms`);
    expect(run.stderr).toContain("line 100002, column toNumber:");
    expect(s.mock.outboundCalls).toEqual([]);
  });
});

describe("the journal", () => {
  it("a re-run dials nothing already placed, and dials what was refused before sending", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(4));
    const journal = join(s.dir, "j.jsonl");
    // The first trigger is refused (403): one at a time, so it is row 0's.
    s.mock.failNext({ operation: "createOutboundCall", status: 403 });
    const first = await s.cli(dial(file, journal, "--concurrency", "1"));
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("3 placed (4 dialled by this run), 1 refused");
    expect(first.stdout).toContain(
      "Refused, certainly not placed (a re-run dials them again) (1):",
    );
    expect(first.stdout).toMatch(/line 2 \+447700900000: PermissionDeniedError/);
    const second = await s.cli(dial(file, journal, "--json"));
    expect(second.code, second.stderr).toBe(0);
    const result = JSON.parse(second.stdout) as CampaignResult;
    expect(result).toMatchObject({ ok: true, placed: 4, dialledNow: 1 });
    expect(result.rows[0]).toMatchObject({
      line: 2,
      row: 0,
      toNumber: number(0),
      dialledNow: true,
    });
    expect([...s.placed().values()]).toEqual([1, 1, 1, 1]);
    const third = await s.cli(dial(file, journal));
    expect(third.code).toBe(0);
    expect(third.stdout).toContain("4 placed (0 dialled by this run)");
    expect(s.mock.outboundCalls).toHaveLength(4);
    expect((await lines(journal)).map((l) => l["type"])).toEqual([
      "campaign",
      ...Array(8).fill(expect.stringMatching(/attempting|placed|refused/)),
      "attempting",
      "placed",
    ]);
  });

  it("--wait journals each call's end; a re-run with --wait waits for calls placed earlier, never dialling them", async () => {
    const s = await scene({
      outbound: { outcomes: { [number(1)]: { status: "FAILURE", reason: "no answer" } } },
    });
    const file = await s.file("rows.csv", csvOf(3));
    const journal = join(s.dir, "j.jsonl");
    const placed = await s.cli(dial(file, journal));
    expect(placed.code).toBe(0);
    const waited = await s.cli(dial(file, journal, "--wait"));
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain("3 placed (0 dialled by this run)");
    expect(waited.stdout).toContain("Ended: 3 (2 SUCCESS, 1 FAILURE); not ended: 0.");
    expect(waited.stdout).toContain("Ended in FAILURE (1):\n  line 3 +447700900001: no answer");
    expect([...s.placed().values()]).toEqual([1, 1, 1]);
    const ended = (await lines(journal)).filter((l) => l["type"] === "ended");
    expect(ended.map((l) => l["status"]).sort()).toEqual(["FAILURE", "SUCCESS", "SUCCESS"]);
  });

  it("--wait-timeout ends an unwatched wait: a call that does not end is listed, exit 1, and never dialled again", async () => {
    const s = await scene({ outbound: { readsPerStep: 1_000_000 } });
    const file = await s.file("rows.csv", csvOf(2));
    const journal = join(s.dir, "j.jsonl");
    const run = await s.cli(dial(file, journal, "--wait", "--wait-timeout", "1s"));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("Ended: 0 (0 SUCCESS, 0 FAILURE); not ended: 2.");
    expect(run.stdout).toContain(
      `Placed, not seen to end (2):\n  line 2 ${number(0)}: CallWaitTimeoutError: had not ended after 1000 ms (waitTimeoutMs); its last status was QUEUED`,
    );
    const again = await s.cli(dial(file, journal, "--json"));
    expect(again.code, again.stderr).toBe(0);
    expect([...s.placed().values()]).toEqual([1, 1]);
  });

  it("a connection refused (nothing sent) is refused, certainly not placed: the re-run dials it", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(2));
    const journal = join(s.dir, "j.jsonl");
    const closed = await createMockPolyAI({ apiKey: KEY });
    await closed.close(); // a port nothing listens on now
    const args = dial(file, journal, "--json");
    const refused = await runCli([...args, "--base-url", closed.url], {
      stdout: new Sink(),
      stderr: new Sink(),
      stdin: Object.assign(Readable.from([]), { isTTY: false }),
      env: { POLYAI_API_KEY: KEY },
      version: () => "9.9.9-test",
    });
    expect(refused).toBe(1);
    expect((await lines(journal)).filter((l) => l["type"] === "refused")).toHaveLength(2);
    const again = await s.cli(dial(file, journal));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain("2 placed (2 dialled by this run)");
  });

  it("a journal of another file, agent or environment is refused before any call", async () => {
    const s = await scene();
    const journal = join(s.dir, "j.jsonl");
    await s.cli(dial(await s.file("a.csv", csvOf(3)), journal));
    const other = await s.file("b.csv", csvOf(4));
    const runs = [
      await s.cli([...dial(other, journal), "--json"]),
      await s.cli(
        dial(await s.file("a.csv", csvOf(3)), journal).map((a) => (a === "sandbox" ? "live" : a)),
      ),
      await s.cli(
        dial(await s.file("a.csv", csvOf(3)), journal).map((a) =>
          a === AGENT ? "PROJECT-OTHER01" : a,
        ),
      ),
    ];
    for (const run of runs) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`--journal ${journal}: the journal is for`);
    }
    expect(JSON.parse(runs[0]!.stdout)).toMatchObject({
      ok: false,
      error: { name: "JournalMismatchError", code: "JOURNAL_MISMATCH" },
    });
    expect(s.mock.outboundCalls).toHaveLength(3);
  });

  it("a torn last line (killed mid-write) is dropped; a line edited out of shape is refused by its line", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(3));
    const journal = join(s.dir, "j.jsonl");
    await s.cli(dial(file, journal, "--concurrency", "1"));
    const whole = await readFile(journal, "utf8");
    // Cut into the last line (row 2's "placed"): row 2 is then attempted without result.
    await writeFile(journal, whole.slice(0, whole.length - 20));
    const torn = await s.cli(dial(file, journal, "--json"));
    expect(torn.code).toBe(1);
    expect(JSON.parse(torn.stdout)).toMatchObject({ placed: 2, unknown: 1, dialledNow: 0 });
    // The torn tail was cut off before anything was appended: every line parses.
    expect((await lines(journal)).length).toBe(6);
    expect(s.mock.outboundCalls).toHaveLength(3);

    const edited = whole.split("\n");
    edited[3] = "{not json";
    await writeFile(journal, edited.join("\n"));
    const run = await s.cli([...dial(file, journal), "--json"]);
    expect(run.stderr).toContain(`--journal ${journal}: line 4: not a JSON line (edited by hand?)`);
    expect(JSON.parse(run.stdout).error.code).toBe("JOURNAL_INVALID");
    expect(s.mock.outboundCalls).toHaveLength(3);
  });

  it("a whole last line without its newline (saved so by an editor) is kept: its row is not dialled again", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(3));
    const journal = join(s.dir, "j.jsonl");
    await s.cli(dial(file, journal, "--concurrency", "1"));
    // Row 2's result line dropped and the newline after its `attempting` line with it.
    const kept = (await readFile(journal, "utf8")).split("\n").slice(0, 6);
    expect(JSON.parse(kept[5] ?? "")).toMatchObject({ type: "attempting", row: 2 });
    await writeFile(journal, kept.join("\n"));
    const run = await s.cli(dial(file, journal, "--json"));
    expect(JSON.parse(run.stdout)).toMatchObject({ placed: 2, unknown: 1, dialledNow: 0 });
    expect(s.mock.outboundCalls).toHaveLength(3);
    // Its newline restored: the journal reads back line by line.
    expect((await lines(journal)).length).toBe(6);
  });

  it("a journal that cannot be written is refused before any call", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(2));
    // Root writes through file modes; sysfs takes no new file from anyone.
    for (const journal of [
      "/sys/kernel/campaign.jsonl",
      join(s.dir, "no-such-dir", "j.jsonl"),
      "/dev/null",
      s.dir,
    ]) {
      const run = await s.cli([...dial(file, journal), "--json"]);
      expect(run.code).toBe(1);
      expect(JSON.parse(run.stdout).error.code).toBe("JOURNAL_UNWRITABLE");
      expect(run.stderr).toMatch(
        new RegExp(`--journal ${journal}: (cannot|is not a regular file)`),
      );
    }
    const same = await s.cli(dial(file, file));
    expect(same.stderr).toContain("is the file of rows");
    expect(s.mock.outboundCalls).toEqual([]);
  });

  it("a journal in use by a live run is refused; a lock left by a dead one is taken over", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(2));
    const journal = join(s.dir, "j.jsonl");
    await writeFile(`${journal}.lock`, `${process.pid}\n`);
    const locked = await s.cli([...dial(file, journal), "--json"]);
    expect(JSON.parse(locked.stdout).error.code).toBe("JOURNAL_LOCKED");
    // A dead run's PID now another program's: the message says how to go on.
    expect(locked.stderr).toContain(`is another program: remove ${journal}.lock`);
    expect(s.mock.outboundCalls).toEqual([]);
    await writeFile(`${journal}.lock`, "2147483646\n");
    const run = await s.cli(dial(file, journal));
    expect(run.code, run.stderr).toBe(0);
    await expect(stat(`${journal}.lock`)).rejects.toThrow(/ENOENT/);
  });

  it("the lock is the file's: a run through a symlink sees the other's lock; a journal with a second name (hard link) is refused", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(20));
    const journal = join(s.dir, "run.jsonl");
    const alias = join(s.dir, "alias.jsonl");
    await symlink(journal, alias); // dangling until a run creates the journal
    // A live run (this process) holds the journal's lock: the alias sees it.
    await writeFile(`${journal}.lock`, `${process.pid}\n`);
    const refused = await s.cli([...dial(file, alias), "--json"]);
    expect(JSON.parse(refused.stdout).error.code).toBe("JOURNAL_LOCKED");
    expect(s.mock.outboundCalls).toEqual([]);
    await rm(`${journal}.lock`);
    // Through the alias, the lock taken is the file's, and released at the end.
    const run = await s.cli(dial(file, alias));
    expect(run.code, run.stderr).toBe(0);
    await expect(stat(`${alias}.lock`)).rejects.toThrow(/ENOENT/);
    await expect(stat(`${journal}.lock`)).rejects.toThrow(/ENOENT/);
    expect([...s.placed().values()]).toEqual(Array(20).fill(1));
    await link(journal, join(s.dir, "hard.jsonl"));
    for (const name of [journal, alias]) {
      const linked = await s.cli([...dial(file, name), "--json"]);
      expect(JSON.parse(linked.stdout).error).toMatchObject({ code: "JOURNAL_LOCKED" });
      expect(linked.stderr).toContain("the file has 2 names (hard links)");
    }
    expect(s.mock.outboundCalls).toHaveLength(20);
  });

  it("two runs that find the same dead run's lock at once: one takes it over, the other is refused", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(2));
    // Each round a fresh journal with a stale lock; both runs race for it (one process:
    // the loser reads the winner's PID, which is alive).
    for (let round = 0; round < 10; round++) {
      const journal = join(s.dir, `j${round}.jsonl`);
      await writeFile(`${journal}.lock`, "2147483646\n");
      const runs = await Promise.all([s.cli(dial(file, journal)), s.cli(dial(file, journal))]);
      const refused = runs.filter((r) => r.stderr.includes("another run (process"));
      expect(refused, runs.map((r) => r.stderr).join("\n")).toHaveLength(1);
      expect(s.mock.outboundCalls).toHaveLength(2 * (round + 1));
    }
  });

  it("the key never reaches the output or the journal, and hostile values stay on their line", async () => {
    const s = await scene();
    // The first trigger (row 0, one at a time) is refused with the key and escapes in its message.
    s.mock.failNext({
      operation: "createOutboundCall",
      status: 400,
      message: `bad \u001b]0;pwned\u0007 ${KEY}`,
    });
    const file = await s.file(
      "rows.jsonl",
      `{"toNumber":"${number(1)}"}\n{"toNumber":"${number(0)}","metadata":{"k":"${KEY}","esc":"\\u001b[2J"}}\n`,
    );
    const journal = join(s.dir, "j.jsonl");
    const run = await s.cli(dial(file, journal, "--concurrency", "1"));
    expect(run.code).toBe(1);
    const text = await readFile(journal, "utf8");
    keyless(expect, run.stdout, run.stderr, text);
    expect(run.stdout).not.toContain("\u001b");
    expect(text).not.toContain("\u001b");
    // Metadata goes to the server as given (the key the user put there included), never to the journal.
    expect(s.mock.outboundCalls.map((c) => c.metadata)).toEqual([{ k: KEY, esc: "\u001b[2J" }]);
    expect(text).toContain("[redacted]");
    expect(text).not.toContain("esc");
  });
});

describe("bounds, progress, Ctrl-C", () => {
  it("--concurrency bounds the requests in flight where they leave", async () => {
    const s = await scene();
    s.mock.delay(5);
    const file = await s.file("rows.csv", csvOf(60));
    for (const n of [1, 4, 16]) {
      const counter = countingFetch();
      const run = await s.cli(dial(file, join(s.dir, `j${n}.jsonl`), "--concurrency", String(n)), {
        fetch: counter.fetch,
      });
      expect(run.code, run.stderr).toBe(0);
      expect(counter.sent).toBe(60);
      expect(counter.most).toBe(n);
    }
  });

  it("progress is shown on a terminal only; the summary at the end", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(30));
    const tty = await s.cli(dial(file, join(s.dir, "a.jsonl")), { tty: true });
    expect(tty.stderr).toContain("\rDialling: 30/30 (100%)\n");
    const piped = await s.cli(dial(file, join(s.dir, "b.jsonl"), "--allow-duplicates"));
    expect(piped.stderr).toBe("");
    expect(piped.stdout).toMatch(/^Campaign of 30 rows/);
  });

  it.each(["SIGINT", "SIGTERM"])(
    "%s starts no new call; calls sent are journaled; the re-run dials the rest",
    async (name) => {
      const signals = new EventEmitter();
      const s = await scene({ onPlaced: (n) => void (n === 5 && signals.emit(name)) });
      const file = await s.file("rows.csv", csvOf(40));
      const journal = join(s.dir, "j.jsonl");
      const run = await s.cli(dial(file, journal, "--concurrency", "2", "--json"), { signals });
      expect(run.code).toBe(1);
      const result = JSON.parse(run.stdout) as CampaignResult;
      expect(result.placed).toBeGreaterThanOrEqual(5);
      expect(result.placed + result.notDialled + result.refused).toBe(40);
      expect(result.unknown).toBe(0);
      expect(run.stderr).toContain("Stopping: no new call is started");
      expect(signals.eventNames()).toEqual([]);
      const again = await s.cli(dial(file, journal));
      expect(again.code, again.stderr).toBe(0);
      expect([...s.placed().values()].every((n) => n === 1)).toBe(true);
      expect(s.placed().size).toBe(40);
    },
  );
});

describe("the command line", () => {
  it.each([
    [["dial", "x.csv", "--agent", AGENT, "--env", "sandbox"], "dial needs --journal FILE"],
    [["dial", "x.csv", "--agent", AGENT, "--journal", "j"], "dial needs --env"],
    [["dial", "x.csv", "--env", "sandbox", "--journal", "j"], "dial needs --agent"],
    [
      ["dial", "x.csv", "--agent", AGENT, "--env", "prerelease", "--journal", "j"],
      'did you mean "pre-release"?',
    ],
    [
      ["dial", "x.csv", "--agent", AGENT, "--env", "live1", "--journal", "j"],
      '--env "live1" is not an environment; did you mean "live"?',
    ],
    [
      ["dial", "x.csv", "--agent", AGENT, "--env", "dive", "--journal", "j"],
      '--env "dive" is not an environment; expected one of sandbox, pre-release, live',
    ],
    [
      ["dial", "x.csv", "--agent", AGENT, "--env", "sanbox", "--journal", "j"],
      'did you mean "sandbox"?',
    ],
    [
      ["dial", "x.csv", "--agent", AGENT, "--env", "live", "--journal", "j", "--rate", "0"],
      "--rate: expected calls per second",
    ],
    [
      [
        "dial",
        "x.csv",
        "--agent",
        AGENT,
        "--env",
        "live",
        "--journal",
        "j",
        "--concurrency",
        "999",
      ],
      "--concurrency: expected a whole number from 1 to 256",
    ],
    [
      ["call", "+447700900001", "--agent", AGENT, "--env", "live", "--journal", "j"],
      "--journal is for dial, not call",
    ],
    [["plan", "x.json", "--wait"], "--wait is for dial and call, not plan"],
    [
      ["call", "+447700900001", "--agent", AGENT, "--env", "live", "--wait-timeout", "60"],
      "--wait-timeout is only for --wait",
    ],
    ...["0", "10x", "5d", "1.5min", "99999999h"].map((t): [string[], string] => [
      ["call", "+447700900001", "--agent", AGENT, "--env", "live", "--wait", "--wait-timeout", t],
      "--wait-timeout: expected a time from 1 s to 24 days",
    ]),
    [["call", "--agent", AGENT, "--env", "live"], "call needs the number to call"],
  ])("%j is refused before anything is read: %s", async (args, words) => {
    const s = await scene();
    const run = await s.cli(args);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(words);
    expect(s.mock.outboundCalls).toEqual([]);
  });

  it("--rate accepts N, N/s and N/min", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(2));
    for (const rate of ["100", "100/s", "6000/min"]) {
      const run = await s.cli(
        dial(file, join(s.dir, `${rate.replace("/", "-")}.jsonl`), "--rate", rate),
      );
      expect(run.code, run.stderr).toBe(0);
    }
  });
});

describe("call", () => {
  const call = (to: string, ...more: string[]) => [
    "call",
    to,
    "--agent",
    AGENT,
    "--env",
    "sandbox",
    ...more,
  ];

  it("places one call; --wait waits for it to end: SUCCESS exits 0, FAILURE 1", async () => {
    const s = await scene({
      outbound: { outcomes: { [number(2)]: { status: "FAILURE", reason: "no answer" } } },
    });
    const placed = await s.cli(call(number(1)));
    expect(placed.code, placed.stderr).toBe(0);
    const sid = s.mock.outboundCalls[0]?.callSid;
    expect(placed.stdout).toBe(
      `Placed call ${sid} to ${number(1)} from agent ${AGENT} in sandbox: QUEUED\n`,
    );
    const ended = await s.cli(call(number(3), "--wait", "--json"));
    expect(ended.code, ended.stderr).toBe(0);
    expect(JSON.parse(ended.stdout)).toEqual({
      ok: true,
      callSid: s.mock.outboundCalls[1]?.callSid,
      status: "SUCCESS",
      reason: "",
    });
    const failed = await s.cli(call(number(2), "--wait"));
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain("FAILURE: no answer");
    expect([...s.placed().values()]).toEqual([1, 1, 1]);
  });

  it("--wait --wait-timeout: a call that does not end in time exits 1 with CALL_WAIT_TIMEOUT and its callSid", async () => {
    const s = await scene({ outbound: { readsPerStep: 1_000_000 } });
    const run = await s.cli(call(number(5), "--wait", "--wait-timeout", "1", "--json"));
    expect(run.code).toBe(1);
    const sid = s.mock.outboundCalls[0]?.callSid ?? "";
    expect(sid).toMatch(/^OUT-/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      error: { code: "CALL_WAIT_TIMEOUT", callSid: sid },
    });
    expect(s.mock.outboundCalls).toHaveLength(1);
  });

  it("--wait says the callSid on stderr as soon as the call is placed: a wait cut short (Ctrl-C) still names the call", async () => {
    const s = await scene();
    const waited = await s.cli(call(number(4), "--wait", "--json"));
    const sid = s.mock.outboundCalls[0]?.callSid ?? "";
    expect(sid).not.toBe("");
    expect(waited.stderr).toBe(
      `Placed call ${sid} to ${number(4)}; waiting for it to end (Ctrl-C stops waiting, not the call)\n`,
    );
    expect(JSON.parse(waited.stdout)).toMatchObject({ ok: true, callSid: sid });
  });

  it("a number the SDK refuses is not sent; an answer lost after the call was placed is CALL_OUTCOME_UNKNOWN, one call", async () => {
    const s = await scene();
    const bad = await s.cli([...call("07700900001"), "--json"]);
    expect(bad.code).toBe(1);
    expect(JSON.parse(bad.stdout).error).toMatchObject({
      name: "InvalidInputError",
      field: "toNumber",
    });
    s.mock.failNext({ operation: "createOutboundCall", processed: true, status: 500 });
    const counter = countingFetch();
    const lost = await s.cli([...call(number(5)), "--json"], { fetch: counter.fetch });
    expect(lost.code).toBe(1);
    expect(JSON.parse(lost.stdout).error).toMatchObject({
      name: "CallOutcomeUnknownError",
      code: "CALL_OUTCOME_UNKNOWN",
    });
    expect(lost.stderr).toContain("the call may have been placed");
    expect(counter.sent).toBe(1);
    expect(s.mock.outboundCalls.map((c) => c.toNumber)).toEqual([number(5)]);
  });

  it.each(["SIGINT", "SIGTERM"])(
    "%s during the trigger aborts it: CALL_OUTCOME_UNKNOWN (it may have been placed), exit 1 (#23)",
    async (name) => {
      const signals = new EventEmitter();
      const s = await scene({ onPlaced: () => void signals.emit(name) });
      const json = await s.cli([...call(number(6)), "--json"], { signals });
      expect(json.code, json.stderr).toBe(1);
      expect(JSON.parse(json.stdout)).toMatchObject({
        ok: false,
        error: { name: "CallOutcomeUnknownError", code: "CALL_OUTCOME_UNKNOWN" },
      });
      expect(json.stderr).toContain("the call may have been placed");
      const text = await s.cli(call(number(7)), { signals });
      expect([text.code, text.stdout]).toEqual([1, ""]);
      expect(text.stderr).toMatch(/^polyai-connectors: CallOutcomeUnknownError: /);
      expect(s.mock.outboundCalls.map((c) => c.toNumber)).toEqual([number(6), number(7)]);
      expect(signals.eventNames()).toEqual([]);
    },
  );

  it.each(["SIGINT", "SIGTERM"])(
    "%s during --wait stops waiting: CALL_WAIT_FAILED with the callSid, exit 1 (#23)",
    async (name) => {
      const signals = new EventEmitter();
      const s = await scene({ outbound: { readsPerStep: 1_000_000 } });
      // The signal comes as the first status read leaves: the call is placed, the wait begun.
      const reading: typeof fetch = (input, init) => {
        if ((init?.method ?? "GET") === "GET") signals.emit(name);
        return fetch(input, init);
      };
      const run = await s.cli([...call(number(8), "--wait"), "--json"], {
        signals,
        fetch: reading,
      });
      expect(run.code, run.stderr).toBe(1);
      const sid = s.mock.outboundCalls[0]?.callSid ?? "";
      expect(sid).toMatch(/^OUT-/);
      expect(JSON.parse(run.stdout)).toMatchObject({
        ok: false,
        error: { name: "CallWaitError", code: "CALL_WAIT_FAILED", callSid: sid },
      });
      expect(s.mock.outboundCalls).toHaveLength(1);
    },
  );

  it("dial: an answer lost after the call was placed makes the row unknown, never dialled again", async () => {
    const s = await scene();
    const file = await s.file("rows.csv", csvOf(3));
    const journal = join(s.dir, "j.jsonl");
    // The first trigger (row 0, one at a time) is placed, and its answer lost.
    s.mock.failNext({ operation: "createOutboundCall", processed: true, reset: true });
    const counter = countingFetch();
    const first = await s.cli(dial(file, journal, "--concurrency", "1"), { fetch: counter.fetch });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain(
      "2 placed (3 dialled by this run), 0 refused, 1 outcome unknown",
    );
    expect(first.stdout).toMatch(
      /line 2 \+447700900000: CallOutcomeUnknownError: the call may have been placed/,
    );
    expect(counter.sent).toBe(3);
    const again = await s.cli(dial(file, journal), { fetch: counter.fetch });
    expect(again.code).toBe(1);
    expect(counter.sent).toBe(3);
    // Placed once at the mock, and reported unknown: the user checks it by hand.
    expect([...s.placed().values()]).toEqual([1, 1, 1]);
  });
});
