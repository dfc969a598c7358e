/** Waits before the first attempts: a server that restarts is back within a second or two. */
const QUICK_DELAYS_MS = [100, 250, 500];
/** Then two attempts a second, so a server back after a longer outage is found within about half a second. */
const STEADY_DELAY_MS = 500;
/** ± this share of each wait, so the clients of a restarted server do not all come back in the same instant. */
const JITTER = 0.2;

/** How long a stage keeps trying to rejoin after losing the server before it gives up (DISCONNECTED with an ERROR). */
export const DEFAULT_RECONNECT_TIMEOUT_MS = 30_000;

/** The wait before reconnection attempt `attempt` (0 is the first). */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = QUICK_DELAYS_MS[attempt] ?? STEADY_DELAY_MS;
  return Math.round(base * (1 + JITTER * (2 * random() - 1)));
}
