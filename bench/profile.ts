// The client-side case of the bench (poly.connectors.update against a fetch that
// returns a ready Response), in a loop, for `node --cpu-prof`. See bench/README.md.
//   node bench/build.mjs && node --cpu-prof --cpu-prof-dir=bench/.prof bench/.out/profile.mjs [poly|openapi-fetch] [calls]
//   node bench/read-profile.mjs bench/.prof/*.cpuprofile
import createClient from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import { createPolyAIClient } from "../src/index.js";
import fixedConnector from "./connector.json" with { type: "json" };

const which = process.argv[2] ?? "poly";
const calls = Number(process.argv[3] ?? 200_000);
const JSON_TEXT = JSON.stringify(fixedConnector);
const LEN = String(Buffer.byteLength(JSON_TEXT));
const fetch = (async () =>
  new Response(JSON_TEXT, {
    status: 200,
    headers: { "content-type": "application/json", "content-length": LEN },
  })) as typeof globalThis.fetch;
const baseUrl = "http://127.0.0.1:9";
const poly = createPolyAIClient({ apiKey: "pk-bench-0123456789abcdef", baseUrl, fetch });
const oaf = createClient<paths>({
  baseUrl,
  headers: { "x-api-key": "pk-bench-0123456789abcdef" },
  fetch,
});
const path = { agentId: "PROJECT-58RP822I", connectorId: "CONN-7d2f9a" };
const patch = { voiceName: "en-GB-Neural2-A" } as const;
const call =
  which === "poly"
    ? () => poly.connectors.update(path.agentId, path.connectorId, patch)
    : () =>
        oaf.PATCH("/v1/agents/{agentId}/telephony/connectors/{connectorId}", {
          params: { path },
          body: patch,
        });

const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < calls; i++) await call();
const ms = performance.now() - t0;
const cpu = process.cpuUsage(c0);
console.error(
  `${which}: ${calls} calls, ${((ms * 1000) / calls).toFixed(2)} µs/call wall, ${((cpu.user + cpu.system) / calls).toFixed(2)} µs/call CPU`,
);
