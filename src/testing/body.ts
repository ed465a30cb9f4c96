// Reading a request body within a size limit (#20): the mock never holds more than
// the limit of one body, nor more than a budget of all the bodies it is reading,
// stops reading the moment a body passes either, and keeps nothing of a body it was
// told to discard (a request without the right key).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Socket } from "node:net";

/** What reading a request body gave. */
export type BodyRead =
  /** The whole body; `text` is empty when it was discarded. */
  | { readonly kind: "read"; readonly text: string }
  /** Passed the limit while being read (or refused unread by the caller). */
  | { readonly kind: "too-large" }
  /** Would have taken the bodies being read together past their budget (#20). */
  | { readonly kind: "busy" }
  /** The client went away mid-body, or node's parser refused it (the server's clientError answers that). */
  | { readonly kind: "failed" };

/** The `Content-Length` the client announced; undefined for a chunked body or none. */
export function announcedLength(req: IncomingMessage): number | undefined {
  const raw = req.headers["content-length"];
  return raw === undefined ? undefined : Number(raw); // node's parser accepts digits only
}

/** Whether the client waits for `100 Continue` before sending its body. */
export function expectsContinue(req: IncomingMessage): boolean {
  return req.headers.expect?.toLowerCase() === "100-continue";
}

/**
 * The bytes of every body being read at once, and their limit (#20: 400 clients each
 * sending 1 MiB less 100 bytes, then stalling, held 400 MB until node's 300 s timeout).
 */
export class BodyBudget {
  #held = 0;
  constructor(readonly limit: number) {}

  /** Takes `bytes` from the budget; false, taking nothing, when they do not fit. */
  take(bytes: number): boolean {
    if (this.#held + bytes > this.limit) return false;
    this.#held += bytes;
    return true;
  }

  /** Gives back `bytes` taken before. */
  give(bytes: number): void {
    this.#held -= bytes;
  }
}

/**
 * Reads the body of `req`, keeping it only when `keep` is set. Once more than `limit`
 * bytes have arrived it stops reading (the request is paused, so TCP stops the
 * sender) and resolves `too-large`: the caller answers and closes the connection.
 * A kept body's bytes come out of `budget` while it is read; one that does not fit
 * resolves `busy`, and is paused the same way.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  keep: boolean,
  budget: BodyBudget,
): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    let taken = 0;
    const finish = (result: BodyRead) => {
      req.off("data", onData).off("end", onEnd).off("error", onFail).off("close", onFail);
      budget.give(taken);
      resolve(result);
    };
    const stop = (result: BodyRead) => {
      req.pause();
      finish(result);
    };
    const onData = (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limit) stop({ kind: "too-large" });
      else if (!keep) return;
      else if (budget.take(chunk.length)) {
        taken += chunk.length;
        chunks.push(chunk);
      } else stop({ kind: "busy" });
    };
    const onEnd = () => finish({ kind: "read", text: Buffer.concat(chunks).toString("utf8") });
    // "close" before "end": the connection went away mid-body.
    const onFail = () => finish({ kind: "failed" });
    req.on("data", onData).once("end", onEnd).once("error", onFail).once("close", onFail);
  });
}

/** How long a refused connection stays half-open after its answer, in ms. */
const LINGER_MS = 1_000;

/**
 * Closes the connection of `req` gently once its answer (sent with `Connection:
 * close`) is out: the answer and a FIN go, nothing more is read, and the socket is
 * destroyed a second later. Destroyed at once, with the client's bytes still
 * arriving, it would be reset, and a client busy writing its body can see the reset
 * before the answer (Go's server waits so too). Call before sending the answer.
 */
export function closeGently(req: IncomingMessage, res: ServerResponse): void {
  const socket = res.socket;
  if (!socket) return;
  // A body never read, node drains after the answer, and with its side ended it
  // then resets the connection at once. read(0) makes the body ours instead: at
  // most one chunk is buffered, then TCP stops the sender.
  req.read(0);
  // node ends an answer with Connection: close by destroySoon(): end, then destroy.
  socket.destroySoon = () => socket.end();
  res.once("finish", () => destroyLater(socket));
}

/** Destroys `socket` a second from now: once its answer is out, see {@link closeGently}. */
export function destroyLater(socket: Socket): void {
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
