import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { CHROMIUM_ARGS } from './test/helpers/node/chromium-args.mjs';
import { stageServerPlugin } from './test/helpers/stage-server-plugin.mjs';

const stageServer = stageServerPlugin();

export default {
  files: ['test/browser/**/*.test.ts', 'test/elements/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 180000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), stageServer],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH || undefined, args: CHROMIUM_ARGS },
    }),
  ],
  testFramework: { config: { timeout: 30000 } },
  testRunnerHtml: (testFramework) => `<!doctype html>
<html>
  <body>
    <script>window.__STAGE_SERVER__ = ${JSON.stringify(stageServer.url() ?? '')};</script>
    <script type="module" src="${testFramework}"></script>
  </body>
</html>`,
};
