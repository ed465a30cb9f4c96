// @ts-nocheck -- consumer fixture (see consumer.ts): the bundled spec imported as a
// JSON module, the way an ESM TypeScript project writes it. Compiled under
// moduleResolution nodenext and bundler with resolveJsonModule (module node16
// does not accept import attributes, so that config compiles consumer-cjs.cts's
// `require` of the same file instead).
import spec from "polyai-connectors/openapi.json" with { type: "json" };

export const version: string = spec.openapi;
export const title: string = spec.info.title;
export const paths: string[] = Object.keys(spec.paths);
