import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to run the server: the built CLI, as a user does, or the TypeScript source during development. */
export const BUILT_SERVER = ['dist/server/cli.js'];
export const SOURCE_SERVER = ['--import', 'tsx', 'src/server/cli.ts'];

/**
 * Development mode, with the demo token endpoint unless `env` configures
 * credentials (the server refuses that combination).
 * @param {Record<string, string>} env
 */
export function devServerEnv(env) {
  return env.STAGE_ACCESS_KEY_ID ? { STAGE_DEV: '1' } : { STAGE_DEV: '1', STAGE_DEV_TOKENS: '1' };
}

/**
 * The credentials a development server generated and printed at start.
 * @param {string} output what the server printed
 */
export function printedCredentials(output) {
  const accessKeyId = /AWS_ACCESS_KEY_ID=(\S+)/.exec(output)?.[1];
  const secretAccessKey = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(output)?.[1];
  if (!accessKeyId || !secretAccessKey) throw new Error(`the server printed no generated credentials:\n${output}`);
  return { accessKeyId, secretAccessKey };
}

/**
 * Starts a real stage server process on a free loopback port (or `env.PORT`)
 * with a throwaway data folder (or `env.STAGE_DATA_DIR`), and resolves once it printed its URL. The result
 * also makes the faults tests need: freeze and resume the process, kill it,
 * and start it again on the same port and data folder.
 * @param {string[]} args node arguments (BUILT_SERVER or SOURCE_SERVER)
 * @param {Record<string, string>} env extra environment
 */
export async function startServerProcess(args = BUILT_SERVER, env = {}) {
  const ownDataDir = env.STAGE_DATA_DIR === undefined;
  const dataDir = env.STAGE_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'stage-server-'));
  let running = await spawnServer(args, { ...devServerEnv(env), ...env, PORT: env.PORT ?? '0', STAGE_DATA_DIR: dataDir });
  const port = new URL(running.url).port;
  const alive = () => running.child.exitCode === null && running.child.signalCode === null;
  const kill = async (signal) => {
    if (!alive()) return;
    const exited = new Promise((r) => running.child.once('exit', r));
    running.child.kill(signal);
    await exited;
  };
  return {
    url: running.url,
    output: () => running.out,
    get pid() {
      return running.child.pid;
    },
    /** Resolves with the exit code or signal once the process ended on its own or by kill(). */
    exited: () => (alive() ? new Promise((r) => running.child.once('exit', (code, signal) => r(code ?? signal))) : Promise.resolve(running.child.exitCode ?? running.child.signalCode)),
    freeze: () => running.child.kill('SIGSTOP'),
    resume: () => running.child.kill('SIGCONT'),
    /** Sends the signal (SIGKILL by default) and waits for the process to end. */
    kill: (signal = 'SIGKILL') => kill(signal),
    /** Starts the server again on the same port and data folder; resolves with the time it said it listened. */
    async restart() {
      await kill('SIGKILL');
      running = await spawnServer(args, { ...devServerEnv(env), ...env, PORT: port, STAGE_DATA_DIR: dataDir });
      return running.listeningAt;
    },
    async stop() {
      await kill('SIGTERM');
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One server process, resolved once it printed its URL. */
async function spawnServer(args, env) {
  const child = spawn(process.execPath, args, { env: { ...process.env, HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`stage server did not start:\n${out}`)), 30000);
    child.once('exit', (code) => reject(new Error(`stage server exited with ${code}:\n${out}`)));
    child.stdout.on('data', () => {
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
  return {
    child,
    url,
    listeningAt: performance.now(),
    get out() {
      return out;
    },
  };
}
