// Runs a Node.js script as a child process to its end, without blocking the worker
// (#20: spawnSync held a worker for the whole run, and runs could not overlap).
import { spawn } from "node:child_process";
import { repoRoot } from "./fixtures.js";

/** How a child process ended and what it wrote. */
export interface Finished {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node ...args` in the repository's root, with `env` added to this process's. */
export function runNode(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The local PolyAI's bin, `polyai-connectors-mock ...args`, run from source to its end. */
export function runMockBin(...args: string[]): Promise<Finished> {
  return runNode(["--import", "tsx", "src/testing/cli.ts", ...args]);
}
