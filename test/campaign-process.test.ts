// #23: `polyai-connectors dial` as a real process, killed with SIGKILL in the middle
// of a 200-row campaign at a point chosen by counting the calls placed (never by
// time), then run again with the same journal: no number is rung twice (counted at
// the local PolyAI's mock.outboundCalls), and every row is placed exactly once or
// reported unknown. Also: Ctrl-C (SIGINT) between calls, SIGTERM with a call in
// flight, and a closed stdout pipe.
// The bin is bundled once by esbuild, as in telephony-cli-process.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import * as esbuild from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CampaignResult } from "../src/telephony/index.js";
import { createMockPolyAI, type SeedConnector } from "../src/testing/index.js";
import { placedProxy } from "./support/placed-proxy.js";
import { AGENT, KEY } from "./support/telephony-cli.js";

const root = resolve(import.meta.dirname, "..");
const HANG_GUARD_MS = 120_000;

let bundleDir = "";
let BIN = "";
beforeAll(async () => {
  await mkdir(join(root, "node_modules", ".cache"), { recursive: true });
  bundleDir = await mkdtemp(join(root, "node_modules", ".cache", "polyai-dial-bundle-"));
  await writeFile(join(bundleDir, "package.json"), '{ "type": "module" }\n');
  BIN = join(bundleDir, "cli.js");
  await esbuild.build({
    entryPoints: [join(root, "src/telephony/cli.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: BIN,
    logLevel: "silent",
  });
});
afterAll(async () => {
  if (bundleDir) await rm(bundleDir, { recursive: true, force: true });
});

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the bin; `fileBlocks` caps the size of any file it writes (`ulimit -f`: a disk that fills). */
function start(
  args: string[],
  closeStdout = false,
  fileBlocks?: number,
): { child: ChildProcess; done: Promise<Ran> } {
  const env: NodeJS.ProcessEnv = { ...process.env, POLYAI_API_KEY: KEY };
  delete env["POLYAI_LOG"];
  const command =
    fileBlocks === undefined
      ? [process.execPath, BIN, ...args]
      : [
          "/bin/sh",
          "-c",
          `ulimit -f ${fileBlocks}; exec "$0" "$@"`,
          process.execPath,
          BIN,
          ...args,
        ];
  const [file, ...rest] = command as [string, ...string[]];
  const child = spawn(file, rest, { cwd: root, env, stdio: "pipe" });
  let stdout = "";
  let stderr = "";
  if (closeStdout) child.stdout.destroy();
  else child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const done = new Promise<Ran>((go, fail) => {
    child.on("error", fail);
    child.on("close", (code, signal) => go({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

const number = (i: number) => `+4477009${String(i).padStart(5, "0")}`;
const ROWS = 200;
const OUTBOUND: SeedConnector = {
  connectorId: "CONN-outbound",
  projectId: AGENT,
  clientEnv: "sandbox",
  voiceName: "en-GB-Neural2-A",
};
const csv = `toNumber,name\n${Array.from({ length: ROWS }, (_, i) => `${number(i)},P${i}`).join("\n")}\n`;

/** A local PolyAI and a folder with the 200-row file, for `body`; both gone after. */
async function withCampaign(
  prefix: string,
  body: (
    mock: Awaited<ReturnType<typeof createMockPolyAI>>,
    args: string[],
    journal: string,
  ) => Promise<void>,
): Promise<void> {
  const mock = await createMockPolyAI({ apiKey: KEY, connectors: [OUTBOUND] });
  const dir = await mkdtemp(join(tmpdir(), prefix));
  try {
    const rows = join(dir, "rows.csv");
    const journal = join(dir, "run.jsonl");
    await writeFile(rows, csv);
    const args = ["dial", rows, "--agent", AGENT, "--env", "sandbox", "--journal", journal];
    await body(mock, args, journal);
  } finally {
    await mock.close();
    await rm(dir, { recursive: true, force: true });
  }
}

describe("a campaign killed mid-run and resumed", () => {
  it.each([1, 57, 143, 200])(
    "SIGKILL after call %i is placed: each row placed at most once, every row placed once or reported unknown",
    async (killAt) => {
      let child: ChildProcess | undefined;
      let killed: Promise<Ran> | undefined;
      const mock = await createMockPolyAI({ apiKey: KEY, connectors: [OUTBOUND] });
      mock.delay(2);
      // The call is placed at the mock; its answer never reaches the process.
      const proxy = await placedProxy(mock.url, async (count) => {
        if (count !== killAt || !child) return;
        child.kill("SIGKILL");
        await killed;
      });
      /** Calls the mock placed, per number. */
      const placed = () => {
        const per = new Map<string, number>();
        for (const c of mock.outboundCalls) per.set(c.toNumber, (per.get(c.toNumber) ?? 0) + 1);
        return per;
      };
      const dir = await mkdtemp(join(tmpdir(), "polyai-dial-kill-"));
      try {
        const rows = join(dir, "rows.csv");
        const journal = join(dir, "run.jsonl");
        await writeFile(rows, csv);
        const args = [
          "dial",
          rows,
          "--agent",
          AGENT,
          "--env",
          "sandbox",
          "--journal",
          journal,
          "--concurrency",
          "8",
          "--base-url",
          proxy.url,
        ];
        const first = start(args);
        child = first.child;
        killed = first.done;
        const dead = await first.done;
        expect(dead.signal).toBe("SIGKILL");
        const placedBefore = placed();
        expect(placedBefore.size).toBeGreaterThanOrEqual(killAt);
        expect([...placedBefore.values()].every((n) => n === 1)).toBe(true);

        const second = await start([...args, "--json"]).done;
        const result = JSON.parse(second.stdout) as CampaignResult;
        // At most once, counted where calls are placed.
        const after = placed();
        expect(
          [...after.values()].every((n) => n === 1),
          second.stderr,
        ).toBe(true);
        expect(mock.outboundCalls).toHaveLength(after.size);
        // Every row placed exactly once, or reported unknown (and then rung at most once).
        for (const row of result.rows) {
          const rung = after.get(row.toNumber) ?? 0;
          if (row.outcome === "placed") expect(rung).toBe(1);
          else expect(row.outcome).toBe("unknown");
        }
        // Unknown: only what was in flight when the process died.
        expect(result.unknown).toBeGreaterThanOrEqual(1);
        expect(result.unknown).toBeLessThanOrEqual(8);
        expect(result.placed + result.unknown).toBe(ROWS);
        // No row rung before the kill was dialled again; every other row was dialled now.
        for (const row of result.rows)
          expect(row.dialledNow, row.toNumber).toBe(
            row.outcome === "placed" && !placedBefore.has(row.toNumber),
          );
        expect(second.code).toBe(result.unknown === 0 ? 0 : 1);
        expect(second.stderr).toContain("Outcome unknown, may have been placed");
      } finally {
        await mock.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    HANG_GUARD_MS,
  );
});

describe("Ctrl-C", () => {
  it(
    "SIGINT starts no new call, journals the calls sent, exits 1 with the summary; the re-run dials the rest",
    async () => {
      let child: ChildProcess | undefined;
      const mock = await createMockPolyAI({ apiKey: KEY, connectors: [OUTBOUND] });
      const proxy = await placedProxy(mock.url, (count) => {
        if (count === 20) child?.kill("SIGINT");
      });
      const dir = await mkdtemp(join(tmpdir(), "polyai-dial-int-"));
      try {
        const rows = join(dir, "rows.csv");
        const journal = join(dir, "run.jsonl");
        await writeFile(rows, csv);
        const args = ["dial", rows, "--agent", AGENT, "--env", "sandbox", "--journal", journal];
        const first = start([...args, "--base-url", proxy.url, "--concurrency", "2"]);
        child = first.child;
        const stopped = await first.done;
        expect(stopped.code, stopped.stderr).toBe(1);
        expect(stopped.stderr).toContain("Stopping: no new call is started");
        expect(stopped.stdout).toMatch(/^Campaign of 200 rows/);
        expect(stopped.stdout).toContain("run the same command again");
        const before = mock.outboundCalls.length;
        expect(before).toBeGreaterThanOrEqual(20);
        expect(before).toBeLessThan(ROWS);
        const again = await start([...args, "--base-url", mock.url]).done;
        expect(again.code, again.stderr).toBe(0);
        expect(mock.outboundCalls).toHaveLength(ROWS);
        expect(new Set(mock.outboundCalls.map((c) => c.toNumber)).size).toBe(ROWS);
      } finally {
        await proxy.close();
        await mock.close();
        await rm(dir, { recursive: true, force: true });
      }
    },
    HANG_GUARD_MS,
  );
});

describe("SIGTERM (docker stop, Kubernetes, CI runners)", () => {
  it(
    "a trigger in flight when SIGTERM comes is finished and journaled; no lock is left; exit 1 (#23)",
    () =>
      withCampaign("polyai-dial-term-", async (mock, args, journal) => {
        let child: ChildProcess | undefined;
        let done: Promise<Ran> | undefined;
        let stderr = "";
        // Call 20 is placed; its answer is held until the process says it is stopping
        // (or has died), so that trigger is in flight when the signal is handled.
        const proxy = await placedProxy(mock.url, async (count) => {
          if (count !== 20 || !child) return;
          const stopping = new Promise<void>((go) =>
            child?.stderr?.on("data", (d: string | Buffer) => {
              stderr += String(d);
              if (stderr.includes("Stopping:")) go();
            }),
          );
          child.kill("SIGTERM");
          await Promise.race([stopping, done]);
        });
        try {
          const first = start([...args, "--base-url", proxy.url, "--concurrency", "4"]);
          child = first.child;
          done = first.done;
          const stopped = await first.done;
          expect([stopped.code, stopped.signal], stopped.stderr).toEqual([1, null]);
          expect(stopped.stdout).toMatch(/^Campaign of 200 rows/);
          expect(stopped.stdout).toContain("0 outcome unknown");
        } finally {
          await proxy.close();
        }
        // Every trigger the mock received has its result in the journal.
        const entries = (await readFile(journal, "utf8"))
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l) as { type: string; row: number; toNumber?: string });
        const rowOf = new Map(
          entries.filter((e) => e.type === "attempting").map((e) => [e.toNumber, e.row]),
        );
        const settled = new Set(
          entries
            .filter((e) => ["placed", "refused", "unknown"].includes(e.type))
            .map((e) => e.row),
        );
        const received = mock.outboundCalls.map((c) => c.toNumber);
        expect(received.length).toBeGreaterThanOrEqual(20);
        expect(received.length).toBeLessThan(ROWS);
        expect(received.filter((n) => !settled.has(rowOf.get(n) ?? -1))).toEqual([]);
        await expect(readFile(`${journal}.lock`)).rejects.toThrow(/ENOENT/);
        // The re-run dials the rest, and rings no one twice.
        const again = await start([...args, "--base-url", mock.url]).done;
        expect(again.code, again.stderr).toBe(0);
        const rung = new Set(mock.outboundCalls.map((c) => c.toNumber));
        expect([rung.size, mock.outboundCalls.length]).toEqual([ROWS, ROWS]);
      }),
    HANG_GUARD_MS,
  );
});

describe("a journal whose disk fills mid-run", () => {
  it(
    "a short write is not a written line: no trigger without its whole line, so the re-run rings nobody twice",
    () =>
      withCampaign("polyai-dial-full-", async (mock, args) => {
        // 20 blocks (10 or 20 KB) hold a fraction of 200 rows' lines; batches of 16 rows'
        // lines meet the limit mid-batch: the kernel writes part of it, then refuses.
        const full = await start(
          [...args, "--base-url", mock.url, "--concurrency", "16"],
          false,
          20,
        ).done;
        expect(full.code, full.stderr).toBe(1);
        expect(full.stderr).toContain("cannot write it: EFBIG; the campaign stopped");
        const before = mock.outboundCalls.length;
        expect(before).toBeGreaterThan(0);
        expect(before).toBeLessThan(ROWS);
        const again = await start([...args, "--base-url", mock.url, "--json"]).done;
        const result = JSON.parse(again.stdout) as CampaignResult;
        const rung = new Map<string, number>();
        for (const c of mock.outboundCalls) rung.set(c.toNumber, (rung.get(c.toNumber) ?? 0) + 1);
        expect([...rung].filter(([, n]) => n > 1)).toEqual([]);
        expect(result.placed + result.unknown).toBe(ROWS);
      }),
    HANG_GUARD_MS,
  );
});

describe("a closed stdout", () => {
  it(
    "`dial … | head -0`: the campaign goes on, the journal is whole, exit 0",
    () =>
      withCampaign("polyai-dial-pipe-", async (mock, args, journal) => {
        const run = await start([...args, "--base-url", mock.url], true).done;
        expect(run.code, run.stderr).toBe(0);
        expect(new Set(mock.outboundCalls.map((c) => c.toNumber)).size).toBe(ROWS);
        expect(mock.outboundCalls).toHaveLength(ROWS);
        const types = (await readFile(journal, "utf8"))
          .trim()
          .split("\n")
          .map((l) => JSON.parse(l).type);
        expect(types.filter((t) => t === "placed")).toHaveLength(ROWS);
      }),
    HANG_GUARD_MS,
  );
});
