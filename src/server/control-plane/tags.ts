import type { JsonObject } from '../../protocol/index.js';
import { validationError } from './errors.js';
import { optionalStringMap } from './input.js';

const MAX_TAGS = 50;
const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

/** Reads a `tags` map as AWS constrains it: at most 50, keys 1–128 characters not starting with `aws:`, values up to 256. */
export function parseTags(input: JsonObject, field = 'tags'): Record<string, string> | undefined {
  const tags = optionalStringMap(input, field);
  if (!tags) return undefined;
  const entries = Object.entries(tags);
  if (entries.length > MAX_TAGS) throw validationError(`${field} must have at most ${MAX_TAGS} entries`);
  for (const [key] of entries) checkTagKey(key, field);
  for (const [key, value] of entries) {
    if (value.length > MAX_TAG_VALUE_LENGTH) throw validationError(`${field}.${key} must be at most ${MAX_TAG_VALUE_LENGTH} characters`);
  }
  return tags;
}

export function checkTagKey(key: string, field: string): void {
  if (key.length < 1 || key.length > MAX_TAG_KEY_LENGTH) throw validationError(`${field} keys must be 1 to ${MAX_TAG_KEY_LENGTH} characters`);
  if (key.toLowerCase().startsWith('aws:')) throw validationError(`${field} keys must not start with the reserved prefix "aws:"`);
}

/** A resource may carry at most 50 tags in all, counting those it has. */
export function checkTagCount(current: Record<string, string>, added: Record<string, string>): void {
  if (Object.keys({ ...current, ...added }).length > MAX_TAGS) throw validationError(`a resource may have at most ${MAX_TAGS} tags`);
}
