// The one way out of the CLI: every byte written to stdout, stderr or a file passes
// here, so the key is redacted (#2) and control characters escaped (#7) in one place,
// and a closed pipe ends output quietly instead of crashing the run (#10); any other
// write error (a full disk) is a failure the exit code shows (#22).
import { MIN_KEY_LENGTH } from "../../client.js";
import { keyRedactor } from "../../internal/redact.js";
import { escapeControls } from "./escape.js";

/** A stream the CLI writes to: process.stdout, process.stderr, or a test's stand-in. */
export interface OutStream {
  write(chunk: string): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  readonly isTTY?: boolean | undefined;
  /** #22: a terminal's width, which a table fits. */
  readonly columns?: number | undefined;
}

/** Writes text to one stream, cleaned; after the stream fails (EPIPE, ENOSPC), writes nothing. */
export interface Writer {
  (text: string): void;
  /** A progress line: returns to the line's start first (`\r`), on a terminal only. */
  progress(text: string): void;
  /** #22: text cleaned, then `paint`ed: colour is added after escaping, so no value can add its own. */
  painted(text: string, paint: (clean: string) => string): void;
  readonly isTTY: boolean;
  /** #22: the write error that ended output, unless the reader closed the pipe (EPIPE). */
  readonly failure: Error | undefined;
}

/** #10: the reader is gone (`| head -1`); a write after that finds the stream destroyed. */
const CLOSED_PIPE = new Set(["EPIPE", "ERR_STREAM_DESTROYED"]);

/** #22: `ENOSPC (no space left on device)`, from Node's `ENOSPC: no space left on device, write`. */
export function writeProblem(error: Error): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return error.message;
  const what = error.message.startsWith(`${code}: `)
    ? error.message.slice(code.length + 2).replace(/, \w+$/, "")
    : "";
  return what === "" ? code : `${code} (${what})`;
}

/** The key's redactor (every spelling the client redacts), or none for a key too short to be one. */
export function redactorFor(key: string | undefined): (text: string) => string {
  return key && key.length >= MIN_KEY_LENGTH ? keyRedactor(key) : (text) => text;
}

/** What may leave the CLI: control characters escaped, then the key redacted last, so nothing re-spells it. */
export function cleanText(text: string, redact: (text: string) => string): string {
  return redact(escapeControls(text));
}

/**
 * A writer for `stream`. The first error ends output; `onFailure` hears of it unless
 * it is a closed pipe. It may come after the last write (a file's error is emitted
 * on the next tick), even after the run has finished.
 */
export function writer(
  stream: OutStream,
  redact: (text: string) => string,
  onFailure?: (error: Error) => void,
): Writer {
  let closed = false;
  let failure: Error | undefined;
  const fail = (error: unknown) => {
    if (closed) return;
    closed = true;
    // #10: `apply --yes | head -1`: the reader is gone; the work goes on, its exit code kept.
    const e = error instanceof Error ? error : new Error(String(error));
    if (CLOSED_PIPE.has(String((e as { code?: unknown }).code))) return;
    // #22: `export > /dev/full`: a truncated output must not exit 0.
    failure = e;
    onFailure?.(e);
  };
  stream.on("error", fail);
  const send = (text: string) => {
    if (closed) return;
    try {
      stream.write(text);
    } catch (e) {
      fail(e);
    }
  };
  const write = ((text: string) => send(cleanText(text, redact))) as Writer;
  write.progress = (text: string) => send(`\r${cleanText(text, redact)}`);
  write.painted = (text, paint) => send(paint(cleanText(text, redact)));
  Object.defineProperty(write, "isTTY", { value: stream.isTTY === true });
  Object.defineProperty(write, "failure", { get: () => failure });
  return write;
}
