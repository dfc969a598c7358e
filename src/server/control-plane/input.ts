import { type JsonObject, isObject } from '../../protocol/index.js';
import { validationError } from './errors.js';

// Field readers for request bodies: each names the offending field in its ValidationException.

export function parseRequestBody(body: Buffer): JsonObject {
  // The AWS clients send an empty body for operations whose input is all optional.
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    throw validationError('the request body is not valid JSON');
  }
  if (!isObject(value)) throw validationError('the request body must be a JSON object');
  return value;
}

export function optionalString(o: JsonObject, field: string, rules: { max: number; pattern?: RegExp }, path = field): string | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw validationError(`${path} must be a string`);
  if (value.length > rules.max) throw validationError(`${path} must be at most ${rules.max} characters`);
  if (rules.pattern && !rules.pattern.test(value)) throw validationError(`${path} must match ${rules.pattern}`);
  return value;
}

export function requiredString(o: JsonObject, field: string, rules: { max: number; pattern?: RegExp }, path = field): string {
  const value = optionalString(o, field, rules, path);
  if (value === undefined || value === '') throw validationError(`${path} is required`);
  return value;
}

export function optionalInteger(o: JsonObject, field: string, min: number, max: number, path = field): number | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw validationError(`${path} must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function optionalArray(o: JsonObject, field: string, maxItems: number, path = field): unknown[] | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw validationError(`${path} must be an array`);
  if (value.length > maxItems) throw validationError(`${path} must have at most ${maxItems} items`);
  return value;
}

export function optionalStringMap(o: JsonObject, field: string, path = field): Record<string, string> | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) throw validationError(`${path} must be an object of strings`);
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw validationError(`${path}.${key} must be a string`);
    // defineProperty keeps a key named __proto__ an ordinary entry.
    Object.defineProperty(map, key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  return map;
}

export function expectObjectAt(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw validationError(`${path} must be an object`);
  return value;
}

export function optionalBoolean(o: JsonObject, field: string, path = field): boolean | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw validationError(`${path} must be true or false`);
  return value;
}

export function optionalEnum<T extends string>(o: JsonObject, field: string, allowed: readonly T[], path = field): T | undefined {
  const value = o[field];
  if (value === undefined || value === null) return undefined;
  if (!allowed.includes(value as T)) throw validationError(`${path} must be one of ${allowed.join(', ')}`);
  return value as T;
}
