/** Awaits `promise`, fails if it resolves, and returns what it rejected with (chai 4 has no async asserts). */
export async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  let settled: { value: unknown } | undefined;
  try {
    settled = { value: await promise };
  } catch (error) {
    if (!(error instanceof Error)) throw new Error(`expected an Error, got ${String(error)}`);
    return error;
  }
  throw new Error(`expected a rejection, got ${JSON.stringify(settled.value)}`);
}
