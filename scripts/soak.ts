// npm run soak [-- --seed 7 --updates 3000 --connectors 50 --concurrency 16 --fault-rate 0.3]
// npm run soak -- --no-late-wait   shows the check failing (see "late writes" below)
//
// Thousands of updates against the local mock PolyAI under injected faults (see
// soak-run.ts). Exits 1 when a connector does not end at the last update applied to
// it, a call fails with an untyped error, the fault share is under 20% or the run
// overstays its deadline.
import { parseArgs } from "node:util";
import { HELD } from "./soak-fetch.js";
import { runSoak, type SoakReport } from "./soak-run.js";

const { values: args } = parseArgs({
  options: {
    seed: { type: "string", default: "1" },
    updates: { type: "string", default: "3000" },
    connectors: { type: "string", default: "50" },
    concurrency: { type: "string", default: "16" },
    "fault-rate": { type: "string", default: "0.3" },
    "timeout-ms": { type: "string", default: "250" },
    "deadline-s": { type: "string", default: "120" },
    "no-late-wait": { type: "boolean", default: false },
  },
});

/** The report as `npm run soak` prints it. */
function print(report: SoakReport): void {
  const { options: o, attempts, injected, observed, outcomes } = report;
  const line = (label: string, value: string | number) =>
    console.log(`  ${label.padEnd(30)} ${value}`);
  const sent = attempts.total();
  console.log(
    `soak: seed ${o.seed}, ${o.updates} updates over ${o.connectors} connectors, ${o.concurrency} calls at once, timeout ${o.timeoutMs} ms, fault rate ${o.faultRate}`,
  );
  line(
    "time",
    `${report.seconds.toFixed(1)} s (event loop delay p99 ${report.lag.p99.toFixed(0)} ms, max ${report.lag.max.toFixed(0)} ms)`,
  );
  line(
    "requests sent (attempts)",
    `${sent} (${attempts.show()}); the mock received ${report.received}`,
  );
  line(
    "faults injected",
    `${injected.total()} = ${(report.faultShare * 100).toFixed(1)}% of attempts: ${injected.show()}`,
  );
  line("attempt outcomes seen", observed.show());
  line(
    "timeouts not injected",
    `${Math.max(0, (observed.get("timed out") ?? 0) - (injected.get(HELD) ?? 0))} (answers slowed by a busy machine)`,
  );
  line("retries (onRetry)", report.retries);
  line(
    "update calls",
    `${outcomes.get("succeeded") ?? 0} succeeded, ${outcomes.get("failed") ?? 0} failed`,
  );
  line("failed calls by error", report.failures.show());
  line("failed calls, read back", `${report.readBack.show()} (${report.rereads} reads)`);
  line("pauses for late writes", o.lateWait ? report.latePauses : "off (--no-late-wait)");
  line("connectors as expected", `${report.matching} of ${o.connectors}`);
  console.log(`
  How "expected" is kept: each connector's updates run in order, so the last one
  applied is well defined. A call that succeeded moves the expectation to
  applyConnectorPatch(previous, patch) and must return exactly that. A call that
  failed may or may not have reached the mock (a 503 or a reset did not; an
  attempt that timed out did, or will), so the connector is read back and either
  the old or the new state is accepted and kept.

  Late writes: an attempt held back is sent only after its call has ended (it
  timed out, and a retry may have succeeded), so its write lands late. Before its
  next update or read of a connector, a chain waits until the mock has answered
  every request sent for it, held ones included; without the wait
  (--no-late-wait, held writes land at the end) a late write overwrites a newer one.`);
  const { problems } = report;
  if (problems.length > 0) {
    console.log(`\nsoak: FAILED, ${problems.length} problem(s):`);
    for (const p of problems.slice(0, 20)) console.log(`  - ${p}`);
    if (problems.length > 20) console.log(`  … and ${problems.length - 20} more`);
    process.exitCode = 1;
  } else {
    console.log("\nsoak: OK, every connector's final state equals the last update applied to it");
  }
}

print(
  await runSoak({
    seed: Number(args.seed),
    updates: Number(args.updates),
    connectors: Number(args.connectors),
    concurrency: Number(args.concurrency),
    faultRate: Number(args["fault-rate"]),
    timeoutMs: Number(args["timeout-ms"]),
    deadlineMs: Number(args["deadline-s"]) * 1000,
    lateWait: !args["no-late-wait"],
  }),
);
