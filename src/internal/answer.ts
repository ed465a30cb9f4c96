// A 2xx answer is returned to the caller typed as the spec says it is, so it is
// walked once against the spec's rule for its status first: a proxy's error page,
// an envelope sent with 200 or a truncated list must fail loudly here, not as
// `undefined` deep inside the caller's code. The walk is lenient where the API may
// grow: unknown keys pass, an enum is checked as a string (a value added later does
// not break old clients), and patterns and lengths are the server's business.
import type { Rule } from "../../generated/operations.js";
import { describeType, isPlainObject } from "../validate.js";

function show(value: unknown): string {
  return typeof value === "boolean" ? String(value) : describeType(value);
}

/**
 * Where `value` departs from `rule`, such as `results[1].data.voiceName: is missing`,
 * or null when it conforms. Optional properties the API leaves out that have a
 * spec `default` are filled in, so `errors` is always a list.
 * @internal
 */
export function answerProblem(value: unknown, rule: Rule, path = ""): string | null {
  const at = path || "the answer";
  if (value === null && rule.nullable) return null;
  switch (rule.type) {
    case "string":
    case "boolean": {
      return typeof value === rule.type
        ? null
        : `${at}: expected a ${rule.type}, got ${describeType(value)}`;
    }
    case "integer":
    case "number": {
      const ok =
        typeof value === "number" &&
        Number.isFinite(value) &&
        (rule.type === "number" || Number.isInteger(value));
      return ok ? null : `${at}: expected a ${rule.type}, got ${describeType(value)}`;
    }
    case "const":
      return value === rule.value
        ? null
        : `${at}: expected ${JSON.stringify(rule.value)}, got ${show(value)}`;
    case "array": {
      if (!Array.isArray(value)) return `${at}: expected an array, got ${describeType(value)}`;
      for (let i = 0; i < value.length; i++) {
        const problem = answerProblem(value[i], rule.items, `${path}[${i}]`);
        if (problem) return problem;
      }
      return null;
    }
    case "oneOf": {
      if (!isPlainObject(value)) return `${at}: expected an object, got ${describeType(value)}`;
      const tags = rule.variants.map((v) => (v.type === "object" ? v.props[rule.tag] : undefined));
      const i = tags.findIndex((t) => t?.type === "const" && t.value === value[rule.tag]);
      const variant = rule.variants[i];
      if (!variant) {
        const allowed = tags.map((t) => (t?.type === "const" ? JSON.stringify(t.value) : "?"));
        return `${path ? `${path}.` : ""}${rule.tag}: expected ${allowed.join(" or ")}, got ${show(value[rule.tag])}`;
      }
      return answerProblem(value, variant, path);
    }
    case "object": {
      if (!isPlainObject(value)) return `${at}: expected an object, got ${describeType(value)}`;
      const prefix = path ? `${path}.` : "";
      const required = rule.required ?? [];
      for (const [key, inner] of Object.entries(rule.props)) {
        if (!Object.hasOwn(value, key)) {
          if (required.includes(key)) return `${prefix}${key}: is missing`;
          const fill = rule.defaults?.[key];
          if (fill !== undefined) value[key] = structuredClone(fill);
          continue;
        }
        const problem = answerProblem(value[key], inner, prefix + key);
        if (problem) return problem;
      }
      return null;
    }
  }
}
