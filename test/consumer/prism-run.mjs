// Contract tools against the shipped spec: Stoplight Prism mocks the installed
// package's openapi.json (`polyai-connectors/openapi.json`), and the installed client
// makes the calls listed in docs/compatibility-and-contract-tools.md ("Contract
// tools"). Each call that asks for what the spec's examples hold passes the client's
// answer checks; the ones that ask for something else are refused with
// INVALID_RESPONSE, as that guide says.
//
//   node prism-run.mjs <path of @stoplight/prism-cli/dist/index.js>
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { APIError, NotFoundError, createPolyAIClient } from "polyai-connectors";

const prismCli = process.argv[2];
if (!prismCli) throw new Error("usage: prism-run.mjs <path of @stoplight/prism-cli/dist/index.js>");
const spec = createRequire(import.meta.url).resolve("polyai-connectors/openapi.json");

const server = createServer();
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();
await new Promise((resolve) => server.close(resolve));

const args = ["mock", spec, "--host", "127.0.0.1", "--port", String(port), "--errors"];
const prism = spawn(process.execPath, [prismCli, ...args, "-v", "warn"], {
  stdio: ["ignore", "pipe", "pipe"],
});
let log = "";
prism.stdout.on("data", (chunk) => (log += chunk));
prism.stderr.on("data", (chunk) => (log += chunk));
const baseUrl = `http://127.0.0.1:${port}`;

try {
  const deadline = Date.now() + 20_000;
  const answers = () =>
    fetch(baseUrl).then(
      async (response) => (await response.body?.cancel(), true), // any answer: it listens
      () => false,
    );
  while (!(await answers())) {
    if (prism.exitCode !== null) throw new Error(`Prism exited:\n${log}`);
    if (Date.now() > deadline) throw new Error(`Prism did not answer within 20 s:\n${log}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  const poly = createPolyAIClient({ apiKey: "sk-prism-key", baseUrl, maxRetries: 0 });
  const agent = "PROJECT-58RP822I"; // any agent: no example answer names one
  const prefer = (value) => ({ headers: { Prefer: value } });
  const passes = {
    "connectors.list": () => poly.connectors.list(agent),
    "connectors.get CONN-7d2f9a": () => poly.connectors.get(agent, "CONN-7d2f9a"),
    "connectors.update CONN-7d2f9a": () =>
      poly.connectors.update(agent, "CONN-7d2f9a", { voiceName: "en-GB-Neural2-A" }),
    "connectors.delete CONN-7d2f9a": () => poly.connectors.delete(agent, "CONN-7d2f9a"),
    "connectors.batchGet": () => poly.connectors.batchGet(agent, ["CONN-7d2f9a", "CONN-missing"]),
    "connectors.batchUpdate": () =>
      poly.connectors.batchUpdate(agent, [
        { connectorId: "CONN-7d2f9a", voiceName: "en-GB-Neural2-A" },
        { connectorId: "CONN-missing", variantId: null },
      ]),
    "connectors.lookup": () => poly.connectors.lookup(agent, "+14155550123"),
    "phoneNumbers.list": () => poly.phoneNumbers.list(agent),
    "phoneNumbers.list { connectorId }, Prefer: example=PhoneNumberListOfConnector": () =>
      poly.phoneNumbers.list(
        agent,
        { connectorId: "CONN-7d2f9a" },
        prefer("example=PhoneNumberListOfConnector"),
      ),
    "phoneNumbers.get": () => poly.phoneNumbers.get(agent, "+442079460000"),
    "phoneNumbers.importOne": () => poly.phoneNumbers.importOne(agent, "+442079460000"),
    "phoneNumbers.delete": () => poly.phoneNumbers.delete(agent, "+442079460000"),
    "phoneNumbers.reassign": () =>
      poly.phoneNumbers.reassign(agent, "+442079460000", "CONN-3c1b0e"),
    "phoneNumbers.batchGet": () =>
      poly.phoneNumbers.batchGet(agent, ["+442079460002", "+442079460099"]),
    "phoneNumbers.import": () =>
      poly.phoneNumbers.import(agent, ["+442079460003", "+442079460004"]),
    "phoneNumbers.deleteMany": () =>
      poly.phoneNumbers.deleteMany(agent, ["+442079460004", "+442079460099"]),
  };
  const refused = {
    "connectors.get of another connector": () => poly.connectors.get(agent, "CONN-other"),
    "connectors.batchGet of other IDs": () =>
      poly.connectors.batchGet(agent, ["CONN-7d2f9a", "CONN-3c1b0e"]),
    "connectors.batchUpdate of one update": () =>
      poly.connectors.batchUpdate(agent, [{ connectorId: "CONN-7d2f9a", variantId: null }]),
    "phoneNumbers.list { connectorId } without Prefer": () =>
      poly.phoneNumbers.list(agent, { connectorId: "CONN-7d2f9a" }),
    "connectors.get, Prefer: dynamic=true": () =>
      poly.connectors.get(agent, "CONN-7d2f9a", prefer("dynamic=true")),
  };

  const problems = [];
  for (const [name, call] of Object.entries(passes))
    await call().catch((err) => problems.push(`${name} should pass: ${err.message}`));
  for (const [name, call] of Object.entries(refused)) {
    const err = await call().then(
      () => undefined,
      (e) => e,
    );
    if (!(err instanceof APIError && err.code === "INVALID_RESPONSE"))
      problems.push(`${name} should be refused with INVALID_RESPONSE: ${err?.message ?? "passed"}`);
  }
  const notFound = await poly.connectors
    .get(agent, "CONN-7d2f9a", prefer("code=404"))
    .catch((e) => e);
  if (!(notFound instanceof NotFoundError)) problems.push(`Prefer: code=404: ${notFound}`);
  assert.deepEqual(problems, [], problems.join("\n"));
  const { version } = createRequire(import.meta.url)(
    prismCli.replace(/dist[\\/]index\.js$/, "package.json"),
  );
  console.log(
    `prism ${version} on the shipped openapi.json: ${Object.keys(passes).length} calls answered from its examples pass the client's checks, ${Object.keys(refused).length} asking for something else are refused (INVALID_RESPONSE), Prefer: code=404 is a NotFoundError`,
  );
} finally {
  prism.kill("SIGTERM");
}
