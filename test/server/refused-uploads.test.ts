import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { type Socket, connect } from 'node:net';
import { describe, it, mock } from 'node:test';
import { serverPortForSuite } from './control-plane-harness.js';

/**
 * Uploads the server refuses before reading them: the answer comes at once and
 * the connection is closed soon after it, so a client cannot hold a connection
 * open by sending (or promising) a body nobody will read.
 */
describe('refused uploads are answered and closed at once', () => {
  const serverPort = serverPortForSuite();

  /** Sends the head and `body`, then waits (sending nothing more) for the answer and the end of the connection. */
  async function upload(head: string, body: Buffer, { end = false } = {}): Promise<{ answer: string; closed: boolean }> {
    const socket: Socket = connect(serverPort(), '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(head + '\r\n\r\n');
    // `end`: the client then sends nothing more, and says so.
    if (end) socket.end(body);
    else socket.write(body);
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

  const host = () => `Host: 127.0.0.1:${serverPort()}`;

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

  // Found by fuzz-during-call.test.ts: reading stopped by leaving a `for await`, which destroyed the request
  // and its socket, so the client never saw the refusal; 1 s later the grace timer threw on the missing socket.
  it('answers a chunked control-plane body that grows past the cap, and closes', async () => {
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    const chunked = Buffer.concat(Array.from({ length: 8 }, () => Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')])));
    const { answer, closed } = await upload(`POST /ListStages HTTP/1.1\r\n${host()}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked`, chunked);
    assert.match(answer, /^HTTP\/1\.1 400 /);
    assert.match(answer, /exceeds/);
    assert.equal(closed, true);
    // Past the grace: an error thrown in its timer would fail this test file.
    await new Promise((resolve) => setTimeout(resolve, 1500));
  });

  // Found by fuzz-during-call.test.ts: the request's 'aborted' error was an unexpected one, logged and answered 500.
  it('takes a body cut short or broken for a bad request, not for a server error', async () => {
    const { token } = (await (await fetch(`http://127.0.0.1:${serverPort()}/dev/token?stage=uploads`)).json()) as { token: string };
    const logged = mock.method(console, 'error', () => {});
    try {
      for (const path of ['/ListStages', '/whip']) {
        for (const body of ['Content-Length: 100\r\n\r\nshort', 'Transfer-Encoding: chunked\r\n\r\n5\r\nhel', 'Transfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n']) {
          const head = `POST ${path} HTTP/1.1\r\n${host()}\r\nContent-Type: application/sdp\r\nAuthorization: Bearer ${token}\r\n${body}`;
          const { answer } = await upload(head, Buffer.alloc(0), { end: true });
          assert.match(answer, /^HTTP\/1\.1 400 /, `${path} ${body}`);
        }
      }
      assert.deepEqual(logged.mock.calls.map((call) => String(call.arguments[0])), []);
    } finally {
      logged.mock.restore();
    }
  });

  it('keeps a connection alive after a request it read in full', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const post = () =>
      new Promise<{ status?: number; reused: boolean }>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port: serverPort(), path: '/whip', method: 'POST', agent, headers: { 'content-type': 'application/sdp', authorization: 'Bearer not-a-token' } },
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
