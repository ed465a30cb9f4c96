// Types of scripts/render-operations.mjs, for test/rule-kinds.test.ts.

/** The source of generated/operations.ts (before prettier) for a bundled spec. */
export function renderOperations(doc: unknown): string;

/** The operations of the document, as the SDK sees them. Throws on a missing convention. */
export function sdkOperations(doc: unknown): {
  id: string;
  resource: string;
  name: string;
  method: string;
  path: string;
  where: string;
}[];
