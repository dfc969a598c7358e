import * as ivs from '@aws-sdk/client-ivs-realtime';
import { SOURCE_SERVER, startServerProcess } from './node/stage-server-process.mjs';

const CREDENTIALS = { accessKeyId: 'AKIDBROWSERTESTS', secretAccessKey: 'browser-tests-secret' };
const REGION = 'us-east-1';

/**
 * A web-test-runner plugin that runs a real stage server (from source) for the
 * browser tests, and answers the `stage-control` command: browser tests call a
 * control-plane operation, which runs here through the official AWS client
 * (SigV4 and all), e.g. to delete a stage under a joined participant.
 */
export function stageServerPlugin() {
  let server;
  let client;
  return {
    name: 'stage-server',
    url: () => server?.url,
    async serverStart() {
      server = await startServerProcess(SOURCE_SERVER, {
        STAGE_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        STAGE_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        STAGE_REGION: REGION,
      });
      client = new ivs.IVSRealTimeClient({ endpoint: server.url, region: REGION, credentials: CREDENTIALS });
    },
    async serverStop() {
      client?.destroy();
      await server?.stop();
    },
    async executeCommand({ command, payload }) {
      if (command !== 'stage-control') return undefined;
      const Command = ivs[`${payload.operation}Command`];
      if (typeof Command !== 'function') throw new Error(`unknown control-plane operation ${payload.operation}`);
      try {
        const { $metadata, ...output } = await client.send(new Command(payload.input ?? {}));
        return { output };
      } catch (error) {
        return { error: { name: error.name, message: error.message } };
      }
    },
  };
}
