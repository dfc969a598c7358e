import type { JsonObject } from '../../protocol/index.js';
import { validationError } from './errors.js';
import { optionalInteger, optionalString } from './input.js';

const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
const MAX_NEXT_TOKEN_LENGTH = 1024;

/** A unique, ordered key per item: the page token names the last item's key, so a page resumes after it even if it was deleted meanwhile. */
export interface PageOrder<T> {
  key(item: T): string[];
  /** Newest first instead of oldest first. */
  descending?: boolean;
}

/** One page of `items` (already in `order`), by the request's `maxResults` and `nextToken`. */
export function paginate<T>(items: T[], input: JsonObject, order: PageOrder<T>): { page: T[]; nextToken?: string } {
  const pageSize = optionalInteger(input, 'maxResults', 1, MAX_PAGE_SIZE) ?? DEFAULT_PAGE_SIZE;
  const nextToken = optionalString(input, 'nextToken', { max: MAX_NEXT_TOKEN_LENGTH });
  const after = nextToken === undefined ? undefined : decodePageToken(nextToken);
  const direction = order.descending ? -1 : 1;
  const remaining = after ? items.filter((item) => direction * compareKeys(order.key(item), after) > 0) : items;
  const page = remaining.slice(0, pageSize);
  return remaining.length > page.length ? { page, nextToken: encodePageToken(order.key(page[page.length - 1])) } : { page };
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const [x, y] = [a[i] ?? '', b[i] ?? ''];
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function encodePageToken(key: string[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

function decodePageToken(token: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw validationError('nextToken is not a token returned by this operation');
  }
  if (!Array.isArray(value) || !value.every((part) => typeof part === 'string')) {
    throw validationError('nextToken is not a token returned by this operation');
  }
  return value;
}
