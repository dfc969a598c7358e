import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { stageServerPlugin } from './test/helpers/stage-server-plugin.mjs';

const stageServer = stageServerPlugin();

/** Headless Chromium with fake camera and microphone, allowed to use loopback ICE candidates. */
const chromiumArgs = [
  '--no-sandbox',
  '--headless=new',
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--allow-loopback-in-peer-connection',
  '--disable-features=WebRtcHideLocalIpsWithMdns',
  '--autoplay-policy=no-user-gesture-required',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export default {
  files: ['test/browser/**/*.test.ts', 'test/elements/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  browserStartTimeout: 60000,
  testsFinishTimeout: 180000,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' }), stageServer],
  browsers: [
    chromeLauncher({
      launchOptions: { executablePath: process.env.CHROME_PATH || undefined, args: chromiumArgs },
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
