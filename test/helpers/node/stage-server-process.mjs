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
 * Starts a real stage server process on a free loopback port with a
 * throwaway data folder, and resolves once it printed its URL.
 * @param {string[]} args node arguments (BUILT_SERVER or SOURCE_SERVER)
 * @param {Record<string, string>} env extra environment
 */
export async function startServerProcess(args = BUILT_SERVER, env = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'stage-server-'));
  const child = spawn(process.execPath, args, {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', STAGE_DATA_DIR: dataDir, ...devServerEnv(env), ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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
    url,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
