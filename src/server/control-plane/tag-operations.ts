import type { JsonObject } from '../../protocol/index.js';
import { notFoundError, validationError } from './errors.js';
import { requiredString } from './input.js';
import type { Operation, OperationContext } from './operation-context.js';
import { checkTagCount, checkTagKey, parseTags } from './tags.js';

const RESOURCE_ARN = { max: 128, pattern: /^arn:aws:ivs:[a-z0-9-]+:[0-9]+:(stage|public-key)\/[a-zA-Z0-9-]+$/ };

// Tags live at `/tags/<resourceArn>`: GET lists, POST adds, DELETE with `?tagKeys=` removes.

export const tagResource: Operation = async (input, ctx) => {
  const arn = findResource(ctx, input);
  const tags = parseTags(input);
  if (!tags) throw validationError('tags is required');
  checkTagCount(ctx.stores.tags.get(arn), tags);
  ctx.stores.tags.set(arn, tags);
  return {};
};

export const untagResource: Operation = async (input, ctx) => {
  const arn = findResource(ctx, input);
  const keys = input.tagKeys;
  if (!Array.isArray(keys) || keys.length === 0) throw validationError('tagKeys is required');
  for (const key of keys) checkTagKey(String(key), 'tagKeys');
  ctx.stores.tags.remove(arn, keys.map(String));
  return {};
};

export const listTagsForResource: Operation = async (input, ctx) => ({ tags: ctx.stores.tags.get(findResource(ctx, input)) });

/** The ARN of an existing stage or public key. */
function findResource(ctx: OperationContext, input: JsonObject): string {
  const arn = requiredString(input, 'resourceArn', RESOURCE_ARN);
  if (!ctx.stores.stages.get(arn) && !ctx.stores.publicKeys.get(arn)) throw notFoundError(`resource ${arn} does not exist`);
  return arn;
}
