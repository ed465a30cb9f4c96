// Validation of a desired state, before any request, with the SDK's own checks:
// connector fields with the rule of `update`'s patch (the spec's), IDs and
// phone numbers through the same spec rules and the same checker the client runs
// on its arguments. Errors are InvalidInputError naming the path in the desired
// state: `connectors.CONN-main.voiceName`, `phoneNumbers.+442079460000`; every
// problem at once (#22), in one error.
import { operations } from "../../generated/operations.js";
import type { Rule } from "../../generated/operations.js";
import { InvalidInputError } from "../index.js";
import { checkValue } from "../internal/check.js";
import { suggestKey } from "../internal/keys.js";
import { describeType, isPlainObject } from "../internal/validate.js";
import {
  MANAGED_FIELDS,
  type CheckedDesiredState,
  type DesiredConnector,
  type ManagedField,
} from "./types.js";
import { Problems } from "./problems.js";
import { setOwn } from "./util.js";

// The rules the client checks these arguments with (get/update/reassign).
const AGENT_ID: Rule = operations.getConnector.params.agentId;
const CONNECTOR_ID: Rule = operations.getConnector.params.connectorId;
const PHONE_NUMBER: Rule = operations.getPhoneNumber.params.phoneNumber;
/** The rule of `update`'s patch: the same values are refused with the same words. */
const PATCH: Rule = operations.updateConnector.body;

const TOP_KEYS = ["$schema", "agentId", "connectors", "phoneNumbers"];

function checkRule(value: unknown, rule: Rule, field: string): string {
  return checkValue(value, rule, field) as string;
}

/** Checks a connector ID as the client checks one (`get`, `update`): the spec's rule, reserved names included. */
export function checkConnectorId(value: unknown, field: string): string {
  return checkRule(value, CONNECTOR_ID, field);
}

/** Checks a phone number as the client checks one: E.164, `+` then 1 to 15 digits, the first not 0. */
export function checkPhoneNumber(value: unknown, field: string): string {
  return checkRule(value, PHONE_NUMBER, field);
}

/** Checks an agent ID as the client checks one. */
export function checkAgentId(value: unknown, field: string): string {
  return checkRule(value, AGENT_ID, field);
}

/** The settings of one connector, checked with the rules of `update`; every problem noted. */
function checkConnector(value: unknown, field: string, problems: Problems): DesiredConnector {
  if (!isPlainObject(value)) {
    problems.add(
      field,
      `expected an object of connector settings (${MANAGED_FIELDS.join(", ")}), got ${describeType(value)}`,
    );
    return {};
  }
  const out: DesiredConnector = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    const at = `${field}.${key}`;
    if (v === undefined) continue; // "not set", as in a patch
    if (key === "ttsLangCode")
      problems.add(
        at,
        "cannot be set: the server derives it from voiceName; set voiceName instead",
        "NOT_MANAGED",
      );
    else if (key === "projectId")
      problems.add(
        at,
        "is not managed here: moving a connector to another project is a one-off; use poly.connectors.update",
        "NOT_MANAGED",
      );
    else if (!(MANAGED_FIELDS as readonly string[]).includes(key))
      problems.add(
        at,
        `is not a connector setting managed here${suggestKey(key, MANAGED_FIELDS, "allowed keys are")}`,
        "UNKNOWN_KEY",
      );
    // #22: each field on its own with `update`'s rule, so every bad field is named.
    else
      problems.attempt(() => {
        checkValue({ [key]: v }, PATCH, field);
        (out as Record<string, unknown>)[key] = v;
      }, undefined);
  }
  const ordered: DesiredConnector = {};
  for (const name of MANAGED_FIELDS) {
    if (name in out) (ordered as Record<ManagedField, unknown>)[name] = out[name];
  }
  return ordered;
}

/** Options of {@link validateDesiredState}. */
export interface ValidateOptions {
  /**
   * Path → line of the file the state was read from (`connectors.CONN-main.voiceName`
   * → 4): each problem then carries its `line`. The CLI makes one from the file's text.
   */
  lines?: ReadonlyMap<string, number> | undefined;
}

/**
 * Checks a desired state (a parsed JSON file, or an object built in code) and
 * returns a clean copy: both maps present, `$schema` dropped, `undefined` fields
 * dropped. Nothing is sent. Every problem is found, not only the first (#22).
 *
 * @example
 * try {
 *   validateDesiredState(JSON.parse(text));
 * } catch (e) {
 *   if (e instanceof InvalidInputError) for (const p of e.errors) console.error(p.path, p.message);
 * }
 * @throws {InvalidInputError} listing every problem in `errors` (path, message,
 * code, and line with `options.lines`; at most 50, `more` counts the rest); `field`
 * and `reason` are the first's.
 */
export function validateDesiredState(
  value: unknown,
  options: ValidateOptions = {},
): CheckedDesiredState {
  const problems = new Problems(options.lines);
  const checked = collectDesiredState(value, "", problems);
  problems.throwIfAny();
  return checked;
}

/**
 * @internal The check of {@link validateDesiredState}, noting every problem in
 * `problems` instead of throwing. `prefix` goes before every path (`"desired."`
 * inside a plan).
 */
export function collectDesiredState(
  value: unknown,
  prefix: string,
  problems: Problems,
): CheckedDesiredState {
  const top = prefix === "" ? "desired state" : prefix.replace(/\.$/, "");
  const empty = { agentId: "", connectors: {}, phoneNumbers: {} };
  if (!isPlainObject(value)) {
    problems.add(
      top,
      `expected an object { agentId, connectors, phoneNumbers }, got ${describeType(value)}`,
    );
    return empty;
  }
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.includes(key))
      problems.add(
        `${prefix}${key}`,
        `is not a key of a desired state${suggestKey(key, TOP_KEYS.slice(1), "allowed keys are")}`,
        "UNKNOWN_KEY",
      );
  }
  const schema = value["$schema"];
  if (schema !== undefined && typeof schema !== "string")
    problems.add(
      `${prefix}$schema`,
      `expected a string (the schema's URL or path), got ${describeType(schema)}`,
    );
  let agentId = "";
  if (value["agentId"] === undefined)
    problems.add(
      `${prefix}agentId`,
      "is required: the agent (Agent Studio project ID), like PROJECT-58RP822I",
      "REQUIRED",
    );
  else agentId = problems.attempt(() => checkAgentId(value["agentId"], `${prefix}agentId`), "");

  const connectors: Record<string, DesiredConnector> = {};
  const rawConnectors = value["connectors"];
  if (rawConnectors !== undefined && !isPlainObject(rawConnectors))
    problems.add(
      `${prefix}connectors`,
      `expected an object of connector ID → settings, got ${describeType(rawConnectors)}`,
    );
  else if (rawConnectors !== undefined)
    for (const [id, settings] of Object.entries(rawConnectors)) {
      const field = `${prefix}connectors.${id}`;
      const idOk = problems.attempt(() => (checkConnectorId(id, field), true), false);
      const checked = checkConnector(settings, field, problems);
      if (idOk) setOwn(connectors, id, checked);
    }

  const phoneNumbers: Record<string, string> = {};
  const rawNumbers = value["phoneNumbers"];
  if (rawNumbers !== undefined && !isPlainObject(rawNumbers))
    problems.add(
      `${prefix}phoneNumbers`,
      `expected an object of E.164 number → connector ID, got ${describeType(rawNumbers)}`,
    );
  else if (rawNumbers !== undefined)
    for (const [number, target] of Object.entries(rawNumbers)) {
      const field = `${prefix}phoneNumbers.${number}`;
      const numberOk = problems.attempt(() => (checkPhoneNumber(number, field), true), false);
      if (target === null) {
        problems.add(
          field,
          "cannot be null: a route can be changed but not removed; leave the number out to leave it alone",
        );
        continue;
      }
      const to = problems.attempt(() => checkConnectorId(target, field), undefined);
      if (numberOk && to !== undefined) setOwn(phoneNumbers, number, to);
    }
  return { agentId, connectors, phoneNumbers };
}

/** Every connector the desired state refers to, with the paths that name it. */
export function referencedConnectors(desired: CheckedDesiredState): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const add = (id: string, path: string) => {
    const paths = out.get(id);
    if (paths) paths.push(path);
    else out.set(id, [path]);
  };
  for (const id of Object.keys(desired.connectors)) add(id, `connectors.${id}`);
  for (const [number, id] of Object.entries(desired.phoneNumbers))
    add(id, `phoneNumbers.${number}`);
  return out;
}
