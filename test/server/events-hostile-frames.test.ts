import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startServer } from './control-plane-harness.js';
import { joinEvents } from './events-connection.js';

/**
 * Frames the events socket refuses, sent by a client that never joined. The
 * server runs in this process without any process-level error policy, so an
 * unhandled socket 'error' would end the test run itself: passing means the
 * offending connection alone was closed, and a joined participant noticed nothing.
 */
describe('events channel: hostile frames end only their own connection', () => {
  let running: Awaited<ReturnType<typeof startServer>>;
  let eventsUrl: string;
  let host: Awaited<ReturnType<typeof joinEvents>>;

  async function devToken(stage: string, userId: string): Promise<string> {
    const response = await fetch(`${running.server.url}/dev/token?stage=${stage}&userId=${userId}`);
    assert.equal(response.status, 200);
    return ((await response.json()) as { token: string }).token;
  }

  before(async () => {
    running = await startServer();
    eventsUrl = `${running.server.url.replace(/^http/, 'ws')}/events`;
    host = await joinEvents(eventsUrl, await devToken('hostile', 'host'));
    assert.equal(host.first.type, 'joined');
  });
  after(() => running.close());

  /** The joined participant is still connected and still told about newcomers. */
  async function assertHostUnharmed(userId: string): Promise<void> {
    assert.equal(host.socket.readyState, WebSocket.OPEN);
    const guest = await joinEvents(eventsUrl, await devToken('hostile', userId));
    assert.equal(guest.first.type, 'joined');
    const seen = await host.next();
    assert.equal(seen.type, 'participant-joined');
    guest.socket.close();
    assert.equal((await host.next()).type, 'participant-left');
  }

  it('closes a 20 KiB frame with 1009 (message too big)', async () => {
    const socket = new WebSocket(eventsUrl);
    socket.on('error', () => {});
    await once(socket, 'open');
    socket.send('x'.repeat(20_000));
    const [code] = await once(socket, 'close');
    assert.equal(code, 1009);
    await assertHostUnharmed('after-oversize');
  });

  for (const [name, frame, expected] of [
    // RFC 6455 §5.1: a client frame must be masked.
    ['an unmasked frame', Buffer.from([0x81, 0x01, 0x78]), 1002],
    // Opcode 0x3 is reserved.
    ['a reserved opcode', Buffer.from([0x83, 0x81, 1, 2, 3, 4, 0x79]), 1002],
    // 0xff is never valid UTF-8 in a text frame.
    ['invalid UTF-8 in a text frame', Buffer.from([0x81, 0x81, 0, 0, 0, 0, 0xff]), 1007],
  ] as const) {
    it(`closes ${name} with ${expected}`, async () => {
      const code = await sendRawFrame(eventsUrl, frame);
      assert.equal(code, expected);
      await assertHostUnharmed(`after-${expected}-${name.length}`);
    });
  }

  it('closes a binary flood at its first frame', async () => {
    const socket = new WebSocket(eventsUrl);
    socket.on('error', () => {});
    await once(socket, 'open');
    const closed = once(socket, 'close');
    for (let i = 0; i < 200 && socket.readyState === WebSocket.OPEN; i++) socket.send(Buffer.alloc(1024, i));
    const [code] = await closed;
    assert.equal(code, 4001);
    await assertHostUnharmed('after-binary');
  });

  it('does not rebroadcast a mute state that did not change', async () => {
    const repeater = await joinEvents(eventsUrl, await devToken('hostile', 'repeater'));
    assert.equal((await host.next()).type, 'participant-joined');
    // Within the message rate's burst: only the repetition is under test here.
    for (let i = 0; i < 30; i++) repeater.socket.send(JSON.stringify({ type: 'mute', kind: 'audio', muted: true }));
    repeater.socket.send(JSON.stringify({ type: 'mute', kind: 'audio', muted: false }));
    const first = await host.next();
    assert.equal(first.type, 'participant-updated');
    assert.equal(first.type === 'participant-updated' && first.participant.audioMuted, true);
    // The next thing the host hears is the one real change, not 29 copies of the first.
    const second = await host.next();
    assert.equal(second.type === 'participant-updated' && second.participant.audioMuted, false);
    repeater.socket.close();
    assert.equal((await host.next()).type, 'participant-left');
  });

  it('closes a socket that sends messages faster than the rate allows, with rate-limited', { timeout: 10_000 }, async () => {
    const flooder = await joinEvents(eventsUrl, await devToken('hostile', 'flooder'));
    assert.equal((await host.next()).type, 'participant-joined');
    let muted = false;
    for (let i = 0; i < 500 && flooder.socket.readyState === WebSocket.OPEN; i++) {
      flooder.socket.send(JSON.stringify({ type: 'mute', kind: 'video', muted: (muted = !muted) }));
    }
    const refusal = await flooder.next();
    assert.equal(refusal.type === 'error' && refusal.code, 'rate-limited');
    const [code] = await flooder.closed;
    assert.equal(code, 4001);
    // The host heard at most the burst of real changes, then the flooder leave.
    let updates = 0;
    for (let message = await host.next(); message.type !== 'participant-left'; message = await host.next()) {
      assert.equal(message.type, 'participant-updated');
      updates++;
    }
    assert.ok(updates <= 41, `${updates} updates reached the host`);
  });

  it('closes a socket that never sends join after 10 s, saying why', async () => {
    const idle = new WebSocket(eventsUrl);
    const messages: string[] = [];
    idle.on('message', (data) => messages.push(String(data)));
    await once(idle, 'open');
    const started = Date.now();
    const [code] = await once(idle, 'close');
    const waited = Date.now() - started;
    assert.equal(code, 4001);
    assert.deepEqual(messages.map((text) => JSON.parse(text)), [{ type: 'error', code: 'bad-message', message: 'no join message received in time' }]);
    assert.ok(waited >= 9_000 && waited <= 12_000, `closed after ${waited} ms`);
  });

  it('ends a participant whose connection stopped answering pings within 10 s', async () => {
    // autoPong off: the socket stays open but never answers, as a peer gone without a close.
    const ghost = new WebSocket(eventsUrl, { autoPong: false });
    await once(ghost, 'open');
    ghost.send(JSON.stringify({ type: 'join', token: await devToken('hostile', 'ghost') }));
    assert.equal((await host.next()).type, 'participant-joined');
    const started = Date.now();
    const left = await Promise.race([
      host.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the ghost was still present after 10 s')), 10_000).unref()),
    ]);
    assert.equal(left.type, 'participant-left');
    assert.ok(Date.now() - started <= 10_000);
    ghost.terminate();
    // The host itself answers pings, so it outlived the ghost.
    assert.equal(host.socket.readyState, WebSocket.OPEN);
  });
});

/**
 * A participant that stops reading its socket while another one talks a lot.
 * The heartbeat would end it within 8 s too, so the limit is shown by what the
 * server held for it meanwhile: without a cap, every event queued up in memory.
 */
describe('events channel: a reader that stops reading', () => {
  const SEND_BUFFER = 64 * 1024;
  let running: Awaited<ReturnType<typeof startServer>>;
  let eventsUrl: string;

  before(async () => {
    // The talker below sends far faster than the default message rate allows.
    running = await startServer({ STAGE_EVENTS_RATE: '1000000', STAGE_EVENTS_SEND_BUFFER: String(SEND_BUFFER) });
    eventsUrl = `${running.server.url.replace(/^http/, 'ws')}/events`;
  });
  after(() => running.close());

  it('is dropped once its send buffer passes the cap, and the server does not hold its backlog', async () => {
    const token = async (userId: string) =>
      ((await (await fetch(`${running.server.url}/dev/token?stage=slow&userId=${userId}`)).json()) as { token: string }).token;
    const listener = await joinEvents(eventsUrl, await token('listener'));
    const reader = await joinEvents(eventsUrl, await token('reader'));
    assert.equal((await listener.next()).type, 'participant-joined');
    const talker = await joinEvents(eventsUrl, await token('talker'));
    assert.equal((await listener.next()).type, 'participant-joined');
    // From here the reader's kernel buffers fill and then the server's queue for it.
    (reader.socket as unknown as { _socket: { pause(): void } })._socket.pause();

    const TOGGLES = 100_000;
    const before = process.memoryUsage().arrayBuffers;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().arrayBuffers)), 5);
    let readerLeft = false;
    // In batches the listener keeps up with: it reads in this process too, and must stay under the cap.
    for (let sent = 0; sent < TOGGLES; ) {
      const batch = Math.min(200, TOGGLES - sent);
      for (let i = 0; i < batch; i++, sent++) talker.socket.send(JSON.stringify({ type: 'mute', kind: 'audio', muted: sent % 2 === 0 }));
      for (let heard = 0; heard < batch; ) {
        const message = await listener.next();
        if (message.type === 'participant-updated') heard++;
        else if (message.type === 'participant-left') readerLeft = true;
      }
    }
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
    // Each event is about 250 bytes, 25 MB in all: loopback's socket buffers take about half, the rest
    // would wait in the server's memory without the cap (measured: 0.6 MiB with it, 2.8 MiB at 60,000 events without).
    assert.ok(readerLeft, 'the reader was dropped while the talker talked');
    assert.ok(peak - before < 4 * 1024 * 1024, `buffers grew by ${((peak - before) / 1024 / 1024).toFixed(1)} MiB`);
    talker.socket.close();
    listener.socket.close();
  });
});

/** Does the upgrade by hand, writes one raw frame, and resolves with the close code the server sends back. */
async function sendRawFrame(url: string, frame: Buffer): Promise<number> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  await once(socket, 'connect');
  socket.write(
    'GET /events HTTP/1.1\r\n' +
      `Host: ${hostname}:${port}\r\n` +
      'Upgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let received = Buffer.alloc(0);
  const upgraded = new Promise<void>((resolve) => {
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.includes('\r\n\r\n')) resolve();
    });
  });
  await upgraded;
  assert.match(received.toString('latin1'), /^HTTP\/1\.1 101/);
  const headerEnd = received.indexOf('\r\n\r\n') + 4;
  socket.write(frame);
  await once(socket, 'close');
  // The server's close frame: 0x88, length, then the status code.
  const close = received.subarray(headerEnd);
  assert.equal(close[0], 0x88, 'the server answered with a close frame');
  return close.readUInt16BE(2);
}
