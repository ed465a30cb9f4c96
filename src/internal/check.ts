// The one validator: walks a value against a rule of the spec
// (generated/operations.ts). For a call's arguments it is strict and returns a copy
// holding exactly what the caller set, or throws an InvalidInputError naming the
// field (`updates[2].voiceName`) before anything is sent. For an answer it is loose
// where the API may grow: unknown keys pass, and enums, patterns and lengths are
// the server's business (a value added later must not break old clients).
import {
  checkNumber,
  type ArrayRule,
  type ObjectRule,
  type Rule,
  type StringRule,
} from "../../generated/operations.js";
import { InvalidInputError } from "../errors.js";
import { checkString, describeType, isPlainObject, quote } from "./validate.js";
import { formats } from "./formats.js";
import { base64Size } from "./base64-size.js";
import { nearMiss, suggestKey } from "./keys.js";
import { setOwn } from "./set-own.js";

/**
 * Checks `value` against `rule`. `field` names it in errors; the keys of an object
 * are named `${prefix}${key}` (a body's own fields are named bare: `voiceName`).
 * Strict: `undefined` object values mean "not set" and are dropped from the copy.
 * Loose (answers): the value is returned as it is, with spec defaults filled in.
 * @internal
 */
export function checkValue(
  value: unknown,
  rule: Rule,
  field: string,
  prefix = `${field}.`,
  loose = false,
): unknown {
  const fail = (reason: string) => new InvalidInputError(field, reason);
  if (value === null) {
    if (rule.nullable) return null;
    throw fail(`expected ${expected(rule, loose)}, got null`);
  }
  switch (rule.type) {
    case "string":
      if (loose && typeof value === "string") return value;
      return checkText(value, rule, field);
    case "integer":
    case "number":
      // #21: generated only for a spec with a number schema (check-number.ts).
      if (!checkNumber) throw new Error(`${field}: no number check was generated`);
      return checkNumber(value, rule, loose, fail, () =>
        fail(`expected ${expected(rule, loose)}, got ${shown(value, loose)}`),
      );
    case "boolean":
      if (typeof value !== "boolean") throw fail(`expected a boolean, got ${describeType(value)}`);
      return value;
    case "const":
      if (value !== rule.value)
        throw fail(`expected ${JSON.stringify(rule.value)}, got ${shown(value, loose)}`);
      return value;
    case "array":
      return checkArray(value, rule, field, loose);
    case "object":
      return checkObject(value, rule, field, prefix, loose);
    case "oneOf": {
      if (!isPlainObject(value))
        throw fail(`expected ${expected(rule, loose)}, got ${describeType(value)}`);
      const tags = rule.variants.map((v) => (v.type === "object" ? v.props[rule.tag] : undefined));
      const variant =
        rule.variants[tags.findIndex((t) => t?.type === "const" && t.value === value[rule.tag])];
      if (!variant) {
        const allowed = tags.map((t) => (t?.type === "const" ? JSON.stringify(t.value) : "?"));
        throw new InvalidInputError(
          `${prefix}${rule.tag}`,
          `expected ${allowed.join(" or ")}, got ${shown(value[rule.tag], loose)}`,
        );
      }
      return checkValue(value, variant, field, prefix, loose);
    }
  }
}

function expected(rule: Rule, loose = false): string {
  const object = loose ? "an object" : "a plain object";
  const names: Record<Rule["type"], string> = {
    string: "a string",
    integer: "an integer",
    number: "a number",
    boolean: "a boolean",
    const: JSON.stringify((rule as { value?: unknown }).value),
    array: "an array",
    object,
    oneOf: object,
  };
  return rule.nullable ? `${names[rule.type]} or null` : names[rule.type];
}

/** A value for a message; an answer's strings are described, not quoted (they may be large). */
function shown(value: unknown, loose = false): string {
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return typeof value === "string" && !loose ? quote(value) : describeType(value);
}

function checkText(value: unknown, rule: StringRule, field: string): string {
  // A value read back from a connector without one is "", so copying one
  // connector's fields onto another lands here: say how to clear instead.
  if (value === "" && rule.nullable && (rule.minLength ?? 0) > 0)
    throw new InvalidInputError(
      field,
      `must not be empty: "" is how an unset value reads back; send null to clear it${rule.clearHelper ? ` (${rule.clearHelper}())` : ""}`,
    );
  if (rule.format) formats[rule.format](value, field, rule);
  else if (rule.enum && typeof value === "string") {
    if (!rule.enum.includes(value)) {
      // #23: "prerelease" or "LIVE" is a near miss, as a mistyped key is.
      const near = nearMiss(value, rule.enum);
      const hint = near === undefined ? "" : `; did you mean ${quote(near)}?`;
      throw new InvalidInputError(
        field,
        `${quote(value)} is not one of ${rule.enum.join(", ")}${hint}`,
      );
    }
  } else checkString(value, rule, field, rule.title ?? "value");
  return value as string;
}

function checkArray(value: unknown, rule: ArrayRule, field: string, loose: boolean): unknown[] {
  // "E.164 phone number (+ then …)" → "E.164 phone number": the list's name for its items.
  const what = (rule.items.title ?? "item").replace(/\s*\(.*\)$/, "");
  if (!Array.isArray(value))
    throw new InvalidInputError(field, `expected an array of ${what}s, got ${describeType(value)}`);
  if (loose) {
    for (let i = 0; i < value.length; i++)
      checkValue(value[i], rule.items, `${field}[${i}]`, undefined, true);
    return value;
  }
  const min = rule.minItems ?? 0;
  if (value.length < min)
    throw new InvalidInputError(
      field,
      `must contain at least ${min} ${what}${min === 1 ? "" : "s"}`,
    );
  if (rule.maxItems !== undefined && value.length > rule.maxItems)
    throw new InvalidInputError(field, `has ${value.length} items; the limit is ${rule.maxItems}`);
  const seen = new Map<unknown, number>();
  const out: unknown[] = [];
  // An index loop, not forEach: a hole in a sparse array must be checked, not
  // skipped, or JSON.stringify would send it as null.
  for (let i = 0; i < value.length; i++) {
    const at = `${field}[${i}]`;
    const item = checkValue(value[i], rule.items, at);
    const by = rule.uniqueBy;
    const key = by ? (item as Record<string, unknown>)[by] : item;
    const first = seen.get(key);
    // Distinct strings (IDs, numbers) or a distinct property: the spec's uniqueItems
    // and x-sdk-unique-by. A repeat makes the outcome depend on order.
    if (first !== undefined && by)
      throw new InvalidInputError(
        `${at}.${by}`,
        `${quote(String(key))} is already in ${field}[${first}]; merge the two into one`,
      );
    if (first !== undefined && rule.uniqueItems && typeof item === "string")
      throw new InvalidInputError(at, `${quote(item)} duplicates ${field}[${first}]`);
    seen.set(key, i);
    out.push(item);
  }
  return out;
}

function checkObject(
  value: unknown,
  rule: ObjectRule,
  field: string,
  prefix: string,
  loose: boolean,
): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new InvalidInputError(
      field,
      `expected ${expected(rule, loose)}, got ${describeType(value)}`,
    );
  const required = requiredKeys(rule);
  if (loose) {
    for (const [key, inner] of Object.entries(rule.props)) {
      if (Object.hasOwn(value, key)) checkValue(value[key], inner, prefix + key, undefined, true);
      else if (required.includes(key)) throw new InvalidInputError(prefix + key, "is missing");
      else if (rule.defaults?.[key] !== undefined) value[key] = structuredClone(rule.defaults[key]);
    }
    return value;
  }
  const known = Object.keys(rule.props);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    const path = prefix + key;
    const inner = Object.hasOwn(rule.props, key) ? rule.props[key] : undefined;
    if (!inner && rule.closed)
      throw new InvalidInputError(
        path,
        `is not a field that can be set${suggestKey(key, known, "allowed keys are")}`,
      );
    if (v === null && required.includes(key))
      throw new InvalidInputError(path, "is required and cannot be null");
    if (v === null && inner && !inner.nullable) {
      const clearable = known.filter((k) => rule.props[k]?.nullable);
      throw new InvalidInputError(
        path,
        clearable.length
          ? `cannot be null: only ${clearable.join(", ")} can be cleared; leave the key out to keep the current value`
          : "cannot be null; leave the key out instead",
      );
    }
    // #23: keys beyond the properties follow the spec's additionalProperties schema.
    const rest = inner ?? rule.values;
    // setOwn: a metadata key "__proto__" is a key to send, not the copy's prototype.
    setOwn(out, key, rest ? checkValue(v, rest, path) : v);
  }
  for (const key of required) {
    if (!(key in out)) throw new InvalidInputError(prefix + key, "is required");
  }
  checkWhenAbsent(out, rule, prefix);
  if (rule.base64Under !== undefined) {
    const size = base64Size(out);
    if (size >= rule.base64Under)
      throw new InvalidInputError(
        field,
        `its base64 (of its JSON text) is ${size.toLocaleString("en")} bytes; PolyAI accepts under ${rule.base64Under.toLocaleString("en")} bytes`,
      );
  }
  if (Object.keys(out).length < (rule.minProperties ?? 0)) {
    throw new InvalidInputError(
      field,
      `sets no field to change (undefined values count as not set); set at least one of ${known.filter((k) => !required.includes(k)).join(", ")}`,
    );
  }
  return out;
}

/**
 * #23: `x-sdk-when-absent`: while a key is absent, other keys must also match a
 * stricter rule (`toNumber` in E.164 form unless `countryCode` is set).
 */
function checkWhenAbsent(out: Record<string, unknown>, rule: ObjectRule, prefix: string): void {
  for (const [absent, rules] of Object.entries(rule.whenAbsent ?? {})) {
    if (absent in out) continue;
    for (const [key, inner] of Object.entries(rules)) {
      if (!(key in out)) continue;
      try {
        checkValue(out[key], inner, prefix + key);
      } catch (err) {
        if (!(err instanceof InvalidInputError)) throw err;
        throw new InvalidInputError(err.field, `${err.reason}; or set ${prefix}${absent}`);
      }
    }
  }
}

/** The keys `rule` requires; `required: true` (#21) is every property, in their order. @internal */
export function requiredKeys(rule: ObjectRule): readonly string[] {
  return rule.required === true ? Object.keys(rule.props) : (rule.required ?? []);
}
