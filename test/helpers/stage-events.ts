import type { Stage } from '../../src/sdk/index.js';

/** Resolves with the listener arguments of the first `event` that satisfies `accept`. */
export function nextEvent<T extends unknown[]>(
  stage: Stage,
  event: string,
  accept: (...args: T) => boolean = () => true,
  timeoutMs = 20000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stage.off(event, listener);
      reject(new Error(`timed out waiting for ${event}`));
    }, timeoutMs);
    const listener = (...args: unknown[]) => {
      if (!accept(...(args as T))) return;
      clearTimeout(timer);
      stage.off(event, listener);
      resolve(args as T);
    };
    stage.on(event, listener);
  });
}

/** Records every emission of the given events, in order, as [event, ...args]. */
export function recordEvents(stage: Stage, events: string[]): unknown[][] {
  const log: unknown[][] = [];
  for (const event of events) stage.on(event, (...args: unknown[]) => log.push([event, ...args]));
  return log;
}

/** Polls `read` until it returns a truthy value. */
export async function waitFor<T>(read: () => Promise<T> | T, what: string, timeoutMs = 20000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
