// #22: a write that fails is not a closed pipe. The reader gone (EPIPE) ends output
// quietly, the exit code kept (#10); any other error (a full disk: ENOSPC, EIO)
// fails the run: exit 1 and one line on stderr for stdout, exit 1 quietly for
// stderr, even when the error is emitted after the last write (as Node emits a
// file's on the next tick) or after runCli has resolved. In process, with stand-in
// streams; `> /dev/full` as a process is in telephony-cli-process.test.ts.
import { EventEmitter } from "node:events";
import { describe, it } from "vitest";
import { Sink, cliWith } from "./support/cli-in-process.js";
import { AGENT, withSetup } from "./support/telephony-cli.js";

/** A system error as Node makes it: `ENOSPC: no space left on device, write`. */
function systemError(code: string, what: string): Error {
  return Object.assign(new Error(`${code}: ${what}, write`), { code, syscall: "write" });
}

/** A stream whose every write fails with `error`, emitted on the next tick as Node's file streams do. */
class Failing extends EventEmitter {
  readonly isTTY = false;
  writes = 0;
  constructor(readonly error: Error) {
    super();
  }
  write(): boolean {
    this.writes++;
    process.nextTick(() => this.emit("error", this.error));
    return false;
  }
}

const ENOSPC = () => systemError("ENOSPC", "no space left on device");

describe.concurrent("a write error", () => {
  it("on stdout (a full disk): exit 1, one line on stderr naming it; no more is written", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      const stdout = new Failing(ENOSPC());
      const stderr = new Sink();
      const r = await cliWith(["export", "--agent", AGENT, "--base-url", t.mock.url], {
        stdout,
        stderr,
      });
      expect(r.code).toBe(1);
      expect(stderr.text).toBe(
        "polyai-connectors: could not write the output: ENOSPC (no space left on device)\n",
      );
      expect(stdout.writes).toBe(1);
    });
  });

  it("on stdout, a closed pipe (EPIPE, then ERR_STREAM_DESTROYED): quiet, the exit code kept (#10)", async ({
    expect,
  }) => {
    await withSetup({}, async (t) => {
      for (const code of ["EPIPE", "ERR_STREAM_DESTROYED"]) {
        const stderr = new Sink();
        const r = await cliWith(["export", "--agent", AGENT, "--base-url", t.mock.url], {
          stdout: new Failing(systemError(code, "broken pipe")),
          stderr,
        });
        expect([r.code, stderr.text], code).toEqual([0, ""]);
      }
    });
  });

  it("on stderr (EIO): exit 1, nothing more said; the --out file written", async ({ expect }) => {
    await withSetup({}, async (t) => {
      const stdout = new Sink();
      const stderr = new Failing(systemError("EIO", "i/o error"));
      const out = await t.file("state.json");
      const r = await cliWith(
        ["export", "--agent", AGENT, "--out", out, "--base-url", t.mock.url],
        { stdout, stderr },
      );
      expect(r.code).toBe(1);
      expect(stderr.writes).toBe(1);
      expect(stdout.text).toBe("");
      expect(JSON.parse((await t.files())["state.json"] ?? "")).toHaveProperty("agentId", AGENT);
    });
  });

  it("after runCli resolved (a pipe's error, late): the bin's hook makes the exit code 1, and the line is said", async ({
    expect,
  }) => {
    const stdout = new (class extends EventEmitter {
      readonly isTTY = false;
      write(): boolean {
        return true;
      }
    })();
    const stderr = new Sink();
    let late = 0;
    const r = await cliWith(["--version"], {
      stdout,
      stderr,
      onLateWriteFailure: () => late++,
    });
    expect([r.code, late]).toEqual([0, 0]);
    stdout.emit("error", systemError("EIO", "i/o error"));
    expect(late).toBe(1);
    expect(stderr.text).toBe("polyai-connectors: could not write the output: EIO (i/o error)\n");
  });
});
