/**
 * Reads `read()` every 200 ms until `done` accepts the value, and returns it.
 * The deadline only turns a hang into a message naming what never happened
 * and the last value seen; no assertion depends on how long it took.
 */
export async function waitForValue<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
