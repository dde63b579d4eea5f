/**
 * The behaviour fixture program, exporting only its URL.
 *
 * `tests/local/fixtures/behaviourProgram.ts` also exports `api` (the RestApi component), and
 * `startLocal` cannot serialize a resource as a stack output: writing outputs.json fails with
 * "Converting circular structure to JSON" (reported; real Pulumi serializes an exported
 * resource as a reference to its URN). Re-exporting `url` alone runs the same program.
 */
export { url } from "../fixtures/behaviourProgram";
