import { it } from "bun:test"

type TestBody = Parameters<typeof it>[1]

/**
 * `it`, or, when `missing` names what this machine lacks, `it.skip` with that reason in the test's
 * name: bun lists skipped tests by name, so the report says what did not run and why, instead of a
 * test that passes without checking anything or a console line nobody reads.
 */
export function itUnless(missing: string | undefined) {
  return (name: string, body: TestBody, timeoutMs?: number) =>
    missing === undefined ? it(name, body, timeoutMs) : it.skip(`${name} [skipped: ${missing}]`, body)
}
