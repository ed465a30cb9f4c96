// A local PolyAI for each test of a file, replaceable mid-test with other options
// (#20: the mock's tests each wrote this setup out).
import { afterEach, beforeEach } from "vitest";
import {
  createMockPolyAI,
  type MockPolyAI,
  type MockPolyAIOptions,
} from "../../src/testing/index.js";

/**
 * Starts a mock from `base` before each test, handing it to `use`, and closes it
 * after. Returns `restart(options)`: closes the current mock and starts one from
 * `base` plus `options` in its place, also handed to `use`.
 */
export function mockPerTest(
  base: MockPolyAIOptions,
  use: (mock: MockPolyAI) => void,
): (options: MockPolyAIOptions) => Promise<void> {
  let current: MockPolyAI | undefined;
  const start = async (options: MockPolyAIOptions) => {
    current = await createMockPolyAI({ ...base, ...options });
    use(current);
  };
  beforeEach(() => start({}));
  afterEach(() => current?.close());
  return async (options) => {
    await current?.close();
    await start(options);
  };
}
