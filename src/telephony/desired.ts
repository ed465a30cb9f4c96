// Validation of a desired state, before any request, with the SDK's own checks:
// connector fields with the rule of `update`'s patch (the spec's), IDs and
// phone numbers through the same spec rules and the same checker the client runs
// on its arguments. Errors are InvalidInputError naming the path in the desired
// state: `connectors.CONN-main.voiceName`, `phoneNumbers.+442079460000`.
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

/** The settings of one connector, checked with the rules of `update`. */
function checkConnector(value: unknown, field: string): DesiredConnector {
  if (!isPlainObject(value))
    throw new InvalidInputError(
      field,
      `expected an object of connector settings (${MANAGED_FIELDS.join(", ")}), got ${describeType(value)}`,
    );
  const out: DesiredConnector = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue; // "not set", as in a patch
    if (key === "ttsLangCode")
      throw new InvalidInputError(
        `${field}.${key}`,
        "cannot be set: the server derives it from voiceName; set voiceName instead",
      );
    if (key === "projectId")
      throw new InvalidInputError(
        `${field}.${key}`,
        "is not managed here: moving a connector to another project is a one-off; use poly.connectors.update",
      );
    if (!(MANAGED_FIELDS as readonly string[]).includes(key))
      throw new InvalidInputError(
        `${field}.${key}`,
        `is not a connector setting managed here${suggestKey(key, MANAGED_FIELDS, "allowed keys are")}`,
      );
    (out as Record<string, unknown>)[key] = v;
  }
  if (Object.keys(out).length === 0) return out; // managed: must exist, nothing else
  checkValue(out, PATCH, field);
  const ordered: DesiredConnector = {};
  for (const name of MANAGED_FIELDS) {
    if (name in out) (ordered as Record<ManagedField, unknown>)[name] = out[name];
  }
  return ordered;
}

/**
 * Checks a desired state (a parsed JSON file, or an object built in code) and
 * returns a clean copy: both maps present, `$schema` dropped, `undefined` fields
 * dropped. Nothing is sent.
 *
 * @param prefix - put before every path in errors (`"desired."` inside a plan).
 * @throws {InvalidInputError} naming the path: `connectors.CONN-main.voiceName: …`.
 */
export function validateDesiredState(value: unknown, prefix = ""): CheckedDesiredState {
  const top = prefix === "" ? "desired state" : prefix.replace(/\.$/, "");
  if (!isPlainObject(value))
    throw new InvalidInputError(
      top,
      `expected an object { agentId, connectors, phoneNumbers }, got ${describeType(value)}`,
    );
  for (const key of Object.keys(value)) {
    if (!TOP_KEYS.includes(key))
      throw new InvalidInputError(
        `${prefix}${key}`,
        `is not a key of a desired state${suggestKey(key, TOP_KEYS.slice(1), "allowed keys are")}`,
      );
  }
  const schema = value["$schema"];
  if (schema !== undefined && typeof schema !== "string")
    throw new InvalidInputError(
      `${prefix}$schema`,
      `expected a string (the schema's URL or path), got ${describeType(schema)}`,
    );
  if (value["agentId"] === undefined)
    throw new InvalidInputError(
      `${prefix}agentId`,
      "is required: the agent (Agent Studio project ID), like PROJECT-58RP822I",
    );
  const agentId = checkAgentId(value["agentId"], `${prefix}agentId`);

  const connectors: Record<string, DesiredConnector> = {};
  const rawConnectors = value["connectors"];
  if (rawConnectors !== undefined) {
    if (!isPlainObject(rawConnectors))
      throw new InvalidInputError(
        `${prefix}connectors`,
        `expected an object of connector ID → settings, got ${describeType(rawConnectors)}`,
      );
    for (const [id, settings] of Object.entries(rawConnectors)) {
      const field = `${prefix}connectors.${id}`;
      checkConnectorId(id, field);
      setOwn(connectors, id, checkConnector(settings, field));
    }
  }

  const phoneNumbers: Record<string, string> = {};
  const rawNumbers = value["phoneNumbers"];
  if (rawNumbers !== undefined) {
    if (!isPlainObject(rawNumbers))
      throw new InvalidInputError(
        `${prefix}phoneNumbers`,
        `expected an object of E.164 number → connector ID, got ${describeType(rawNumbers)}`,
      );
    for (const [number, target] of Object.entries(rawNumbers)) {
      const field = `${prefix}phoneNumbers.${number}`;
      checkPhoneNumber(number, field);
      if (target === null)
        throw new InvalidInputError(
          field,
          "cannot be null: a route can be changed but not removed; leave the number out to leave it alone",
        );
      setOwn(phoneNumbers, number, checkConnectorId(target, field));
    }
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
