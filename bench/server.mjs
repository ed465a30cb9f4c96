// The bench's loopback server, run as a child process so that it has its own
// event loop (and, on a 2-core machine, its own core) and does not share the
// client's. It answers every request with the same fixed connector JSON, except
// PATCH .../connectors/batch, which answers one result per update (the bulk rows
// use this only when src/testing's mock is not there). The parent sets an injected
// per-request delay with { delay: ms } and stops the server with "close".
import { readFileSync } from "node:fs";
import { createServer } from "node:http";

const connector = JSON.parse(readFileSync(new URL("./connector.json", import.meta.url), "utf8"));
const FIXED = Buffer.from(JSON.stringify(connector));
let delayMs = 0;

function send(res, body) {
  res.writeHead(200, { "content-type": "application/json", "content-length": body.byteLength });
  res.end(body);
}

const server = createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    let body = FIXED;
    if (req.method === "PATCH" && req.url.endsWith("/connectors/batch")) {
      const { updates = [] } = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}");
      const results = updates.map(({ connectorId, ...patch }) => ({
        connectorId,
        success: true,
        data: { ...connector, ...patch, connectorId },
      }));
      body = Buffer.from(JSON.stringify({ results }));
    }
    if (delayMs > 0) setTimeout(send, delayMs, res, body);
    else send(res, body);
  });
});
server.keepAliveTimeout = 60_000;

process.on("message", (msg) => {
  if (msg === "close") {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  } else if (msg && typeof msg.delay === "number") {
    delayMs = msg.delay;
    process.send({ delay: delayMs });
  }
});
// If the bench dies, do not linger.
process.on("disconnect", () => process.exit(0));

server.listen(0, "127.0.0.1", () => process.send({ port: server.address().port }));
