/** A setting is missing or wrong; the message says which and how to fix it. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
