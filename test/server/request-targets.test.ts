import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { serverPortForSuite } from './control-plane-harness.js';

/**
 * Request targets that are no path, found by fuzz-during-call.test.ts: one
 * that is not a URL was a 500 (and, on an upgrade, an error thrown in the
 * upgrade handler that left the socket open), and one starting with `//` was
 * read as a host followed by a path.
 */
describe('request targets that are no path', () => {
  const serverPort = serverPortForSuite();

  /** Sends `head`; the head of the answer, or that the server closed the connection without one (within 3 s). */
  async function send(head: string): Promise<{ answer: string; closed: boolean }> {
    const socket = connect(serverPort(), '127.0.0.1');
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write(`${head}\r\nHost: 127.0.0.1:${serverPort()}\r\n\r\n`);
    let answer = '';
    const closed = await new Promise<boolean>((resolve) => {
      socket.on('data', (chunk: Buffer) => {
        answer += chunk.toString('latin1');
        if (answer.includes('\r\n\r\n')) resolve(false);
      });
      socket.on('close', () => resolve(true));
      setTimeout(resolve, 3000, false).unref();
    });
    socket.destroy();
    return { answer, closed };
  }

  const refused = { answer: '', closed: true };

  const upgrade = 'Connection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==';

  it('answers 400 to a target that is not a URL', async () => {
    assert.match((await send('GET http://[::1/ListStages HTTP/1.1')).answer, /^HTTP\/1\.1 400 /);
  });

  it('closes an upgrade whose target is not a URL', async () => {
    assert.deepEqual(await send(`GET http://[::1/events HTTP/1.1\r\n${upgrade}`), refused);
  });

  it('reads a target starting with // as a path, not as a host', async () => {
    assert.match((await send(`GET /events HTTP/1.1\r\n${upgrade}`)).answer, /^HTTP\/1\.1 101 /);
    assert.deepEqual(await send(`GET //evil.example/events HTTP/1.1\r\n${upgrade}`), refused);
    assert.match((await send('POST //evil.example/ListStages HTTP/1.1\r\nContent-Length: 0')).answer, /^HTTP\/1\.1 404 /);
  });
});
