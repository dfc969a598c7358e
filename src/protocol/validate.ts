/** Thrown when a message crossing a process boundary does not fit its type. */
export class WireFormatError extends Error {
  override name = 'WireFormatError';
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function expectObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new WireFormatError(`${what} must be an object`);
  return value;
}

export function expectString(obj: JsonObject, key: string, what: string): string {
  const v = obj[key];
  if (typeof v !== 'string') throw new WireFormatError(`${what}.${key} must be a string`);
  return v;
}

export function optionalString(obj: JsonObject, key: string, what: string): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new WireFormatError(`${what}.${key} must be a string`);
  return v;
}

export function expectBoolean(obj: JsonObject, key: string, what: string): boolean {
  const v = obj[key];
  if (typeof v !== 'boolean') throw new WireFormatError(`${what}.${key} must be a boolean`);
  return v;
}

export function expectNumber(obj: JsonObject, key: string, what: string): number {
  const v = obj[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new WireFormatError(`${what}.${key} must be a number`);
  return v;
}

export function expectOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new WireFormatError(`${what} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

/** A string→string record, as participant attributes are. */
export function expectStringRecord(value: unknown, what: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const obj = expectObject(value, what);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v !== 'string') throw new WireFormatError(`${what}.${k} must be a string`);
    out[k] = v;
  }
  return out;
}

/** Parses JSON text from the wire, turning a syntax error into a WireFormatError. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new WireFormatError(`${what} is not valid JSON`);
  }
}
