// Renders generated/resources.ts: the typed interface of each client resource
// (`x-sdk-resource`), one method per operation (`x-sdk-method`), its TSDoc taken
// from the operation's summary and description. Types only: at run time every
// method is the one generic call path of src/ walking generated/operations.ts.
import { bodyMayBeEmpty, deref } from "./spec-model.mjs";
import { sdkOperations } from "./render-operations.mjs";

const js = (value) => JSON.stringify(value);

function pascal(name) {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** TSDoc from a summary and a description; `*\/` cannot end the comment early. */
function tsdoc(lines, indent) {
  const safe = lines.map((l) => l.replace(/\*\//g, "*\\/").trimEnd());
  return `${indent}/**\n${safe.map((l) => `${indent} *${l ? ` ${l}` : ""}`).join("\n")}\n${indent} */`;
}

function methodSignature(doc, o) {
  const { op, id, requestBody, parameters, responses } = o;
  const ops = `Ops[${js(id)}]`;
  const args = [];
  const docs = [];
  for (const segment of o.path.split("/")) {
    if (!segment.startsWith("{")) continue;
    const name = segment.slice(1, -1);
    args.push(`${name}: string`);
    const param = parameters.find((p) => p.in === "path" && p.name === name);
    const text = param?.description?.trim().replace(/\s+/g, " ");
    if (text) docs.push(`@param ${name} - ${/^.*?[.:](?=\s|$)/.exec(text)?.[0] ?? text}`);
  }
  if (requestBody) {
    const body = `${ops}["requestBody"]`;
    const type = `${requestBody.required ? body : `NonNullable<${body}>`}["content"]["application/json"]`;
    const argName = requestBody["x-sdk-argument"] ?? "body";
    const unwrap = requestBody["x-sdk-unwrap"];
    if (unwrap !== undefined) {
      args.push(`${unwrap}: Readonly<${type}[${js(unwrap)}]>`);
      const schema = deref(doc, requestBody.content["application/json"].schema).node;
      const rest = Object.keys(schema.properties ?? {}).filter((k) => k !== unwrap);
      if (rest.length) {
        const optional = !(schema.required ?? []).some((k) => rest.includes(k));
        args.push(`${argName}${optional ? "?" : ""}: Omit<${type}, ${js(unwrap)}>`);
      }
    } else {
      const optional = !requestBody.required || bodyMayBeEmpty(doc, requestBody);
      args.push(`${argName}${optional ? "?" : ""}: ${type}`);
    }
  }
  const query = parameters.filter((p) => p.in === "query");
  if (query.length) {
    const optional = !query.some((p) => p.required);
    args.push(
      `${op["x-sdk-query-argument"] ?? "query"}${optional ? "?" : ""}: Readonly<NonNullable<${ops}["parameters"]["query"]>>`,
    );
  }
  args.push(`options?: ${op["x-sdk-dry-run"] === true ? "WriteOptions" : "RequestOptions"}`);
  const ok = Object.keys(responses).filter((s) => /^2\d\d$/.test(s));
  const answer = ok
    .map((status) =>
      responses[status].content?.["application/json"]
        ? `${ops}["responses"][${status}]["content"]["application/json"]`
        : "undefined",
    )
    .join(" | ");
  const returns = op["x-sdk-returns"];
  const result = returns === undefined ? answer : `(${answer})[${js(returns)}]`;
  return { args, result, docs };
}

export function renderResources(doc) {
  const byResource = new Map();
  for (const o of sdkOperations(doc)) {
    const list = byResource.get(o.resource) ?? [];
    list.push(o);
    byResource.set(o.resource, list);
  }
  const tagDescription = (o) => {
    const tag = (doc.tags ?? []).find((t) => t.name === o.op.tags?.[0]);
    return tag?.description?.trim().split("\n") ?? [];
  };
  const interfaces = [...byResource].map(([resource, ops]) => {
    const methods = ops.map((o) => {
      const { args, result, docs } = methodSignature(doc, o);
      const text = [
        o.op.summary?.trim() ?? o.id,
        "",
        ...(o.op.description?.trim().split("\n") ?? []),
        "",
        ...docs,
        `@see operation \`${o.id}\`: \`${o.method.toUpperCase()} ${o.path}\``,
      ];
      return `${tsdoc(text, "  ")}\n  ${o.name}(${args.join(", ")}): APIPromise<${result}>;`;
    });
    return `${tsdoc([`\`poly.${resource}\`: ${ops[0].op.tags?.[0] ?? resource}.`, "", ...tagDescription(ops[0])], "")}\nexport interface ${pascal(resource)}Resource {\n${methods.join("\n\n")}\n}`;
  });
  const members = [...byResource.keys()].map(
    (r) =>
      `  /** ${pascal(r)}: see {@link ${pascal(r)}Resource}. */\n  readonly ${r}: ${pascal(r)}Resource;`,
  );
  return `
import type { APIPromise } from "../src/api-promise.js";
import type { RequestOptions, WriteOptions } from "../src/options.js";
import type { operations as Ops } from "./openapi.js";

${interfaces.join("\n\n")}

/** Every resource of the client, one per \`x-sdk-resource\` of the spec. */
export interface Resources {
${members.join("\n")}
}
`;
}
