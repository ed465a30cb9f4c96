// A short run of the fault soak (300 updates): faults (503, 429, resets, answers held
// past the timeout) injected into ~30% of attempts, and every connector must end at
// the last update applied to it. In-process, through the function `npm run soak`
// prints (#20); one short run spawns the script itself.
//
// #20: no outcome depends on how fast the machine is. A held answer is released by
// the harness after its call has ended, and a chain waits for the mock to answer
// every request of its connector before the next update, so a busy machine changes
// how long the run takes, never what it finds.
import { describe, expect, it } from "vitest";
import { HELD } from "../scripts/soak-fetch.js";
import { runSoak, type SoakOptions } from "../scripts/soak-run.js";
import { runNode } from "./support/node-process.js";

/** A hang guard, far above the few seconds a run takes. */
const HANG_GUARD_MS = 180_000;

const SHORT: SoakOptions = {
  seed: 2,
  updates: 300,
  connectors: 20,
  concurrency: 16,
  faultRate: 0.3,
  timeoutMs: 250,
  deadlineMs: HANG_GUARD_MS - 30_000,
  lateWait: true,
};

describe.concurrent("the fault soak", () => {
  it(
    "ends with every connector at its last applied update, waiting for late writes",
    async () => {
      const report = await runSoak(SHORT);
      expect(report.problems).toEqual([]);
      expect(report.matching).toBe(20);
      // Answers were held past the timeout, each attempt was seen to time out (the
      // client's TimeoutError reason), and chains waited for those writes to land.
      const held = report.injected.get(HELD) ?? 0;
      expect(held).toBeGreaterThan(0);
      expect(report.observed.get("timed out") ?? 0).toBeGreaterThanOrEqual(held);
      expect(report.latePauses).toBeGreaterThan(0);
      for (const kind of ["503", "reset"]) expect(report.injected.get(kind)).toBeGreaterThan(0);
      expect(report.retries).toBeGreaterThan(0);
    },
    HANG_GUARD_MS,
  );

  it(
    "fails when chains do not wait: a late write lands over a newer update",
    async () => {
      // Fewer updates, more faults: held writes are still certain to happen.
      const report = await runSoak({
        ...SHORT,
        updates: 100,
        connectors: 10,
        faultRate: 0.6,
        lateWait: false,
      });
      expect(report.matching).toBeLessThan(10);
      expect(report.problems.join("\n")).toMatch(/CONN-soak-\d+: final state .*, expected /);
    },
    HANG_GUARD_MS,
  );

  it(
    "npm run soak prints the report and exits 0 when every connector is as expected",
    async () => {
      const run = await runNode([
        "--import",
        "tsx",
        "scripts/soak.ts",
        "--seed",
        "3",
        "--updates",
        "40",
        "--connectors",
        "4",
        // A short run: a high rate keeps the fault share well above the 20% it needs.
        "--fault-rate",
        "0.6",
      ]);
      const output = `exit ${String(run.code)}\n${run.stdout}\n${run.stderr}`;
      expect(run.stdout, output).toMatch(/connectors as expected\s+4 of 4/);
      expect(run.stdout, output).toMatch(/pauses for late writes\s+\d+/);
      expect(run.stdout, output).toContain("soak: OK");
      expect(run.stderr, output).toBe("");
      expect(run.code, output).toBe(0);
    },
    HANG_GUARD_MS,
  );
});
