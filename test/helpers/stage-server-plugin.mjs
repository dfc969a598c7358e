import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts a real stage server (from source, in its own process) for the
 * browser tests, on a free loopback port with a throwaway data folder.
 * `url()` is the origin once started.
 */
export function stageServerPlugin() {
  let child;
  let dataDir;
  let origin;
  return {
    name: 'stage-server',
    url: () => origin,
    async serverStart() {
      dataDir = mkdtempSync(join(tmpdir(), 'stage-test-'));
      child = spawn(process.execPath, ['--import', 'tsx', 'src/server/cli.ts'], {
        env: { ...process.env, HOST: '127.0.0.1', PORT: '0', STAGE_DATA_DIR: dataDir, STAGE_DEV: '1' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      origin = await new Promise((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`stage server did not start:\n${out}`)), 20000);
        child.once('exit', (code) => reject(new Error(`stage server exited with ${code}:\n${out}`)));
        child.stdout.on('data', (chunk) => {
          out += chunk;
          const match = /listening on (http:\/\/\S+)/.exec(out);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
      });
      child.stdout.resume();
    },
    async serverStop() {
      child?.kill('SIGTERM');
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
