import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from './config-error.js';

/** Keys of the configuration file, and the environment variable each one stands for. */
export const CONFIG_FILE_KEYS = {
  host: 'HOST',
  port: 'PORT',
  publicUrl: 'STAGE_PUBLIC_URL',
  region: 'STAGE_REGION',
  accountId: 'STAGE_ACCOUNT_ID',
  accessKeyId: 'STAGE_ACCESS_KEY_ID',
  secretAccessKey: 'STAGE_SECRET_ACCESS_KEY',
  dataDir: 'STAGE_DATA_DIR',
  database: 'STAGE_DATABASE',
  dev: 'STAGE_DEV',
  devTokens: 'STAGE_DEV_TOKENS',
  maxSubscribers: 'STAGE_MAX_SUBSCRIBERS',
  controlRate: 'STAGE_CONTROL_RATE',
  controlBurst: 'STAGE_CONTROL_BURST',
  connectRate: 'STAGE_CONNECT_RATE',
  connectBurst: 'STAGE_CONNECT_BURST',
  eventsRate: 'STAGE_EVENTS_RATE',
  eventsBurst: 'STAGE_EVENTS_BURST',
  eventsSendBuffer: 'STAGE_EVENTS_SEND_BUFFER',
  webhookUrl: 'STAGE_WEBHOOK_URL',
  webhookSecret: 'STAGE_WEBHOOK_SECRET',
  webhookMaxQueued: 'STAGE_WEBHOOK_MAX_QUEUED',
} as const;

/** Paths in the file are relative to the file, not to wherever the server was started. */
const PATH_KEYS = new Set(['dataDir', 'database']);

/**
 * Reads the JSON configuration file `STAGE_CONFIG` names and returns its
 * settings as the environment variables they stand for, so that one parser
 * serves both and a variable that is set wins over the file.
 */
export function withConfigFile(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = env.STAGE_CONFIG;
  if (!path) return env;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the configuration file ${path}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError(`the configuration file ${path} is not valid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new ConfigError(`the configuration file ${path} must hold a JSON object`);
  const fromFile: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!Object.hasOwn(CONFIG_FILE_KEYS, key)) {
      throw new ConfigError(`${path}: unknown setting "${key}" (known: ${Object.keys(CONFIG_FILE_KEYS).join(', ')})`);
    }
    if (!['string', 'number', 'boolean'].includes(typeof value)) throw new ConfigError(`${path}: ${key} must be a string, number or boolean`);
    const text = String(value);
    fromFile[CONFIG_FILE_KEYS[key as keyof typeof CONFIG_FILE_KEYS]] = PATH_KEYS.has(key) ? resolve(dirname(path), text) : text;
  }
  return { ...fromFile, ...env };
}
