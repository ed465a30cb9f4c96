// #23: copying a caller's object key by key: `out[key] = v` with key "__proto__" (an
// own key of what JSON.parse returns: a CSV header, a metadata key) sets the copy's
// prototype instead, and the key is silently lost. Shared by the core's checks and
// the telephony layer.

/**
 * Sets `obj[key]` as an own, enumerable property, even for `__proto__` (a valid
 * connector ID or metadata key, and an own key of what JSON.parse returns), which
 * `obj[key] = v` would turn into a prototype change.
 */
export function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}
