import * as ivs from '@aws-sdk/client-ivs-realtime';
import { SignJWT, exportSPKI, generateKeyPair } from 'jose';
import { SOURCE_SERVER, printedCredentials, startServerProcess } from './node/stage-server-process.mjs';

const REGION = 'us-east-1';

/**
 * A web-test-runner plugin that runs a real stage server (from source) for the
 * browser tests, and answers the `stage-control` command: browser tests call a
 * control-plane operation, which runs here through the official AWS client
 * (SigV4 and all), e.g. to delete a stage under a joined participant. The
 * server runs in development mode, as `npm start` does: tests get tokens from
 * `/dev/token`, and the control plane takes the credentials it generated.
 * The `app-token` command signs a token as an application would, with an
 * imported key, for lifetimes shorter than CreateParticipantToken allows.
 */
export function stageServerPlugin() {
  let server;
  let client;
  let signer;
  /** A token for `participantId` on the stage `stageArn` that expires `seconds` from now. */
  async function appToken({ stageArn, participantId, seconds }) {
    if (!signer) {
      const { privateKey, publicKey } = await generateKeyPair('ES384', { extractable: true });
      const { publicKey: imported } = await client.send(new ivs.ImportPublicKeyCommand({ publicKeyMaterial: await exportSPKI(publicKey) }));
      signer = { privateKey, kid: imported.arn };
    }
    const { stage } = await client.send(new ivs.GetStageCommand({ arn: stageArn }));
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({
      jti: participantId,
      resource: stageArn,
      topic: stageArn.split('/').pop(),
      events_url: stage.endpoints.events,
      whip_url: stage.endpoints.whip,
      capabilities: { allow_publish: true, allow_subscribe: true },
      version: '1.0',
      attributes: {},
      iat: now,
      exp: now + seconds,
    })
      .setProtectedHeader({ alg: 'ES384', typ: 'JWT', kid: signer.kid })
      .sign(signer.privateKey);
  }
  return {
    name: 'stage-server',
    url: () => server?.url,
    async serverStart() {
      server = await startServerProcess(SOURCE_SERVER, { STAGE_REGION: REGION });
      client = new ivs.IVSRealTimeClient({ endpoint: server.url, region: REGION, credentials: printedCredentials(server.output()) });
    },
    async serverStop() {
      client?.destroy();
      await server?.stop();
    },
    async executeCommand({ command, payload }) {
      if (command === 'app-token') return appToken(payload);
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
