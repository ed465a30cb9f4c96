// Adding an operation is a change to openapi/ and nothing else (issue 11): a copy of
// the spec gains a made-up `widgets` resource; generating and building from that
// copy, with src/ as it is, gives a working, checked, documented method.
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { spawnSync } from "node:child_process";
import { build } from "esbuild";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, startServer } from "./support/fixtures.js";

const WIDGET_PATH = `parameters:
  - $ref: ../components/parameters/AgentId.yaml
  - name: widgetId
    in: path
    required: true
    description: The widget.
    schema:
      title: widget ID
      type: string
      pattern: '^W-[0-9]{3}$'
get:
  operationId: getWidget
  x-sdk-resource: widgets
  x-sdk-method: get
  tags:
    - Widgets
  summary: Get a widget
  description: |
    One widget, with its size.
  responses:
    '200':
      description: The widget.
      content:
        application/json:
          schema:
            type: object
            required: [widgetId, size]
            properties:
              widgetId:
                type: string
              size:
                type: integer
    '401':
      $ref: ../components/responses/Unauthorized.yaml
    '403':
      $ref: ../components/responses/Forbidden.yaml
    '404':
      $ref: ../components/responses/NotFound.yaml
    '429':
      $ref: ../components/responses/RateLimited.yaml
`;

interface Widgets {
  get(agentId: string, widgetId: string, options?: object): Promise<unknown>;
}
interface Sdk {
  createPolyAIClient(options: object): { widgets: Widgets };
  NotFoundError: new (...args: never[]) => Error;
  InvalidInputError: new (...args: never[]) => Error & { field: string };
  APIError: new (...args: never[]) => Error & { code: string | undefined };
}

/** The compiler options of the repository's tsconfig.json (strict, exactOptionalPropertyTypes, …). */
function projectCompilerOptions(): ts.CompilerOptions {
  const file = path.join(repoRoot, "tsconfig.json");
  const { config, error } = ts.readConfigFile(file, (f) => ts.sys.readFile(f));
  if (error) throw new Error(ts.flattenDiagnosticMessageText(error.messageText, "\n"));
  return ts.parseJsonConfigFileContent(config, ts.sys, repoRoot).options;
}

const KEY = "sk-new-operation-key";
/** #20: generating, bundling and type-checking take seconds; this only catches a hang. */
const HANG_GUARD_MS = 180_000;
const dirs: string[] = [];
let sdk: Sdk;
let work: string;
const before = new Map<string, string>();

beforeAll(async () => {
  // Nothing of the repository is written: the work happens in a temporary copy.
  for (const file of ["generated/operations.ts", "generated/resources.ts", "src/client.ts"])
    before.set(file, await readFile(path.join(repoRoot, file), "utf8"));
  work = await mkdtemp(path.join(tmpdir(), "polyai-new-op-"));
  dirs.push(work);
  await cp(path.join(repoRoot, "openapi"), path.join(work, "openapi"), { recursive: true });
  await cp(path.join(repoRoot, "src"), path.join(work, "src"), { recursive: true });
  await symlink(path.join(repoRoot, "node_modules"), path.join(work, "node_modules"), "dir");
  // ESM, as in the repository, so that the copy compiles under its tsconfig.
  await writeFile(path.join(work, "package.json"), JSON.stringify({ type: "module" }));
  await writeFile(path.join(work, "openapi/paths/widget.yaml"), WIDGET_PATH);
  const root = path.join(work, "openapi/openapi.yaml");
  const yaml = await readFile(root, "utf8");
  await writeFile(
    root,
    yaml
      .replace("tags:\n", "tags:\n  - name: Widgets\n    description: Made-up widgets.\n")
      .replace(
        "paths:\n",
        "paths:\n  /v1/agents/{agentId}/widgets/{widgetId}:\n    $ref: paths/widget.yaml\n",
      ),
  );
  const gen = spawnSync(
    process.execPath,
    [
      path.join(repoRoot, "scripts/generate.mjs"),
      `--spec=${root}`,
      `--out=${path.join(work, "generated")}`,
    ],
    { encoding: "utf8" },
  );
  expect(gen.status, gen.stderr + gen.stdout).toBe(0);
  const outfile = path.join(work, "sdk.mjs");
  await build({
    entryPoints: [path.join(work, "src/index.ts")],
    bundle: true,
    format: "esm",
    platform: "node",
    outfile,
    logLevel: "silent",
  });
  sdk = (await import(pathToFileURL(outfile).href)) as Sdk;
}, HANG_GUARD_MS);

afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  for (const [file, text] of before)
    expect(await readFile(path.join(repoRoot, file), "utf8"), file).toBe(text);
});

/** A loopback server answering each request with the next of `answers`, recording requests. */
async function serve(answers: { status: number; body: unknown }[]) {
  const seen: { method: string; url: string; key: string | undefined }[] = [];
  const server = await startServer((req: IncomingMessage, res) => {
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      key: req.headers["x-api-key"] as string,
    });
    const answer = answers.shift() ?? { status: 500, body: {} };
    res.writeHead(answer.status, { "content-type": "application/json", "retry-after": "0" });
    res.end(JSON.stringify(answer.body));
  });
  const poly = sdk.createPolyAIClient({
    apiKey: KEY,
    baseUrl: server.url,
    maxRetries: 2,
    backoff: { initialMs: 1, maxMs: 1 },
  });
  return { poly, seen, close: server.close };
}

const envelope = (status: number, code: string) => ({
  success: false,
  error: "Not found",
  error_id: "cid-1",
  error_code: code,
  error_message: "Widget W-404 not found",
  data: null,
});

describe("a made-up operation added to a copy of the spec", () => {
  it("becomes a method that sends the right request and returns the answer", async () => {
    const { poly, seen, close } = await serve([
      { status: 200, body: { widgetId: "W-001", size: 3 } },
    ]);
    try {
      await expect(poly.widgets.get("PROJECT-58RP822I", "W-001")).resolves.toEqual({
        widgetId: "W-001",
        size: 3,
      });
      expect(seen).toEqual([
        { method: "GET", url: "/v1/agents/PROJECT-58RP822I/widgets/W-001", key: KEY },
      ]);
    } finally {
      await close();
    }
  });

  it("refuses a parameter that breaks its pattern before sending, naming it", async () => {
    const { poly, seen, close } = await serve([]);
    try {
      const err = await poly.widgets.get("PROJECT-58RP822I", "widget-1").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sdk.InvalidInputError);
      expect((err as { field: string }).field).toBe("widgetId");
      expect((err as Error).message).toContain("is not a valid widget ID");
      const dot = await poly.widgets.get("PROJECT-58RP822I", "..").catch((e: unknown) => e);
      expect((dot as { field: string }).field).toBe("widgetId");
      expect(seen).toHaveLength(0);
    } finally {
      await close();
    }
  });

  it("refuses an answer that lacks a required field as INVALID_RESPONSE", async () => {
    const { poly, close } = await serve([{ status: 200, body: { widgetId: "W-001" } }]);
    try {
      const err = await poly.widgets.get("PROJECT-58RP822I", "W-001").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sdk.APIError);
      expect((err as { code: string }).code).toBe("INVALID_RESPONSE");
      expect((err as Error).message).toContain("size: is missing");
    } finally {
      await close();
    }
  });

  it("maps a 404 to NotFoundError", async () => {
    const { poly, close } = await serve([
      { status: 404, body: envelope(404, "WIDGETS_NOT_FOUND") },
    ]);
    try {
      const err = await poly.widgets.get("PROJECT-58RP822I", "W-404").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(sdk.NotFoundError);
      expect((err as { code: string }).code).toBe("WIDGETS_NOT_FOUND");
    } finally {
      await close();
    }
  });

  it("retries through the one transport", async () => {
    const { poly, seen, close } = await serve([
      { status: 503, body: envelope(503, "INTERNAL_SERVER_ERROR") },
      { status: 429, body: envelope(429, "RATE_LIMITED") },
      { status: 200, body: { widgetId: "W-002", size: 1 } },
    ]);
    try {
      await expect(poly.widgets.get("PROJECT-58RP822I", "W-002")).resolves.toEqual({
        widgetId: "W-002",
        size: 1,
      });
      expect(seen).toHaveLength(3);
    } finally {
      await close();
    }
  });

  it(
    "has the operation's summary as its TSDoc, and compiles under the project's settings",
    () => {
      const program = ts.createProgram([path.join(work, "src/index.ts")], {
        ...projectCompilerOptions(),
        // #20: the core entry runs on Web APIs alone, so it is checked without Node's
        // types, which are half the compiler's work here.
        types: [],
        noEmit: true,
      });
      const checker = program.getTypeChecker();
      const source = program.getSourceFile(path.join(work, "generated/resources.ts"));
      expect(source).toBeDefined();
      const errors = ts
        .getPreEmitDiagnostics(program)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
      expect(errors).toEqual([]);
      let doc = "";
      ts.forEachChild(source as ts.SourceFile, (node) => {
        if (ts.isInterfaceDeclaration(node) && node.name.text === "WidgetsResource") {
          const method = node.members.find((m) => m.name?.getText() === "get");
          const symbol = method?.name && checker.getSymbolAtLocation(method.name);
          doc = ts.displayPartsToString(symbol?.getDocumentationComment(checker));
        }
      });
      expect(doc.split("\n")[0]).toBe("Get a widget");
      expect(doc).toContain("One widget, with its size.");
    },
    HANG_GUARD_MS,
  );
});
