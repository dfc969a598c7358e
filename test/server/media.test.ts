import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  GenericNack,
  type MediaStreamTrack,
  RTCPeerConnection,
  type RTCPeerConnectionConfig,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  type RTCRtpTransceiver,
  type RtcpSenderInfo,
  RtcpSrPacket,
  RtcpTransportLayerFeedback,
  RtpHeader,
  RtpPacket,
  isRtcp,
} from 'werift';
import type { ParticipantTokenClaims } from '../../src/protocol/index.js';
import { LiveStages } from '../../src/server/live/live-stages.js';
import { createMediaHandler } from '../../src/server/media/media-routes.js';
import { type MediaPath, chooseMediaPath, javascriptMediaPath } from '../../src/server/media/sfu/media-path.js';
import { rembPacket } from '../../src/server/media/sfu/remb.js';
import { Sfu } from '../../src/server/media/sfu/sfu.js';
import { TokenLeases } from '../../src/server/tokens/token-leases.js';

const URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  orientation: 'urn:3gpp:video-orientation',
};
// werift numbers extensions 1, 2, … in config order (audio list first), so
// these lists fix the ids: the publisher uses 1–6, the subscriber 7–10.
const PUBLISHER_EXTENSIONS = { audio: [URI.mid, URI.absSendTime, URI.audioLevel], video: [URI.mid, URI.absSendTime, URI.orientation] };
const PUBLISHER_IDS = { audioLevel: 3, orientation: 6 };
const UNNEGOTIATED_ID = 12;
const FILLER = ['urn:x-test:a', 'urn:x-test:b', 'urn:x-test:c', 'urn:x-test:d', 'urn:x-test:e', 'urn:x-test:f'];
const SUBSCRIBER_EXTENSIONS = { audio: [...FILLER, URI.mid, URI.audioLevel], video: [URI.mid, URI.orientation] };
const SUBSCRIBER_IDS = { audioMid: 7, audioLevel: 8, videoMid: 9, orientation: 10 };

const STAGE = 'stage-media-test';
const tokenClaims = new Map<string, ParticipantTokenClaims>();

function issueToken(participantId: string, capabilities = { allow_publish: true, allow_subscribe: true }, stage = STAGE): string {
  const token = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  tokenClaims.set(token, {
    jti: participantId,
    resource: `arn:aws:ivs:us-east-1:000000000000:stage/${stage}`,
    topic: stage,
    events_url: 'ws://127.0.0.1/events',
    whip_url: 'http://127.0.0.1/whip',
    capabilities,
    version: '1.0',
    attributes: {},
    exp: now + 3600,
    iat: now,
  });
  return token;
}

const tokens = {
  async verify(token: string): Promise<ParticipantTokenClaims> {
    const claims = tokenClaims.get(token);
    if (!claims) throw Object.assign(new Error('unknown token'), { code: 'invalid' });
    return claims;
  },
};

function clientConfig(extensions: { audio: string[]; video: string[] }): RTCPeerConnectionConfig {
  const ext = (uri: string) => new RTCRtpHeaderExtensionParameters({ uri });
  return {
    iceServers: [],
    iceAdditionalHostAddresses: ['127.0.0.1'],
    iceUseIpv6: false,
    bundlePolicy: 'max-bundle',
    codecs: {
      audio: [new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 })],
      video: [
        new RTCRtpCodecParameters({
          mimeType: 'video/VP8',
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }],
        }),
      ],
    },
    headerExtensions: { audio: extensions.audio.map(ext), video: extensions.video.map(ext) },
  };
}

function waitFor<T>(what: string, check: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = () => {
      const value = check();
      if (value) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(poll, 10);
    };
    poll();
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const mediaPaths: [string, () => MediaPath][] = [
  [
    'native',
    () => {
      // `npm run build` compiles the addon before the tests run, so its absence is a failure here.
      const path = chooseMediaPath({});
      if (!path.description.startsWith('native')) throw new Error(path.description);
      return path;
    },
  ],
  ['JavaScript', () => javascriptMediaPath],
];

for (const [pathName, mediaPath] of mediaPaths)
describe(`media: WHIP/WHEP with the SFU (${pathName} media path)`, { timeout: 60_000 }, () => {
  let server: Server;
  let origin: string;
  let live: LiveStages;
  let sfu: Sfu;
  const peers: RTCPeerConnection[] = [];
  const timers: NodeJS.Timeout[] = [];

  before(async () => {
    live = new LiveStages();
    sfu = new Sfu({ live, mediaPath: mediaPath(), congestion: { checkIntervalMs: 200, overuseChecks: 3, initialBackoffMs: 2000 } });
    const handler = createMediaHandler({ tokens, live, sfu, leases: new TokenLeases() });
    server = createServer(async (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (!(await handler(req, res, url))) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    for (const timer of timers) clearInterval(timer);
    await Promise.all(peers.map((pc) => pc.close()));
    await sfu.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Offers from `pc`, POSTs the offer and applies the answer. */
  async function negotiate(pc: RTCPeerConnection, path: string, token: string): Promise<string> {
    await pc.setLocalDescription(await pc.createOffer());
    await waitFor('ICE gathering', () => pc.iceGatheringState === 'complete');
    const res = await fetch(origin + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/sdp' },
      body: pc.localDescription!.sdp,
    });
    const text = await res.text();
    assert.equal(res.status, 201, text);
    assert.equal(res.headers.get('content-type'), 'application/sdp');
    await pc.setRemoteDescription({ type: 'answer', sdp: text });
    await waitFor('connection', () => pc.connectionState === 'connected');
    return res.headers.get('location')!;
  }

  /**
   * A werift publisher that sends Opus-like and VP8-like packets with header
   * extensions, and a keyframe when asked. `senderReports: false` keeps
   * werift's sender reports off (their NTP times are up to a second wrong).
   */
  async function startPublisher(participantId: string, { senderReports = true } = {}) {
    const token = issueToken(participantId);
    const pc = new RTCPeerConnection(clientConfig(PUBLISHER_EXTENSIONS));
    peers.push(pc);
    const audio = pc.addTransceiver('audio', { direction: 'sendonly' });
    const video = pc.addTransceiver('video', { direction: 'sendonly' });
    const location = await negotiate(pc, '/whip', token);
    // werift starts its report loop on the first packet unless it believes one runs.
    if (!senderReports) for (const t of [audio, video]) (t.sender as unknown as { rtcpRunning: boolean }).rtcpRunning = true;
    const plis: number[] = [];
    let keyframeWanted = true;
    video.sender.onPictureLossIndication.subscribe(() => {
      plis.push(performance.now());
      keyframeWanted = true;
    });
    let audioSeq = 1000;
    let videoSeq = 60_000; // wraps during the test
    let tick = 0;
    timers.push(
      setInterval(() => {
        tick++;
        const audioExtensions = [
          { id: PUBLISHER_IDS.audioLevel, payload: Buffer.from([0x85]) },
          { id: UNNEGOTIATED_ID, payload: Buffer.from([0xee]) },
        ];
        void audio.sender.sendRtp(new RtpPacket(new RtpHeader({ sequenceNumber: audioSeq++ & 0xffff, timestamp: tick * 480, extensions: audioExtensions }), Buffer.alloc(80, 1)));
        if (tick % 2) return;
        const keyframe = keyframeWanted;
        keyframeWanted = false;
        // VP8 payload descriptor (start of partition 0), then the frame tag whose bit 0 is 0 on keyframes.
        const payload = Buffer.concat([Buffer.from([0x10, keyframe ? 0x00 : 0x01]), Buffer.alloc(400, 2)]);
        const videoExtensions = [{ id: PUBLISHER_IDS.orientation, payload: Buffer.from([0x01]) }];
        void video.sender.sendRtp(
          new RtpPacket(new RtpHeader({ sequenceNumber: videoSeq++ & 0xffff, timestamp: tick * 900, marker: true, extensions: videoExtensions }), payload),
        );
      }, 10),
    );
    await waitFor('publish state', () => live.get(STAGE, participantId)?.published);
    return { token, pc, video, location, plis };
  }

  interface Received {
    kind: string;
    sequenceNumber: number;
    timestamp: number;
    extensions: { id: number; payload: Buffer }[];
    at: number;
  }

  async function startSubscriber(publisherId: string, query = '') {
    const token = issueToken(`sub-${randomUUID().slice(0, 8)}`);
    const pc = new RTCPeerConnection(clientConfig(SUBSCRIBER_EXTENSIONS));
    peers.push(pc);
    pc.addTransceiver('audio', { direction: 'recvonly' });
    const videoTransceiver: RTCRtpTransceiver = pc.addTransceiver('video', { direction: 'recvonly' });
    const received: Received[] = [];
    const reports: { kind: string; ssrc: number; info: RtcpSenderInfo; at: number; received: number }[] = [];
    const tracks: MediaStreamTrack[] = [];
    pc.onTrack.subscribe((track) => {
      tracks.push(track);
      track.onReceiveRtp.subscribe((packet) =>
        received.push({
          kind: track.kind,
          sequenceNumber: packet.header.sequenceNumber,
          timestamp: packet.header.timestamp,
          extensions: packet.header.extensions,
          at: performance.now(),
        }),
      );
      track.onReceiveRtcp.subscribe((packet) => {
        if (packet instanceof RtcpSrPacket) reports.push({ kind: track.kind, ssrc: packet.ssrc, info: packet.senderInfo, at: Date.now(), received: received.length });
      });
    });
    const location = await negotiate(pc, `/whep/${publisherId}${query}`, token);
    const count = (kind: string) => received.filter((r) => r.kind === kind).length;
    return { token, pc, location, received, reports, count, videoTransceiver };
  }

  async function request(method: string, path: string, token?: string, body?: string, contentType?: string) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (contentType) headers['content-type'] = contentType;
    const res = await fetch(origin + path, { method, headers, body });
    return { status: res.status, text: await res.text(), headers: res.headers };
  }

  it('forwards audio and video with the subscriber’s own extension ids', async () => {
    await startPublisher('pub-ext');
    const sub = await startSubscriber('pub-ext');
    await waitFor('audio and video packets', () => sub.count('audio') > 20 && sub.count('video') > 10);
    const allowed = new Set(Object.values(SUBSCRIBER_IDS));
    for (const packet of sub.received) {
      for (const e of packet.extensions) assert.ok(allowed.has(e.id), `extension id ${e.id} leaked into a ${packet.kind} packet`);
    }
    const audio = sub.received.find((r) => r.kind === 'audio')!;
    assert.deepEqual(audio.extensions.find((e) => e.id === SUBSCRIBER_IDS.audioLevel)?.payload, Buffer.from([0x85]));
    assert.ok(audio.extensions.some((e) => e.id === SUBSCRIBER_IDS.audioMid));
    const video = sub.received.find((r) => r.kind === 'video')!;
    assert.deepEqual(video.extensions.find((e) => e.id === SUBSCRIBER_IDS.orientation)?.payload, Buffer.from([0x01]));
    assert.ok(video.extensions.some((e) => e.id === SUBSCRIBER_IDS.videoMid));
  });

  it('forwards a publisher’s SRTP datagram only once when it arrives twice', async () => {
    const pub = await startPublisher('pub-replayed');
    const sub = await startSubscriber('pub-replayed');
    await waitFor('video', () => sub.count('video') > 5);
    // From here on each RTP datagram reaches the SFU's port twice, as when someone on the path replays it.
    const connection = pub.video.sender.dtlsTransport.iceTransport.connection;
    const send = connection.send;
    connection.send = async (data) => {
      await send(data);
      if (!isRtcp(data)) await send(data);
    };
    const from = sub.received.length;
    await sleep(500);
    connection.send = send;
    for (const kind of ['audio', 'video']) {
      const timestamps = sub.received.slice(from).filter((r) => r.kind === kind).map((r) => r.timestamp);
      assert.ok(timestamps.length > 10, `${timestamps.length} ${kind} packets`);
      assert.equal(new Set(timestamps).size, timestamps.length, `a ${kind} packet was forwarded twice`);
    }
  });

  it('stops video on PATCH {video:false} while audio continues, and resumes without a sequence gap', async () => {
    await startPublisher('pub-patch');
    const sub = await startSubscriber('pub-patch');
    await waitFor('video', () => sub.count('video') > 5);

    const off = await request('PATCH', sub.location, sub.token, JSON.stringify({ video: false }), 'application/json');
    assert.equal(off.status, 204, off.text);
    await sleep(150);
    const videoAfterOff = sub.count('video');
    const audioAfterOff = sub.count('audio');
    const lastSequence = sub.received.filter((r) => r.kind === 'video').at(-1)!.sequenceNumber;
    await sleep(500);
    assert.equal(sub.count('video'), videoAfterOff, 'video still arrives after PATCH {video:false}');
    assert.ok(sub.count('audio') > audioAfterOff + 10, 'audio stopped too');

    const on = await request('PATCH', sub.location, sub.token, JSON.stringify({ video: true }), 'application/json');
    assert.equal(on.status, 204, on.text);
    await waitFor('video again', () => sub.count('video') > videoAfterOff);
    const resumed = sub.received.filter((r) => r.kind === 'video')[videoAfterOff];
    assert.equal(resumed.sequenceNumber, (lastSequence + 1) & 0xffff);
  });

  it('sends each stream’s sender reports: its SSRC, forwarded packets and payload bytes, and an NTP ↔ RTP pair that keeps time', async () => {
    // Without the publisher's reports, the SFU pairs the forwarded timestamps with its own clock.
    await startPublisher('pub-reports', { senderReports: false });
    const sub = await startSubscriber('pub-reports');
    await waitFor('two sender reports per stream', () => ['audio', 'video'].every((kind) => sub.reports.filter((r) => r.kind === kind).length >= 2));
    const payloadBytes: Record<string, number> = { audio: 80, video: 402 };
    const clockRate: Record<string, number> = { audio: 48_000, video: 90_000 };
    const unixMs = (ntp: bigint) => Number(ntp >> 32n) * 1000 - 2_208_988_800_000 + (Number(ntp & 0xffffffffn) / 2 ** 32) * 1000;
    for (const kind of ['audio', 'video']) {
      for (const { ssrc, info, at, received } of sub.reports.filter((r) => r.kind === kind)) {
        assert.equal(ssrc, sub.pc.getTransceivers().find((t) => t.kind === kind)!.receiver.track.ssrc);
        assert.ok(info.packetCount > 0);
        assert.equal(info.octetCount, info.packetCount * payloadBytes[kind], `${kind} octets`);
        assert.ok(Math.abs(unixMs(info.ntpTimestamp) - at) < 200, `${kind}: NTP time ${Math.round(unixMs(info.ntpTimestamp) - at)} ms off`);
        // The RTP time is the latest forwarded packet's, moved forward by the time since it was sent.
        const latest = sub.received.slice(0, received).filter((r) => r.kind === kind).at(-1)!;
        const aheadMs = (((info.rtpTimestamp - latest.timestamp) | 0) / clockRate[kind]) * 1000;
        assert.ok(aheadMs >= -25 && aheadMs < 250, `${kind}: report's RTP time ${Math.round(aheadMs)} ms after the latest packet's`);
      }
    }
  });

  it('starts audio-only with ?video=false', async () => {
    await startPublisher('pub-audio-only');
    const sub = await startSubscriber('pub-audio-only', '?video=false');
    await waitFor('audio', () => sub.count('audio') > 20);
    assert.equal(sub.count('video'), 0);
  });

  it('relays a subscriber’s PLIs to the publisher at most once per 300 ms', async () => {
    const pub = await startPublisher('pub-pli');
    const sub = await startSubscriber('pub-pli');
    await waitFor('video', () => sub.count('video') > 5);
    await sleep(400); // let the start-up keyframe request pass the throttle window
    const before = pub.plis.length;
    const ssrc = sub.videoTransceiver.receiver.track.ssrc!;
    for (let i = 0; i < 20; i++) {
      await sub.videoTransceiver.receiver.sendRtcpPLI(ssrc);
      await sleep(20);
    }
    await sleep(400);
    const plis = pub.plis.slice(before);
    assert.ok(plis.length >= 1, 'no PLI reached the publisher');
    assert.ok(plis.length <= 3, `${plis.length} PLIs for a 0.4 s burst`);
    for (let i = 1; i < plis.length; i++) assert.ok(plis[i] - plis[i - 1] >= 290, `PLIs ${Math.round(plis[i] - plis[i - 1])} ms apart`);
  });

  it('answers a subscriber’s NACK by resending those packets, at most once per 100 ms each and within a budget', async () => {
    await startPublisher('pub-nack');
    const sub = await startSubscriber('pub-nack');
    await waitFor('video', () => sub.count('video') > 20);
    const lost = sub.received.filter((r) => r.kind === 'video').slice(-6, -1).map((r) => r.sequenceNumber);
    const copies = (sequenceNumber: number) => sub.received.filter((r) => r.kind === 'video' && r.sequenceNumber === sequenceNumber).length;
    const mediaSourceSsrc = sub.videoTransceiver.receiver.track.ssrc!;
    const nack = () =>
      sub.videoTransceiver.receiver.dtlsTransport.sendRtcp([new RtcpTransportLayerFeedback({ feedback: new GenericNack({ senderSsrc: 1, mediaSourceSsrc, lost }) })]);
    await nack();
    await nack(); // a repeat within 100 ms is not answered again
    await waitFor('retransmissions', () => lost.every((seq) => copies(seq) === 2));
    await sleep(60);
    assert.deepEqual(lost.map(copies), [2, 2, 2, 2, 2]);
    await sleep(600); // past 100 ms, and ~30 packets later: enough retransmission budget for five more
    await nack();
    await waitFor('the NACK answered again', () => lost.every((seq) => copies(seq) === 3));
  });

  it('pauses video while the subscriber’s REMB cannot carry it, keeps audio, and tries video again after a backoff', async () => {
    await startPublisher('pub-congested');
    const sub = await startSubscriber('pub-congested');
    await waitFor('video', () => sub.count('video') > 5);
    const ssrcs = sub.pc.getTransceivers().map((t) => t.receiver.track.ssrc!);
    let estimate = 20_000; // far below the ~100 kbit/s the test publisher sends
    const reporting = setInterval(() => void sub.videoTransceiver.receiver.dtlsTransport.sendRtcp([rembPacket(1, estimate, ssrcs)]), 100);
    timers.push(reporting);
    const videoBefore = sub.count('video');
    let paused = false;
    for (const deadline = performance.now() + 5000; !paused && performance.now() < deadline; ) {
      const count = sub.count('video');
      await sleep(300);
      paused = sub.count('video') === count;
    }
    assert.ok(paused, 'video kept flowing under a 20 kbit/s estimate');
    assert.ok(sub.count('video') > videoBefore, 'video stopped before the estimate was checked three times');
    const videoPaused = sub.count('video');
    const audioPaused = sub.count('audio');
    await sleep(500);
    assert.equal(sub.count('video'), videoPaused);
    assert.ok(sub.count('audio') > audioPaused + 20, 'audio stopped too');
    estimate = 5_000_000;
    await waitFor('video resumed after the backoff', () => sub.count('video') > videoPaused + 5, 3000);
    clearInterval(reporting);
  });

  it('sends the publisher a REMB estimate', async () => {
    const pub = await startPublisher('pub-remb');
    await waitFor('REMB', () => pub.video.sender.receiverEstimatedMaxBitrate > 0n);
    assert.ok(pub.video.sender.receiverEstimatedMaxBitrate >= 1_000_000n, `REMB ${pub.video.sender.receiverEstimatedMaxBitrate}`);
  });

  it('ends subscriptions and presence when the publisher deletes its session', async () => {
    const pub = await startPublisher('pub-delete');
    const sub = await startSubscriber('pub-delete');
    const stranger = issueToken('stranger');
    assert.equal((await request('DELETE', pub.location, stranger)).status, 403);
    assert.equal((await request('DELETE', pub.location)).status, 401);
    assert.equal((await request('DELETE', pub.location, pub.token)).status, 200);
    assert.equal(live.get(STAGE, 'pub-delete'), undefined);
    const patch = await request('PATCH', sub.location, sub.token, JSON.stringify({ video: false }), 'application/json');
    assert.equal(patch.status, 404, 'the subscriber session outlived its publisher');
    assert.equal((await request('DELETE', pub.location, pub.token)).status, 404);
  });

  it('keeps forwarding to one subscriber when another one leaves', async () => {
    await startPublisher('pub-two-subs');
    const first = await startSubscriber('pub-two-subs');
    const second = await startSubscriber('pub-two-subs');
    await waitFor('both subscribers', () => first.count('video') > 5 && second.count('video') > 5);
    assert.equal((await request('DELETE', first.location, first.token)).status, 200);
    const audioBefore = second.count('audio');
    await waitFor('audio on the remaining subscriber', () => second.count('audio') > audioBefore + 10);
  });

  it('replaces a participant’s publisher session when it publishes again', async () => {
    const old = await startPublisher('pub-again');
    const sub = await startSubscriber('pub-again');
    const pc = new RTCPeerConnection(clientConfig(PUBLISHER_EXTENSIONS));
    peers.push(pc);
    pc.addTransceiver('audio', { direction: 'sendonly' });
    const location = await negotiate(pc, '/whip', old.token);
    assert.notEqual(location, old.location);
    assert.equal((await request('DELETE', old.location, old.token)).status, 404, 'the replaced session is still there');
    assert.equal((await request('DELETE', sub.location, sub.token)).status, 404, 'subscribers of the replaced session were kept');
    // Presence stays; its kinds follow the new session once it connects.
    await waitFor('the new session published', () => live.get(STAGE, 'pub-again')?.kinds.join() === 'audio');
  });

  it('closes the sessions a token exchange no longer allows', async () => {
    const pub = await startPublisher('pub-downgraded');
    const claims = tokenClaims.get(pub.token)!;
    live.updateClaims({ ...claims, capabilities: { allow_publish: true, allow_subscribe: false } });
    assert.equal((await request('DELETE', pub.location, pub.token)).status, 200, 'publishing is still allowed, so the session was still there');
    const again = await startPublisher('pub-downgraded-2');
    live.updateClaims({ ...tokenClaims.get(again.token)!, capabilities: { allow_publish: false, allow_subscribe: true } });
    assert.equal((await request('DELETE', again.location, again.token)).status, 404, 'the publisher session outlived its capability');
  });

  it('closes a participant’s sessions when it leaves the stage', async () => {
    const pub = await startPublisher('pub-leaves');
    const sub = await startSubscriber('pub-leaves');
    assert.ok(live.disconnect(STAGE, 'pub-leaves', 'participant-disconnected'));
    assert.equal((await request('DELETE', pub.location, pub.token)).status, 404);
    assert.equal((await request('DELETE', sub.location, sub.token)).status, 404);
  });

  it('refuses bad requests with clear errors', async () => {
    const offer = 'v=0\r\n';
    const viewer = issueToken('viewer', { allow_publish: false, allow_subscribe: true });
    const noPublish = await request('POST', '/whip', viewer, offer, 'application/sdp');
    assert.equal(noPublish.status, 403);
    assert.match(noPublish.text, /publish/);

    const publisherOnly = issueToken('pub-only', { allow_publish: true, allow_subscribe: false });
    assert.equal((await request('POST', '/whep/anyone', publisherOnly, offer, 'application/sdp')).status, 403);
    const unknown = await request('POST', '/whip', 'not-a-token', offer, 'application/sdp');
    assert.equal(unknown.status, 401);
    assert.equal(unknown.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await request('POST', '/whip', undefined, offer, 'application/sdp')).status, 401);
    assert.equal((await request('POST', '/whip', issueToken('typed'), offer, 'text/plain')).status, 415);
    assert.equal((await request('POST', '/whip', issueToken('garbage'), 'hello', 'application/sdp')).status, 400);
    assert.equal((await request('POST', '/whip', issueToken('huge'), 'v=0\r\n' + 'a'.repeat(70_000), 'application/sdp')).status, 413);
    assert.equal((await request('POST', '/whep/nobody', viewer, offer, 'application/sdp')).status, 404);
    assert.equal((await request('GET', '/whip', viewer)).status, 405);
    assert.equal((await request('PATCH', '/whep/sessions/nope', viewer, '{"video":true}', 'application/json')).status, 404);

    const preflight = await request('OPTIONS', '/whep/sessions/abc');
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
    assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Authorization/);
    assert.match(preflight.headers.get('access-control-allow-methods') ?? '', /PATCH/);
  });

  // Found by test/server/fuzz-during-call.test.ts: such an offer waited out ICE gathering and got a 500.
  it('answers 400 to an offer with no codec in common with the SFU', async () => {
    // Ended at the end: the stage this suite shares is close to its publisher limit.
    const publisher = await startPublisher('pub-codecs');
    const unsupported = {
      ...clientConfig(PUBLISHER_EXTENSIONS),
      codecs: {
        audio: [new RTCRtpCodecParameters({ mimeType: 'audio/PCMU', clockRate: 8000 })],
        video: [new RTCRtpCodecParameters({ mimeType: 'video/H265', clockRate: 90000 })],
      },
    };
    // The publisher offers again (a 13th publisher would be refused first), a new participant subscribes.
    for (const [path, direction, token] of [['/whip', 'sendonly', publisher.token], ['/whep/pub-codecs', 'recvonly', issueToken('codecs-viewer')]] as const) {
      const pc = new RTCPeerConnection(unsupported);
      peers.push(pc);
      pc.addTransceiver('audio', { direction });
      pc.addTransceiver('video', { direction });
      await pc.setLocalDescription(await pc.createOffer());
      const res = await request('POST', path, token, pc.localDescription!.sdp, 'application/sdp');
      assert.equal(res.status, 400, `${path}: ${res.text}`);
      assert.match(res.text, /no codec/);
    }
    assert.equal((await request('DELETE', publisher.location, publisher.token)).status, 200);
  });

  it('rejects a subscription from another stage', async () => {
    await startPublisher('pub-stage');
    const outsider = issueToken('outsider', { allow_publish: false, allow_subscribe: true }, 'other-stage');
    const res = await request('POST', '/whep/pub-stage', outsider, 'v=0\r\n', 'application/sdp');
    assert.equal(res.status, 404);
  });
});
