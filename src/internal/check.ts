// The one input validator: walks a value against a rule of the spec
// (generated/operations.ts) and returns a copy holding exactly what the caller set,
// or throws an InvalidInputError naming the field (`updates[2].voiceName`). It runs
// before anything is sent, so nothing half-formed leaves the process.
import type { ArrayRule, ObjectRule, Rule, StringRule } from "../../generated/operations.js";
import { InvalidInputError } from "../errors.js";
import { checkString, describeType, isPlainObject, quote } from "../validate.js";
import { formats } from "./formats.js";
import { suggestKey } from "./keys.js";

/**
 * Checks `value` against `rule`. `field` names it in errors; the keys of an object
 * are named `${prefix}${key}` (a body's own fields are named bare: `voiceName`).
 * `undefined` object values mean "not set" and are dropped from the copy.
 * @internal
 */
export function checkValue(
  value: unknown,
  rule: Rule,
  field: string,
  prefix = `${field}.`,
): unknown {
  if (value === null) {
    if (rule.nullable) return null;
    throw new InvalidInputError(field, `expected ${expected(rule)}, got null`);
  }
  switch (rule.type) {
    case "string":
      return checkText(value, rule, field);
    case "integer":
    case "number": {
      const ok =
        typeof value === "number" &&
        Number.isFinite(value) &&
        (rule.type === "number" || Number.isInteger(value));
      if (!ok)
        throw new InvalidInputError(field, `expected ${expected(rule)}, got ${shown(value)}`);
      const low = rule.minimum ?? rule.exclusiveMinimum;
      const high = rule.maximum ?? rule.exclusiveMaximum;
      if (
        (rule.minimum !== undefined && value < rule.minimum) ||
        (rule.exclusiveMinimum !== undefined && value <= rule.exclusiveMinimum) ||
        (rule.maximum !== undefined && value > rule.maximum) ||
        (rule.exclusiveMaximum !== undefined && value >= rule.exclusiveMaximum) ||
        (rule.enum && !rule.enum.includes(value))
      )
        throw new InvalidInputError(
          field,
          rule.enum
            ? `${value} is not one of ${rule.enum.join(", ")}`
            : `${value} is out of range (${low ?? "-∞"} to ${high ?? "∞"})`,
        );
      return value;
    }
    case "boolean":
      if (typeof value !== "boolean")
        throw new InvalidInputError(field, `expected a boolean, got ${describeType(value)}`);
      return value;
    case "const":
      if (value !== rule.value)
        throw new InvalidInputError(
          field,
          `expected ${JSON.stringify(rule.value)}, got ${shown(value)}`,
        );
      return value;
    case "array":
      return checkArray(value, rule, field);
    case "object":
      return checkObject(value, rule, field, prefix);
    case "oneOf": {
      if (!isPlainObject(value))
        throw new InvalidInputError(field, `expected an object, got ${describeType(value)}`);
      const tag = value[rule.tag];
      const variant = rule.variants.find(
        (v) =>
          v.type === "object" &&
          v.props[rule.tag]?.type === "const" &&
          (v.props[rule.tag] as { value: unknown }).value === tag,
      );
      if (!variant) {
        const allowed = rule.variants.map((v) =>
          v.type === "object"
            ? JSON.stringify((v.props[rule.tag] as { value?: unknown }).value)
            : "?",
        );
        throw new InvalidInputError(
          `${prefix}${rule.tag}`,
          `expected ${allowed.join(" or ")}, got ${shown(tag)}`,
        );
      }
      return checkValue(value, variant, field, prefix);
    }
  }
}

function expected(rule: Rule): string {
  const base =
    rule.type === "string"
      ? "a string"
      : rule.type === "array"
        ? "an array"
        : rule.type === "object" || rule.type === "oneOf"
          ? "a plain object"
          : rule.type === "const"
            ? JSON.stringify(rule.value)
            : `a ${rule.type}`;
  return rule.nullable ? `${base} or null` : base;
}

function shown(value: unknown): string {
  return typeof value === "number" || typeof value === "boolean"
    ? String(value)
    : typeof value === "string"
      ? quote(value)
      : describeType(value);
}

function checkText(value: unknown, rule: StringRule, field: string): string {
  // A value read back from a connector without one is "", so copying one
  // connector's fields onto another lands here: say how to clear instead.
  if (value === "" && rule.nullable && (rule.minLength ?? 0) > 0)
    throw new InvalidInputError(
      field,
      `must not be empty: "" is how an unset value reads back; send null to clear it${rule.clearHelper ? ` (${rule.clearHelper}())` : ""}`,
    );
  if (rule.format) {
    formats[rule.format](value, field, rule);
    return value as string;
  }
  if (rule.enum && typeof value === "string") {
    if (rule.enum.includes(value)) return value;
    throw new InvalidInputError(field, `${quote(value)} is not one of ${rule.enum.join(", ")}`);
  }
  checkString(value, rule, field, rule.title ?? "value");
  return value as string;
}

function checkArray(value: unknown, rule: ArrayRule, field: string): unknown[] {
  const what = rule.items.title ?? "item";
  if (!Array.isArray(value))
    throw new InvalidInputError(field, `expected an array of ${what}s, got ${describeType(value)}`);
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
    if (first !== undefined && (by || (rule.uniqueItems && typeof item === "string"))) {
      throw by
        ? new InvalidInputError(
            `${at}.${by}`,
            `${quote(String(key))} is already in ${field}[${first}]; merge the two into one`,
          )
        : new InvalidInputError(at, `${quote(String(item))} duplicates ${field}[${first}]`);
    }
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
): Record<string, unknown> {
  if (!isPlainObject(value))
    throw new InvalidInputError(field, `expected a plain object, got ${describeType(value)}`);
  const known = Object.keys(rule.props);
  const required = rule.required ?? [];
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = value[key];
    if (v === undefined) continue;
    const path = prefix + key;
    const inner = Object.hasOwn(rule.props, key) ? rule.props[key] : undefined;
    if (!inner) {
      if (!rule.closed) {
        out[key] = v;
        continue;
      }
      throw new InvalidInputError(
        path,
        `is not a field that can be set${suggestKey(key, known, "allowed keys are")}`,
      );
    }
    if (v === null && required.includes(key))
      throw new InvalidInputError(path, "is required and cannot be null");
    if (v === null && !inner.nullable) {
      const clearable = known.filter((k) => rule.props[k]?.nullable);
      throw new InvalidInputError(
        path,
        `cannot be null: ${clearable.length ? `only ${clearable.join(", ")} can be cleared; ` : ""}leave the key out to keep the current value`,
      );
    }
    out[key] = checkValue(v, inner, path);
  }
  for (const key of required) {
    if (!(key in out)) throw new InvalidInputError(prefix + key, "is required");
  }
  if (Object.keys(out).length < (rule.minProperties ?? 0)) {
    throw new InvalidInputError(
      field,
      `sets no field to change (undefined values count as not set); set at least one of ${known.filter((k) => !required.includes(k)).join(", ")}`,
    );
  }
  return out;
}
