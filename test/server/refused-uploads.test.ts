import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startServer } from './control-plane-harness.js';

/**
 * Uploads the server refuses before reading them: the answer comes at once and
 * the connection is closed soon after it, so a client cannot hold a connection
 * open by sending (or promising) a body nobody will read.
 */
describe('refused uploads are answered and closed at once', () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let port: number;

  before(async () => {
    running = await startServer();
    port = Number(new URL(running.server.url).port);
  });
  after(() => running.close());

  /** Sends the head and `body`, then waits (sending nothing more) for the answer and the end of the connection. */
  async function upload(head: string, body: Buffer): Promise<{ answer: string; closed: boolean }> {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(head + '\r\n\r\n');
    socket.write(body);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    const ended = new Promise<boolean>((resolve) => {
      socket.once('end', () => resolve(true));
      socket.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 5000).unref();
    });
    const closed = await ended;
    socket.destroy();
    return { answer, closed };
  }

  const host = () => `Host: 127.0.0.1:${port}`;

  it('answers a WHIP offer without a bearer token 401 and closes, though 50 MB were announced', async () => {
    const { answer, closed } = await upload(
      `POST /whip HTTP/1.1\r\n${host()}\r\nContent-Type: application/sdp\r\nContent-Length: ${50 * 1024 * 1024}`,
      Buffer.alloc(256 * 1024, 0x61),
    );
    assert.match(answer, /^HTTP\/1\.1 401 /);
    assert.equal(closed, true, 'the server closed the connection');
  });

  it('answers a control-plane request whose declared length is over the cap before any of it arrives', async () => {
    const { answer, closed } = await upload(`POST /ListStages HTTP/1.1\r\n${host()}\r\nContent-Type: application/json\r\nContent-Length: ${10 * 1024 * 1024}`, Buffer.alloc(0));
    assert.match(answer, /^HTTP\/1\.1 4\d\d /);
    assert.match(answer, /exceeds/);
    assert.equal(closed, true);
  });

  it('keeps a connection alive after a request it read in full', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/whip', method: 'POST', agent, headers: { 'content-type': 'application/sdp', authorization: 'Bearer not-a-token' } },
          (res) => {
            res.resume();
            res.on('end', () => resolve({ status: res.statusCode, reused: req.reusedSocket }));
          },
        );
        req.on('error', reject);
        req.end('v=0');
      });
    try {
      assert.deepEqual(await post(), { status: 401, reused: false });
      assert.deepEqual(await post(), { status: 401, reused: true });
    } finally {
      agent.destroy();
    }
  });
});
