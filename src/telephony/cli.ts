#!/usr/bin/env node
// `polyai-connectors`: phone lines as code from a shell or CI. `plan` shows what
// differs (exit 2 when something does), `apply` makes it so (after a confirmation,
// or --yes), `export` writes down what an agent has now. The key comes from
// POLYAI_API_KEY only and is never printed. The work is runCli's (cli/run.ts); this
// wrapper gives it the process's streams and environment and sets the exit code.
import { runCli } from "./cli/run.js";
import { packageVersion } from "./cli/version.js";

process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signals: process,
  // #22: a write error emitted after the run (a pipe's) still fails it.
  onLateWriteFailure: () => {
    process.exitCode = 1;
  },
  version: () => packageVersion(import.meta.url),
});
// #22 review: the work is done and its exit code set. A signal while the output drains
// (`docker stop` as the run ends) must not turn a finished run into 143; a second one
// still kills.
for (const name of ["SIGINT", "SIGTERM"] as const) process.once(name, () => {});
