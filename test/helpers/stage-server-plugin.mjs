import { SOURCE_SERVER, startServerProcess } from './node/stage-server-process.mjs';

/** A web-test-runner plugin that runs a real stage server (from source) for the browser tests. */
export function stageServerPlugin() {
  let server;
  return {
    name: 'stage-server',
    url: () => server?.url,
    async serverStart() {
      server = await startServerProcess(SOURCE_SERVER);
    },
    async serverStop() {
      await server?.stop();
    },
  };
}
