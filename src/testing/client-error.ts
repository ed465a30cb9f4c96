// Requests node's HTTP parser refuses before the mock sees them whole (#20): headers
// over 16 KB, a body cut short by the client's FIN, two Content-Lengths or one with
// Transfer-Encoding, and a request not whole within requestTimeoutMs. Node answers those itself, bare (`400 Bad Request`, no body);
// the mock answers in PolyAI's envelope like every other error, then closes.
import { randomUUID } from "node:crypto";
import { STATUS_CODES, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { destroyLater } from "./body.js";
import { CORRELATION, envelope, JSON_TYPE } from "./envelope.js";

/** What node's parser reports, beyond an Error. */
interface ParserError extends Error {
  readonly code?: string;
  /** llhttp's own words, such as "Duplicate Content-Length". */
  readonly reason?: string;
}

/** The status, `error_code` and message for a parser error: 431 and 408 have their own. */
function classify(err: ParserError): { status: number; errorCode: string; message: string } {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return {
      status: 408,
      errorCode: "REQUEST_TIMEOUT",
      message: "The request did not arrive whole in time (the mock's requestTimeoutMs)",
    };
  const message = `The request is not valid HTTP: ${err.reason ?? err.message} (${err.code})`;
  if (err.code === "HPE_HEADER_OVERFLOW")
    return { status: 431, errorCode: "REQUEST_HEADER_FIELDS_TOO_LARGE", message };
  return { status: 400, errorCode: "MALFORMED_REQUEST", message };
}

/**
 * The server's `clientError` handler: answers in the envelope and closes the
 * connection when nothing has been sent on it for this request and it can still
 * be written to; otherwise (a reset, an answer already under way) destroys it.
 */
export function answerClientError(err: ParserError, socket: Socket): void {
  // node's own handler asks the same of its private field: has an answer started?
  const current = (socket as { _httpMessage?: ServerResponse })._httpMessage;
  if (err.code === "ECONNRESET" || !socket.writable || current?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, errorCode, message } = classify(err);
  const errorId = randomUUID();
  const body = JSON.stringify(envelope(status, errorCode, message, errorId));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}`,
      `Content-Type: ${JSON_TYPE}`,
      `Content-Length: ${Buffer.byteLength(body)}`,
      `${CORRELATION}: ${errorId}`,
      "Connection: close",
      "",
      body,
    ].join("\r\n"),
    // Gently, as for a refused body: a reset could overtake the answer.
    () => destroyLater(socket),
  );
}
