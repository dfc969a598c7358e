import { randomInt } from 'node:crypto';

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random [A-Za-z0-9] string, as IVS uses for stage and participant ids. */
export function randomAlphanumeric(length: number): string {
  let out = '';
  // randomInt is unbiased, unlike taking random bytes modulo 62.
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
