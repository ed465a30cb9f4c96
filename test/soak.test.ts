// A short run of `npm run soak` (300 updates): faults (503, 429, resets, answers held past the
// timeout) injected into ~30% of attempts, and every connector must end at the
// last update applied to it. It guards the soak itself too: when timeouts stopped
// being recognised, the script's late-write pause never fired and connectors ended
// wrong; this run asserts the pause happens.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("npm run soak (short)", () => {
  it("ends with every connector at its last applied update, pausing for late writes", () => {
    const run = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "scripts/soak.ts",
        "--seed",
        "2",
        "--updates",
        "300",
        // Twice the script's default, so that a machine busy with the other test
        // files does not slow answers past the timeout (the full soak keeps 250 ms).
        "--timeout-ms",
        "500",
        "--connectors",
        "20",
        "--deadline-s",
        "60",
      ],
      { cwd: root, encoding: "utf8", timeout: 90_000 },
    );
    const output = `exit ${String(run.status)} ${String(run.signal)}\n${run.stdout}\n${run.stderr}`;
    expect(run.stdout, output).toMatch(/connectors as expected\s+20 of 20/);
    expect(run.stdout, output).toMatch(/attempt outcomes seen .*timed out \d+/);
    const pauses = /pauses for late writes\s+(\d+)/.exec(run.stdout)?.[1];
    expect(Number(pauses), output).toBeGreaterThan(0);
    expect(run.status, output).toBe(0);
    expect(run.stderr, output).toBe("");
  }, 120_000);
});
