// The CLI run in process: runCli(argv, io) with streams that keep what is written,
// and a stdin that is a terminal only when the test types an answer.
import { Readable } from "node:stream";
import type { OutStream } from "../../src/telephony/cli/output.js";
import { runCli, type SignalSource } from "../../src/telephony/cli/run.js";
import { KEY, type Run } from "./telephony-cli.js";

/** A stream that keeps what is written; a terminal of `columns` when `isTTY`. */
export class Sink {
  text = "";
  constructor(
    readonly isTTY = false,
    readonly columns?: number,
  ) {}
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
  on(): this {
    return this;
  }
}

/** How {@link cliWith} runs. */
export interface InProcess {
  env?: Record<string, string>;
  /** What a terminal on stdin answers; without it, stdin is not a terminal. */
  typed?: string | undefined;
  /** What is piped into stdin (not a terminal), in these chunks; ignored with `typed`. */
  piped?: readonly (string | Buffer)[] | undefined;
  fetch?: typeof fetch | undefined;
  /** stdout (and stderr) is a terminal this many columns wide. */
  terminal?: number | undefined;
  /** The working directory the CLI is told of (default: the process's). */
  cwd?: string | undefined;
  /** Where SIGINT and SIGTERM come from (an EventEmitter a test emits them on). */
  signals?: SignalSource | undefined;
  /** A stand-in for stdout or stderr (one that fails); what it gets is not in the Run. */
  stdout?: OutStream | undefined;
  stderr?: OutStream | undefined;
  /** Called as the bin's hook: a write failed after the run resolved. */
  onLateWriteFailure?: (() => void) | undefined;
}

/** Runs the CLI in process. */
export async function cliWith(args: string[], options: InProcess = {}): Promise<Run> {
  const tty = options.terminal !== undefined;
  const stdout = new Sink(tty, options.terminal);
  const stderr = new Sink(tty, options.terminal);
  const { typed } = options;
  const input = typed === undefined ? (options.piped ?? []) : [typed];
  const stdin = Object.assign(Readable.from(input), {
    isTTY: typed !== undefined,
  });
  const code = await runCli(args, {
    stdout: options.stdout ?? stdout,
    stderr: options.stderr ?? stderr,
    signals: options.signals,
    onLateWriteFailure: options.onLateWriteFailure,
    stdin,
    env: options.env ?? { POLYAI_API_KEY: KEY },
    version: () => "9.9.9-test",
    fetch: options.fetch,
    cwd: options.cwd,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Runs the CLI in process; stdin is not a terminal unless `typed` is what a terminal answers. */
export function cli(
  args: string[],
  env: Record<string, string> = { POLYAI_API_KEY: KEY },
  typed?: string,
  fetchImpl?: typeof fetch,
): Promise<Run> {
  return cliWith(args, {
    env,
    ...(typed === undefined ? {} : { typed }),
    ...(fetchImpl === undefined ? {} : { fetch: fetchImpl }),
  });
}
