// A 2xx answer is returned to the caller typed as the spec says it is, so it is
// walked once against the spec's structure (generated/constraints.ts) first: a
// proxy's error page, an envelope sent with 200 or a truncated list must fail
// loudly here, not as `undefined` deep inside the caller's code.
import type { Shape } from "../generated/constraints.js";
import { describeType, isPlainObject } from "./validate.js";

function show(value: unknown): string {
  return typeof value === "boolean" ? String(value) : describeType(value);
}

/**
 * Where `value` departs from `shape`, such as
 * `results[1].data.voiceName: is missing`, or null when it conforms.
 * @internal
 */
export function shapeProblem(value: unknown, shape: Shape, path = ""): string | null {
  const at = path || "the answer";
  if (typeof shape === "string") {
    const ok = typeof value === shape && !(typeof value === "number" && Number.isNaN(value));
    return ok ? null : `${at}: expected a ${shape}, got ${describeType(value)}`;
  }
  if ("const" in shape)
    return value === shape.const
      ? null
      : `${at}: expected ${JSON.stringify(shape.const)}, got ${show(value)}`;
  if ("items" in shape) {
    if (!Array.isArray(value)) return `${at}: expected an array, got ${describeType(value)}`;
    for (let i = 0; i < value.length; i++) {
      const problem = shapeProblem(value[i], shape.items, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (!isPlainObject(value)) return `${at}: expected an object, got ${describeType(value)}`;
  const prefix = path ? `${path}.` : "";
  if ("oneOf" in shape) {
    const consts = shape.oneOf.map((v) =>
      typeof v === "object" && "props" in v ? v.props[shape.tag] : undefined,
    );
    const i = consts.findIndex(
      (c) => typeof c === "object" && "const" in c && c.const === value[shape.tag],
    );
    const variant = shape.oneOf[i];
    if (!variant) {
      const allowed = consts.map((c) =>
        typeof c === "object" && "const" in c ? JSON.stringify(c.const) : "?",
      );
      return `${prefix}${shape.tag}: expected ${allowed.join(" or ")}, got ${show(value[shape.tag])}`;
    }
    return shapeProblem(value, variant, path);
  }
  for (const [key, inner] of Object.entries(shape.props)) {
    if (!Object.hasOwn(value, key)) return `${prefix}${key}: is missing`;
    const problem = shapeProblem(value[key], inner, prefix + key);
    if (problem) return problem;
  }
  return null;
}
