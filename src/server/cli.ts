import { ConfigError, loadConfig } from './config.js';
import { startStageServer } from './app.js';
import { packageRoot } from './package-root.js';

/** `--dev-tokens` stands for STAGE_DEV_TOKENS=1, so `npm start` can ask for the demo's tokens on any shell. */
function environment(args: string[]): NodeJS.ProcessEnv {
  const unknown = args.filter((arg) => arg !== '--dev-tokens');
  if (unknown.length > 0) throw new ConfigError(`unknown argument ${unknown[0]} (the only one is --dev-tokens; the rest is set through the environment)`);
  return args.length > 0 ? { ...process.env, STAGE_DEV_TOKENS: '1' } : process.env;
}

/** Clients told to reconnect, media ended, webhooks given their last try, the database closed: all within this. */
const SHUTDOWN_BOUND_MS = 15_000;

async function main(): Promise<void> {
  const config = loadConfig(environment(process.argv.slice(2)), { staticDir: packageRoot() });
  const server = await startStageServer(config);
  const lines = [`Stage server listening on ${server.url}`, `Media path: ${server.mediaPath}`];
  if (server.devTokens) lines.push(`Demo: open ${server.url}/ in two tabs`);
  if (config.generatedCredentials) {
    lines.push(
      'Development credentials (generated for this run; set STAGE_ACCESS_KEY_ID and STAGE_SECRET_ACCESS_KEY to fix them):',
      `  AWS_ACCESS_KEY_ID=${config.credentials.accessKeyId}`,
      `  AWS_SECRET_ACCESS_KEY=${config.credentials.secretAccessKey}`,
      `  endpoint ${server.url}, region ${config.region}`,
    );
  }
  console.log(lines.join('\n'));
  keepServingOnStrayErrors();
  const stop = () => {
    // A second signal while shutting down means now.
    process.once('SIGINT', () => process.exit(1));
    process.once('SIGTERM', () => process.exit(1));
    const bound = setTimeout(() => {
      console.error(`[stage-server] shutdown took over ${SHUTDOWN_BOUND_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
    bound.unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

/**
 * One connection's fault must not end every stage on the server: an error no
 * handler caught is logged and the server keeps serving. Each such log is a
 * bug to fix with a test; start-up failures still exit (see main's catch).
 */
function keepServingOnStrayErrors(): void {
  process.on('uncaughtException', (error) => console.error('[stage-server] uncaught error (kept serving):', error));
  process.on('unhandledRejection', (reason) => console.error('[stage-server] unhandled rejection (kept serving):', reason));
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? `configuration error: ${error.message}` : error);
  process.exit(1);
});
