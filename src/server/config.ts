import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError } from './config-error.js';
import { withConfigFile } from './config-file.js';
import type { RateLimit } from './rate-limit/token-bucket.js';
import type { WebhookOptions } from './webhooks/webhook-sender.js';

export interface ServerConfig {
  host: string;
  port: number;
  /** Origin placed in tokens (events_url, whip_url); defaults to http://host:port once listening. */
  publicUrl?: string;
  region: string;
  accountId: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** True when credentials were generated at start because none were configured. */
  generatedCredentials: boolean;
  dataDir: string;
  /** SQLite database file; defaults to `dataDir/stage.sqlite`. */
  databasePath?: string;
  /** Participants on a stage that do not publish, beyond which a join is refused with `stage-at-capacity`. */
  maxSubscribers: number;
  /** Per client address: control-plane requests, and connection attempts (events, WHIP, WHEP). */
  rateLimits: { controlPlane: RateLimit; connections: RateLimit };
  /** Per events socket: messages from the client, and bytes queued to a client that does not read them. */
  eventsLimits: EventsLimits;
  /** Where stage events are POSTed, signed with the secret; none when undefined. */
  webhook?: WebhookOptions;
  /** Development mode: generated credentials allowed (on loopback only). */
  dev: boolean;
  /** `GET /dev/token` for the demo and tests: only asked for explicitly, in development mode, without credentials, on loopback. */
  devTokens: boolean;
  /** Directory served as static files (demo pages and built bundles); undefined serves nothing. */
  staticDir?: string;
}

export { ConfigError };

/** One process forwards every stream to every subscriber; keep this near what the machine can carry. */
const DEFAULT_MAX_SUBSCRIBERS = 1000;

/** Per client address, in every mode: generous for one person's tabs, tight for a script. */
export const DEFAULT_RATE_LIMITS: ServerConfig['rateLimits'] = {
  controlPlane: { perSecond: 50, burst: 100 },
  connections: { perSecond: 20, burst: 60 },
};

export interface EventsLimits {
  messages: RateLimit;
  sendBufferBytes: number;
}

/** A client sends a message per mute change; a queue this long means the reader has stopped reading. */
export const DEFAULT_EVENTS_LIMITS: EventsLimits = {
  messages: { perSecond: 20, burst: 40 },
  sendBufferBytes: 1024 * 1024,
};

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/;

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.test(host);
}

/**
 * Reads configuration from the environment and the file `STAGE_CONFIG` names
 * (a variable that is set wins); throws ConfigError with a readable message.
 */
export function loadConfig(processEnv: NodeJS.ProcessEnv = process.env, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const env = withConfigFile(processEnv);
  const host = env.HOST ?? '127.0.0.1';
  const portText = env.PORT ?? '7070';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`PORT must be an integer 0-65535, got "${portText}"`);
  const dev = env.STAGE_DEV !== undefined ? env.STAGE_DEV !== '0' && env.STAGE_DEV !== 'false' : env.NODE_ENV !== 'production';
  const devTokens = booleanFlag(env, 'STAGE_DEV_TOKENS');
  const accessKeyId = env.STAGE_ACCESS_KEY_ID;
  const secretAccessKey = env.STAGE_SECRET_ACCESS_KEY;
  if (Boolean(accessKeyId) !== Boolean(secretAccessKey)) {
    throw new ConfigError('set both STAGE_ACCESS_KEY_ID and STAGE_SECRET_ACCESS_KEY, or neither');
  }
  let generatedCredentials = false;
  let credentials: ServerConfig['credentials'];
  if (accessKeyId && secretAccessKey) {
    credentials = { accessKeyId, secretAccessKey };
  } else {
    if (!dev) throw new ConfigError('STAGE_ACCESS_KEY_ID and STAGE_SECRET_ACCESS_KEY are required outside development mode');
    if (!isLoopbackHost(host)) throw new ConfigError(`refusing to listen on ${host} without configured credentials`);
    credentials = { accessKeyId: 'DEV' + randomBytes(8).toString('hex').toUpperCase(), secretAccessKey: randomBytes(24).toString('base64url') };
    generatedCredentials = true;
  }
  if (devTokens) refuseDevTokensOutsideDevelopment({ dev, generatedCredentials, host, publicUrl: env.STAGE_PUBLIC_URL });
  return {
    host,
    port,
    publicUrl: env.STAGE_PUBLIC_URL,
    region: env.STAGE_REGION ?? 'us-east-1',
    accountId: env.STAGE_ACCOUNT_ID ?? '000000000000',
    credentials,
    generatedCredentials,
    dataDir: resolve(env.STAGE_DATA_DIR ?? '.stage-data'),
    ...(env.STAGE_DATABASE && { databasePath: resolve(env.STAGE_DATABASE) }),
    maxSubscribers: positiveInteger(env, 'STAGE_MAX_SUBSCRIBERS', DEFAULT_MAX_SUBSCRIBERS),
    rateLimits: {
      controlPlane: rateLimit(env, 'STAGE_CONTROL', DEFAULT_RATE_LIMITS.controlPlane),
      connections: rateLimit(env, 'STAGE_CONNECT', DEFAULT_RATE_LIMITS.connections),
    },
    eventsLimits: {
      messages: rateLimit(env, 'STAGE_EVENTS', DEFAULT_EVENTS_LIMITS.messages),
      sendBufferBytes: positiveInteger(env, 'STAGE_EVENTS_SEND_BUFFER', DEFAULT_EVENTS_LIMITS.sendBufferBytes),
    },
    webhook: webhookOptions(env),
    dev,
    devTokens,
    ...overrides,
  };
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new ConfigError(`${name} must be a positive integer, got "${text}"`);
  return value;
}

function booleanFlag(env: NodeJS.ProcessEnv, name: string): boolean {
  const text = env[name];
  if (text === undefined || text === '' || text === '0' || text === 'false') return false;
  if (text === '1' || text === 'true') return true;
  throw new ConfigError(`${name} must be 1/0 or true/false, got "${text}"`);
}

/**
 * The demo token endpoint mints tokens for anyone who can reach it, so it only
 * runs where nobody else can: a development server with no real credentials
 * (which would mean a real deployment) that neither listens on nor announces
 * an address other than loopback.
 */
function refuseDevTokensOutsideDevelopment(setup: { dev: boolean; generatedCredentials: boolean; host: string; publicUrl?: string }): void {
  if (!setup.dev) throw new ConfigError('STAGE_DEV_TOKENS needs development mode (STAGE_DEV=1, NODE_ENV not production)');
  if (!setup.generatedCredentials) throw new ConfigError('STAGE_DEV_TOKENS cannot be used with configured credentials (STAGE_ACCESS_KEY_ID)');
  if (!isLoopbackHost(setup.host)) throw new ConfigError(`STAGE_DEV_TOKENS needs a loopback HOST, got ${setup.host}`);
  if (setup.publicUrl !== undefined && !isLoopbackUrl(setup.publicUrl)) throw new ConfigError('STAGE_DEV_TOKENS cannot be used with a STAGE_PUBLIC_URL that is not loopback');
}

/** True for an http(s) URL whose host is a loopback name or address. */
export function isLoopbackUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && isLoopbackHost(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  } catch {
    return false;
  }
}

/** `<prefix>_RATE` per second with bursts of `<prefix>_BURST` (default twice the rate); on in every mode. */
function rateLimit(env: NodeJS.ProcessEnv, prefix: string, fallback: RateLimit): RateLimit {
  if (!env[`${prefix}_RATE`]) {
    if (env[`${prefix}_BURST`]) throw new ConfigError(`${prefix}_BURST is set but ${prefix}_RATE is not`);
    return fallback;
  }
  const perSecond = positiveInteger(env, `${prefix}_RATE`, 1);
  return { perSecond, burst: positiveInteger(env, `${prefix}_BURST`, 2 * perSecond) };
}

function webhookOptions(env: NodeJS.ProcessEnv): WebhookOptions | undefined {
  const url = env.STAGE_WEBHOOK_URL;
  const secret = env.STAGE_WEBHOOK_SECRET;
  if (!url) {
    if (secret) throw new ConfigError('STAGE_WEBHOOK_SECRET is set but STAGE_WEBHOOK_URL is not');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`STAGE_WEBHOOK_URL is not a URL: "${url}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ConfigError('STAGE_WEBHOOK_URL must be http or https');
  if (!secret || secret.length < 16) throw new ConfigError('STAGE_WEBHOOK_SECRET (at least 16 characters) is required with STAGE_WEBHOOK_URL');
  return { url, secret, ...(env.STAGE_WEBHOOK_MAX_QUEUED && { maxQueued: positiveInteger(env, 'STAGE_WEBHOOK_MAX_QUEUED', 1) }) };
}
