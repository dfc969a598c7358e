import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import {
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RTCRtpCodecParameters,
  RTCRtpHeaderExtensionParameters,
  ReceiverEstimatedMaxBitrate,
  RtcpPacketConverter,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  RtpHeader,
  RtpPacket,
  SrtcpSession,
  SrtpAuthenticationError,
  SrtpSession,
} from 'werift';
import { EXTENSION_URI, absSendTimeSeconds, extensionIdMap } from '../../src/server/media/sfu/header-extensions.js';
import { KeyframeRequester } from '../../src/server/media/sfu/keyframe-requester.js';
import { startsKeyframe } from '../../src/server/media/sfu/keyframe.js';
import { OfferError, checkOffer, withoutTransportCc } from '../../src/server/media/sfu/negotiate.js';
import { ReceiveBandwidthEstimator } from '../../src/server/media/sfu/receive-estimator.js';
import { rembPacket } from '../../src/server/media/sfu/remb.js';
import { extensionIdTable, writeForwardedHeader } from '../../src/server/media/sfu/rtp-header-writer.js';
import { ntpNow, senderReportPacket, senderReportPair } from '../../src/server/media/sfu/sender-reports.js';
import { SourceTrack } from '../../src/server/media/sfu/source-track.js';
import { nativeSrtpOutput } from '../../src/server/media/sfu/native-srtp.js';
import { loadNativeSrtp } from '../../src/server/media/sfu/native-srtp-addon.js';
import { nativeSrtpInput } from '../../src/server/media/sfu/native-srtp-input.js';
import { type SrtpInput, javascriptSrtpInput } from '../../src/server/media/sfu/srtp-input.js';
import { type SrtpOutputFactory, javascriptSrtpOutput } from '../../src/server/media/sfu/srtp-output.js';
import { TrackForwarder } from '../../src/server/media/sfu/track-forwarder.js';

const ext = (id: number, uri: string) => new RTCRtpHeaderExtensionParameters({ id, uri });

describe('media: header extensions', () => {
  it('maps end-to-end extensions by URI and drops per-hop and unknown ones', () => {
    const publisher = [ext(1, EXTENSION_URI.mid), ext(2, EXTENSION_URI.absSendTime), ext(3, EXTENSION_URI.audioLevel), ext(4, EXTENSION_URI.videoOrientation)];
    const subscriber = [ext(2, EXTENSION_URI.mid), ext(5, EXTENSION_URI.audioLevel)];
    const map = extensionIdMap(publisher, subscriber);
    assert.deepEqual([...map], [[3, 5]]);
  });

  it('writes the subscriber’s header: its SSRC, payload type, sequence number and mid, end-to-end extensions under its ids', () => {
    const level = Buffer.from([0x90]);
    const source = new RtpHeader({
      marker: true,
      payloadType: 111,
      sequenceNumber: 7,
      timestamp: 0xfffffff0,
      ssrc: 1,
      padding: true,
      paddingSize: 4,
      extension: true,
      extensions: [
        { id: 1, payload: Buffer.from('0') },
        { id: 2, payload: Buffer.from([1, 2, 3]) },
        { id: 3, payload: level },
        { id: 9, payload: Buffer.from([7]) },
      ],
    });
    const stream = { ssrc: 0xdeadbeef, payloadType: 96, mid: { id: 2, value: Buffer.from('1') } };
    const table = extensionIdTable(new Map([[3, 5]]));
    const packet = RtpPacket.deSerialize(Buffer.concat([writeForwardedHeader(source, 65535, stream, table), Buffer.from('payload')]));
    assert.equal(packet.header.ssrc, 0xdeadbeef);
    assert.equal(packet.header.payloadType, 96);
    assert.equal(packet.header.sequenceNumber, 65535);
    assert.equal(packet.header.timestamp, 0xfffffff0);
    assert.equal(packet.header.marker, true);
    assert.equal(packet.header.padding, false);
    assert.deepEqual(packet.header.extensions, [
      { id: 2, payload: Buffer.from('1') },
      { id: 5, payload: level },
    ]);
    assert.equal(packet.payload.toString(), 'payload');
    const bare = writeForwardedHeader(new RtpHeader({ sequenceNumber: 1, extensions: [{ id: 2, payload: Buffer.from([1]) }] }), 1, { ssrc: 1, payloadType: 96 }, table);
    assert.equal(bare.length, 12, 'no extension block when nothing is left to write');
  });

  it('reads abs-send-time as 6.18 fixed-point seconds', () => {
    const payload = Buffer.from([0xaa, 0x00, 0x00]); // 42.5 × 2^18
    assert.equal(absSendTimeSeconds([{ id: 2, payload }], 2), 42.5);
    assert.equal(absSendTimeSeconds([{ id: 2, payload }], 3), undefined);
    assert.equal(absSendTimeSeconds([], undefined), undefined);
  });
});

describe('media: keyframe detection', () => {
  it('finds VP8 keyframe starts behind any payload descriptor', () => {
    assert.ok(startsKeyframe('VP8', Buffer.from([0x10, 0x50, 0x01, 0x02])));
    assert.ok(!startsKeyframe('VP8', Buffer.from([0x10, 0x51, 0x01, 0x02])), 'interframe');
    assert.ok(!startsKeyframe('VP8', Buffer.from([0x00, 0x50])), 'not the start of a partition');
    // X, I with a 15-bit picture id, L and T: six descriptor bytes, then the frame tag.
    assert.ok(startsKeyframe('vp8', Buffer.from([0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x10])));
    assert.ok(!startsKeyframe('vp8', Buffer.from([0x90, 0xe0, 0x81, 0x23, 0x05, 0x40, 0x11])));
    // X, I with a 7-bit picture id.
    assert.ok(startsKeyframe('vp8', Buffer.from([0x90, 0x80, 0x12, 0x10])));
    assert.ok(!startsKeyframe('vp8', Buffer.from([0x90])), 'truncated');
  });

  it('finds H.264 keyframes at SPS or the start of an IDR slice', () => {
    assert.ok(startsKeyframe('H264', Buffer.from([0x67, 0x42])), 'single SPS');
    assert.ok(startsKeyframe('H264', Buffer.from([0x78, 0x00, 0x02, 0x09, 0x10, 0x00, 0x02, 0x67, 0x42])), 'STAP-A with SPS');
    assert.ok(startsKeyframe('H264', Buffer.from([0x7c, 0x85, 0x00])), 'FU-A start of IDR');
    assert.ok(!startsKeyframe('H264', Buffer.from([0x7c, 0x05, 0x00])), 'FU-A continuation');
    assert.ok(!startsKeyframe('H264', Buffer.from([0x41, 0x9a])), 'P slice');
    assert.ok(!startsKeyframe('VP9', Buffer.from([0x00])), 'unsupported codec');
  });
});

describe('media: keyframe requests', () => {
  it('sends at most one PLI per 300 ms and defers the rest', async () => {
    const sent: number[] = [];
    const requester = new KeyframeRequester(() => sent.push(performance.now()), 300);
    const start = performance.now();
    for (let i = 0; i < 10; i++) {
      requester.request();
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(sent.length, 1);
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(sent.length, 2, 'the deferred request was dropped');
    assert.ok(sent[1] - sent[0] >= 295 && sent[1] - start < 400);
    requester.request();
    requester.close();
    await new Promise((r) => setTimeout(r, 350));
    assert.equal(sent.length, 2, 'a closed requester still sent');
  });
});

describe('media: REMB', () => {
  it('encodes the bitrate as mantissa and exponent', () => {
    const packet = rembPacket(1234, 2_500_000, [11, 22]);
    const decoded = ReceiverEstimatedMaxBitrate.deSerialize(packet.feedback.serialize());
    assert.deepEqual(decoded.ssrcFeedbacks, [11, 22]);
    assert.equal(decoded.senderSsrc, 1234);
    const bitrate = Number(decoded.bitrate);
    assert.ok(bitrate <= 2_500_000 && bitrate > 2_499_000, `decoded ${bitrate}`);
  });
});

/** Feeds `seconds` of a constant-rate stream into an estimator and returns its estimate after each 500 ms update. */
function simulate(
  estimator: ReceiveBandwidthEstimator,
  options: { bps: number; seconds: number; startMs?: number; loss?: number; queueGrowthMsPerSecond?: number },
): number[] {
  const packetBytes = 1200;
  const packetsPerSecond = options.bps / 8 / packetBytes;
  const estimates: number[] = [];
  const startMs = options.startMs ?? 0;
  let sequence = 0;
  let nextUpdate = startMs + 500;
  for (let i = 0; i < packetsPerSecond * options.seconds; i++) {
    const sentMs = startMs + (i * 1000) / packetsPerSecond;
    const arrivalMs = sentMs + 20 + ((sentMs - startMs) / 1000) * (options.queueGrowthMsPerSecond ?? 0);
    while (arrivalMs >= nextUpdate) {
      estimates.push(estimator.update(nextUpdate));
      nextUpdate += 500;
    }
    sequence++;
    // Deterministic loss: drop every packet whose index crosses a multiple of 1/loss.
    if (options.loss && Math.floor(sequence * options.loss) !== Math.floor((sequence - 1) * options.loss)) continue;
    estimator.onPacket(arrivalMs, 1, sequence & 0xffff, packetBytes, (sentMs / 1000) % 64);
  }
  return estimates;
}

describe('media: receive-side bandwidth estimate', () => {
  const limits = { startBps: 1_500_000, minBps: 100_000, maxBps: 6_000_000 };

  it('starts at the start bitrate and grows while the stream is clean', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    assert.equal(estimator.bitrateBps, 1_500_000);
    const estimates = simulate(estimator, { bps: 1_400_000, seconds: 10 });
    assert.ok(estimates.at(-1)! > 2_000_000, `estimate ${estimates.at(-1)}`);
    assert.ok(estimates.at(-1)! <= 2 * 1_400_000 * 1.05, 'grew far above twice the incoming rate');
  });

  it('does not hand an app-limited sender more than the start bitrate', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    const estimates = simulate(estimator, { bps: 200_000, seconds: 10 });
    assert.equal(estimates.at(-1), 1_500_000);
  });

  it('backs off below the incoming rate on heavy loss', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    const estimates = simulate(estimator, { bps: 1_000_000, seconds: 3, loss: 0.2 });
    assert.ok(estimates.at(-1)! < 1_000_000, `estimate ${estimates.at(-1)}`);
  });

  it('counts a bounded number of SSRCs, so packets under ever new ones neither grow memory nor hide the live stream', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    simulate(estimator, { bps: 1_000_000, seconds: 1 });
    let fakeSsrc = 2;
    const heapBefore = process.memoryUsage().heapUsed;
    // Then, between the packets of the (now lossy) stream, 100 one-packet streams each: some 25,000 SSRCs in all.
    const onPacket = estimator.onPacket.bind(estimator);
    estimator.onPacket = (nowMs, ssrc, sequenceNumber, bytes, sendTime) => {
      for (let i = 0; i < 100; i++) onPacket(nowMs, fakeSsrc++, 0, 0);
      onPacket(nowMs, ssrc, sequenceNumber, bytes, sendTime);
    };
    const estimates = simulate(estimator, { bps: 1_000_000, seconds: 3, startMs: 1000, loss: 0.2 });
    assert.ok(fakeSsrc > 20_000, `${fakeSsrc} SSRCs`);
    assert.ok(estimates.at(-1)! < 1_000_000, `estimate ${estimates.at(-1)}`);
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 8 * 1024 * 1024, 'the estimator kept what it heard');
  });

  it('holds (neither grows nor falls) on moderate loss', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    const estimates = simulate(estimator, { bps: 1_000_000, seconds: 5, loss: 0.05 });
    assert.equal(estimates.at(-1), 1_500_000);
  });

  it('ignores a send-time clock that keeps running backwards', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    for (let i = 0; i < 300; i++) {
      // werift-like abs-send-time: whole seconds plus noise, while arrivals advance steadily.
      const arrivalMs = i * 10;
      estimator.onPacket(arrivalMs, 1, i, 1200, Math.floor(arrivalMs / 1000) + ((i * 7919) % 23) / 100);
      if (i % 50 === 49) estimator.update(arrivalMs);
    }
    assert.ok(estimator.bitrateBps >= limits.startBps, `estimate ${estimator.bitrateBps}`);
  });

  it('backs off to about 85 % of the incoming rate when queueing delay keeps growing', () => {
    const estimator = new ReceiveBandwidthEstimator(limits);
    const estimates = simulate(estimator, { bps: 1_200_000, seconds: 4, queueGrowthMsPerSecond: 60 });
    const incoming = 1_200_000;
    assert.ok(estimates.at(-1)! <= incoming * 0.9, `estimate ${estimates.at(-1)}`);
    assert.ok(estimates.at(-1)! >= limits.minBps);
  });
});

describe('media: offers', () => {
  const section = (kind: string, direction: string) => `m=${kind} 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${kind}\r\na=${direction}\r\n`;

  it('accepts sending offers for WHIP and receiving offers for WHEP', () => {
    const send = `v=0\r\n${section('audio', 'sendonly')}${section('video', 'sendonly')}`;
    const recv = `v=0\r\n${section('audio', 'recvonly')}${section('video', 'recvonly')}`;
    checkOffer(send, 'publish');
    checkOffer(recv, 'subscribe');
    assert.throws(() => checkOffer(recv, 'publish'), OfferError);
    assert.throws(() => checkOffer(send, 'subscribe'), OfferError);
    assert.throws(() => checkOffer('v=0\r\n', 'publish'), /no audio or video/);
    assert.throws(() => checkOffer(`v=0\r\n${section('video', 'sendonly')}${section('video', 'sendonly')}`, 'publish'), /at most one/);
    assert.throws(() => checkOffer('hello', 'publish'), /SDP/);
  });

  it('strips transport-cc feedback and nothing else', () => {
    const sdp = 'a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 transport-cc\r\na=rtcp-fb:96 nack pli\r\na=rtcp-fb:111 transport-cc\r\n';
    assert.equal(withoutTransportCc(sdp), 'a=rtcp-fb:96 goog-remb\r\na=rtcp-fb:96 nack pli\r\n');
    assert.equal(withoutTransportCc('a=rtcp-fb:96 nack\na=rtcp-fb:96 transport-cc'), 'a=rtcp-fb:96 nack\n');
  });
});

describe('media: sender reports', () => {
  it('writes a correct NTP time', () => {
    const ntp = ntpNow();
    const ms = Number(ntp >> 32n) * 1000 + (Number(ntp & 0xffffffffn) / 2 ** 32) * 1000 - 2_208_988_800_000;
    assert.ok(Math.abs(ms - Date.now()) < 50, `ntp is ${ms - Date.now()} ms off`);
  });

  it('moves the publisher’s mapping forward to the present', () => {
    const report = { ntp: 1000n << 32n, rtp: 4_294_967_000, receivedAtMs: performance.now() - 500 };
    const pair = senderReportPair({ senderReport: report, codec: { clockRate: 90000 } }, { rtpTimestamp: 0, atMs: 0 });
    const elapsedMs = Number((pair.ntp - report.ntp) * 1000n) / 2 ** 32;
    assert.ok(elapsedMs >= 499 && elapsedMs < 550, `${elapsedMs} ms`);
    const rtpElapsed = (pair.rtp - report.rtp + 2 ** 32) % 2 ** 32;
    assert.ok(Math.abs(rtpElapsed - elapsedMs * 90) < 200, 'RTP time did not advance with the clock rate (or did not wrap)');
  });

  it('before the publisher’s first report, pairs the latest forwarded timestamp, moved forward, with now', () => {
    const now = performance.now();
    const pair = senderReportPair({ codec: { clockRate: 48000 } }, { rtpTimestamp: 2 ** 32 - 100, atMs: now - 1000 }, now);
    assert.equal(pair.rtp, 48000 - 100);
    assert.ok(ntpNow() - pair.ntp < 2n ** 32n / 10n);
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 2000): Promise<void> {
  for (const start = Date.now(); !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out');
  }
}

describe('media: SRTP protection of forwarded packets', () => {
  const keys = { localMasterKey: Buffer.alloc(16, 1), localMasterSalt: Buffer.alloc(14, 2), remoteMasterKey: Buffer.alloc(16, 3), remoteMasterSalt: Buffer.alloc(14, 4) };
  const swapped = { localMasterKey: keys.remoteMasterKey, localMasterSalt: keys.remoteMasterSalt, remoteMasterKey: keys.localMasterKey, remoteMasterSalt: keys.localMasterSalt };
  const native = loadNativeSrtp();
  const outputs: [string, () => SrtpOutputFactory][] = [
    ['JavaScript', () => javascriptSrtpOutput],
    [
      'native',
      () => {
        // `npm run build` compiles the addon; the test suite runs after it, so a missing addon is a failure here.
        if (native instanceof Error) throw native;
        return nativeSrtpOutput(native);
      },
    ],
  ];
  for (const [outputName, factory] of outputs) {
    for (const [name, profile, saltBytes] of [
      ['AES-GCM', ProtectionProfileAeadAes128Gcm, 12],
      ['AES-CM + HMAC-SHA1-80', ProtectionProfileAes128CmHmacSha1_80, 14],
    ] as const) {
      it(`${outputName}, ${name}: werift’s receiver decrypts every packet, across a sequence wrap`, () => {
        const k = (o: typeof keys) => ({ ...o, localMasterSalt: o.localMasterSalt.subarray(0, saltBytes), remoteMasterSalt: o.remoteMasterSalt.subarray(0, saltBytes) });
        const sender = new SrtpSession({ keys: k(keys), profile });
        const receiver = new SrtpSession({ keys: k(swapped), profile });
        const stream = { ssrc: 42, payloadType: 96 };
        const output = factory()(sender.localContext as never, stream, new Uint8Array(256));
        for (let i = 0; i < 8; i++) {
          const sequenceNumber = (65532 + i) & 0xffff;
          const payload = Buffer.from(`frame ${i} `.repeat(20 + i));
          const header = writeForwardedHeader(new RtpHeader({ timestamp: i * 3000 }), sequenceNumber, stream, new Uint8Array(256));
          const decrypted = RtpPacket.deSerialize(receiver.decrypt(output.protect(header, payload)));
          assert.equal(decrypted.header.sequenceNumber, sequenceNumber);
          assert.deepEqual(decrypted.payload, payload);
        }
      });

      it(`${outputName}, ${name}: werift’s receiver decrypts and parses every sender report (SRTCP)`, () => {
        const k = (o: typeof keys) => ({ ...o, localMasterSalt: o.localMasterSalt.subarray(0, saltBytes), remoteMasterSalt: o.remoteMasterSalt.subarray(0, saltBytes) });
        const output = factory()(new SrtpSession({ keys: k(keys), profile }).localContext as never, { ssrc: 1, payloadType: 96 }, new Uint8Array(256));
        const receiver = new SrtcpSession({ keys: k(swapped), profile });
        for (let i = 0; i < 3; i++) {
          const fields = { ssrc: 0xfedcba98, ntp: ntpNow(), rtp: 0xfffffff0 + i, packets: 100 * i, octets: 12_345 * i, cname: `cname-${'x'.repeat(i)}` };
          const [report, description] = RtcpPacketConverter.deSerialize(receiver.decrypt(output.protectRtcp(senderReportPacket(fields))));
          assert.ok(report instanceof RtcpSrPacket && description instanceof RtcpSourceDescriptionPacket);
          assert.equal(report.ssrc, fields.ssrc);
          assert.deepEqual(
            [report.senderInfo.ntpTimestamp, report.senderInfo.rtpTimestamp, report.senderInfo.packetCount, report.senderInfo.octetCount],
            [fields.ntp, fields.rtp, fields.packets, fields.octets],
          );
          assert.equal(description.chunks[0].source, fields.ssrc);
          assert.equal(description.chunks[0].items[0].text, fields.cname);
        }
      });
    }
  }

  for (const [name, profile, saltBytes] of [
    ['AES-GCM', ProtectionProfileAeadAes128Gcm, 12],
    ['AES-CM + HMAC-SHA1-80', ProtectionProfileAes128CmHmacSha1_80, 14],
  ] as const) {
    it(`native, ${name}: decrypts a publisher’s packets in werift’s place, continuing its rollover state across a wrap, and drops forgeries`, () => {
      if (native instanceof Error) throw native;
      const k = (o: typeof keys) => ({ ...o, localMasterSalt: o.localMasterSalt.subarray(0, saltBytes), remoteMasterSalt: o.remoteMasterSalt.subarray(0, saltBytes) });
      const publisher = new SrtpSession({ keys: k(keys), profile });
      const transport = { srtp: new SrtpSession({ keys: k(swapped), profile }) };
      const packets = Array.from({ length: 10 }, (_, i) => {
        const header = new RtpHeader({ ssrc: 1234, payloadType: 96, sequenceNumber: (65530 + i) & 0xffff, timestamp: i * 3000, marker: i % 2 === 0 });
        return { header, payload: Buffer.from(`media ${i} `.repeat(30 + i)) };
      });
      const receive = (i: number) => RtpPacket.deSerialize(transport.srtp.decrypt(publisher.encrypt(packets[i].payload, packets[i].header)));
      // werift decrypts the first packets, then the addon takes over and crosses the wrap at the 7th.
      for (let i = 0; i < 3; i++) receive(i);
      assert.equal(nativeSrtpInput(native)(transport), true);
      for (let i = 3; i < 10; i++) {
        if (i === 5) {
          const forged = publisher.encrypt(packets[i].payload, packets[i].header);
          forged[forged.length - 1] ^= 1;
          assert.throws(() => transport.srtp.decrypt(forged), SrtpAuthenticationError);
          assert.throws(() => transport.srtp.decrypt(Buffer.alloc(8)), SrtpAuthenticationError);
        }
        const packet = receive(i);
        assert.equal(packet.header.sequenceNumber, packets[i].header.sequenceNumber);
        assert.equal(packet.header.marker, packets[i].header.marker);
        assert.deepEqual(packet.payload, packets[i].payload);
      }
      assert.equal(nativeSrtpInput(native)({}), false, 'a transport without SRTP yet keeps werift’s');
    });
  }

  const inputs: [string, () => SrtpInput][] = [
    [
      'native',
      () => {
        if (native instanceof Error) throw native;
        return nativeSrtpInput(native);
      },
    ],
    ['JavaScript', () => javascriptSrtpInput],
  ];
  /** Packets that far behind the highest one so far are refused, seen or not (the addon's SRTP_REPLAY_WINDOW). */
  const REPLAY_WINDOW = 1024;
  for (const [inputName, input] of inputs) {
    for (const [name, profile, saltBytes] of [
      ['AES-GCM', ProtectionProfileAeadAes128Gcm, 12],
      ['AES-CM + HMAC-SHA1-80', ProtectionProfileAes128CmHmacSha1_80, 14],
    ] as const) {
      /** A publisher, and a werift transport whose decryption `input` took over after werift decrypted `before` (sequence numbers). */
      const publisherToSfu = (before: number[] = []) => {
        const k = (o: typeof keys) => ({ ...o, localMasterSalt: o.localMasterSalt.subarray(0, saltBytes), remoteMasterSalt: o.remoteMasterSalt.subarray(0, saltBytes) });
        const publisher = new SrtpSession({ keys: k(keys), profile });
        const transport = { srtp: new SrtpSession({ keys: k(swapped), profile }) };
        /** The publisher's next SRTP packet: sealed in call order, which is what its rollover counter follows. */
        const seal = (sequenceNumber: number, ssrc = 1234) =>
          publisher.encrypt(Buffer.from(`media ${sequenceNumber} `.repeat(10)), new RtpHeader({ ssrc, payloadType: 96, sequenceNumber, timestamp: sequenceNumber }));
        /** Whether the transport takes the datagram: werift drops what its decrypt throws SrtpAuthenticationError for. */
        const takes = (datagram: Buffer) => {
          try {
            transport.srtp.decrypt(datagram);
            return true;
          } catch (err) {
            if (err instanceof SrtpAuthenticationError) return false;
            throw err;
          }
        };
        const early = before.map((sequenceNumber) => seal(sequenceNumber));
        for (const datagram of early) assert.ok(takes(datagram));
        assert.equal(input()(transport), true);
        return { seal, takes, early };
      };

      it(`${inputName}, ${name}: refuses a replayed packet, also one werift decrypted before the switch`, () => {
        const { seal, takes, early } = publisherToSfu([1, 2, 3]);
        const next = seal(4);
        assert.ok(takes(next));
        assert.ok(!takes(next), 'the same datagram again');
        assert.ok(!takes(early[2]) && !takes(early[0]), 'werift took these before the switch');
        assert.ok(takes(seal(5)), 'the stream goes on');
      });

      it(`${inputName}, ${name}: refuses a packet older than the window of ${REPLAY_WINDOW}, even unseen`, () => {
        const { seal, takes } = publisherToSfu();
        const behind = (offset: number) => 2000 - offset;
        const tooOld = seal(behind(REPLAY_WINDOW));
        const oldest = seal(behind(REPLAY_WINDOW - 1));
        assert.ok(takes(seal(2000)));
        assert.ok(!takes(tooOld));
        assert.ok(takes(oldest), 'the oldest index the window holds');
        assert.ok(!takes(oldest));
      });

      it(`${inputName}, ${name}: takes packets out of order within the window once each`, () => {
        const { seal, takes } = publisherToSfu();
        const datagrams = Array.from({ length: 10 }, (_, i) => seal(100 + i));
        const order = [0, 3, 1, 2, 9, 5, 4, 8, 6, 7];
        for (const i of order) assert.ok(takes(datagrams[i]), `packet ${i}`);
        for (const i of order) assert.ok(!takes(datagrams[i]), `packet ${i} again`);
      });

      it(`${inputName}, ${name}: moving on, the window forgets the packets it leaves behind, not those it keeps`, () => {
        const { seal, takes } = publisherToSfu();
        const first = Array.from({ length: 11 }, (_, i) => seal(100 + i));
        for (const datagram of first) assert.ok(takes(datagram));
        const skipped = seal(1125);
        assert.ok(takes(seal(1130)));
        assert.ok(takes(skipped), 'a new packet where one the window left behind was');
        assert.ok(!takes(first[6]), 'left behind');
        assert.ok(!takes(first[7]), 'the oldest the window keeps');
      });

      it(`${inputName}, ${name}: a forged packet neither moves the window nor counts as received`, () => {
        const { seal, takes } = publisherToSfu();
        const late = seal(99);
        assert.ok(takes(seal(100)));
        const next = seal(101);
        const forge = (datagram: Buffer) => {
          const forged = Buffer.from(datagram);
          forged[forged.length - 1] ^= 1;
          return forged;
        };
        const farAhead = seal(100 + 2 * REPLAY_WINDOW);
        assert.ok(!takes(forge(farAhead)));
        assert.ok(!takes(forge(next)));
        assert.ok(takes(late), 'the window stayed at 100');
        assert.ok(takes(next), 'the forgery of 101 was not recorded');
        assert.ok(!takes(late) && !takes(next));
      });

      it(`${inputName}, ${name}: a replay just before a wrap leaves the rollover counter alone`, () => {
        const { seal, takes } = publisherToSfu();
        const old = seal(65400);
        assert.ok(takes(old));
        assert.ok(takes(seal(65530)));
        assert.ok(!takes(old));
        // werift estimates the ROC from the last sequence number: had the replay's become it, no wrap would be seen here.
        assert.ok(takes(seal(2)), 'the first packet after the wrap');
      });

      it(`${inputName}, ${name}: the window follows a sequence wrap (rollover counter 0 → 1)`, () => {
        const { seal, takes } = publisherToSfu([65530]);
        const datagrams = new Map([65531, 65532, 65533, 65534, 65535, 0, 1, 2, 3].map((sequenceNumber) => [sequenceNumber, seal(sequenceNumber)]));
        for (const sequenceNumber of [65531, 65532, 65535, 0, 1, 65533, 3, 65534, 2]) assert.ok(takes(datagrams.get(sequenceNumber)!), `${sequenceNumber}`);
        for (const [sequenceNumber, datagram] of datagrams) assert.ok(!takes(datagram), `${sequenceNumber} again`);
        assert.ok(takes(seal(4)));
      });
    }
  }

  it('native: refuses the packets of a ninth SSRC, whose replays it would have no room to tell', () => {
    if (native instanceof Error) throw native;
    const profile = ProtectionProfileAes128CmHmacSha1_80;
    const publisher = new SrtpSession({ keys, profile });
    const { srtpSessionKey, srtpSessionSalt, srtpSessionAuthTag } = new SrtpSession({ keys: swapped, profile }).remoteContext;
    const receiver = native.createReceiver(false, srtpSessionKey, srtpSessionSalt, srtpSessionAuthTag);
    const seal = (ssrc: number, sequenceNumber: number) => publisher.encrypt(Buffer.alloc(20), new RtpHeader({ ssrc, payloadType: 96, sequenceNumber }));
    for (let ssrc = 1; ssrc <= 8; ssrc++) assert.ok(native.unprotect(receiver, seal(ssrc, 1)), `SSRC ${ssrc}`);
    assert.equal(native.unprotect(receiver, seal(9, 1)), null);
    assert.ok(native.unprotect(receiver, seal(8, 2)), 'the known SSRCs go on');
  });

  it('native: refuses a key of the wrong length and a packet too long for one datagram', () => {
    if (native instanceof Error) throw native;
    const rtcpKeys = [Buffer.alloc(16), Buffer.alloc(12), Buffer.alloc(0)] as const;
    assert.throws(() => native.createSender(true, Buffer.alloc(15), Buffer.alloc(12), Buffer.alloc(20), ...rtcpKeys), /wrong key, salt or auth key length/);
    assert.throws(() => native.createSender(false, Buffer.alloc(16), Buffer.alloc(14), Buffer.alloc(20), ...rtcpKeys), /wrong key, salt or auth key length/);
    const sender = native.createSender(true, Buffer.alloc(16), Buffer.alloc(12), Buffer.alloc(0), ...rtcpKeys);
    assert.throws(() => native.protect(sender, Buffer.alloc(12, 0x80), Buffer.alloc(4000)), /too short or too long for one datagram/);
    assert.throws(() => native.protect(sender, Buffer.alloc(8), Buffer.alloc(10)), /too short or too long for one datagram/);
    assert.throws(() => native.protectRtcp(sender, Buffer.alloc(4)), /too short or too long for one datagram/);
    assert.throws(() => (native.protectRtcp as (...args: unknown[]) => Buffer)(sender, Buffer.alloc(28), Buffer.alloc(4)), /protect\(sender, packet\)/);
    assert.throws(() => native.queueRtcp(sender, Buffer.alloc(28)), /no destination set/);
    assert.throws(() => native.setStream(sender, 1, 96, 15, Buffer.from('0'), new Uint8Array(256)), /midId 0-14/);
    assert.throws(() => native.setStream(sender, 1, 96, 1, Buffer.from('0'), new Uint8Array(16)), /ids: 256 bytes/);
    const forward = (extensions: Buffer, payload: Buffer, pairs: number[] | Uint32Array, count = pairs.length) =>
      (native.forward as (...args: unknown[]) => void)(false, 0, extensions, payload, pairs, count);
    const handle = native.senderHandle(sender);
    assert.throws(() => forward(Buffer.from([1, 5, 0]), Buffer.alloc(10), new Uint32Array([handle, 1])), /extension record past the end/);
    assert.throws(() => forward(Buffer.alloc(0), Buffer.alloc(4000), new Uint32Array([handle, 1])), /payload longer than maxPayload/);
    assert.throws(() => forward(Buffer.alloc(0), Buffer.alloc(10), new Uint32Array([handle, 65536])), /not 16 bits/);
    assert.throws(() => forward(Buffer.alloc(0), Buffer.alloc(10), new Uint32Array([handle, 1]), 1), /count: even/);
    assert.throws(() => forward(Buffer.alloc(0), Buffer.alloc(10), new Uint32Array([handle, 1]), 4), /count: even/);
    assert.throws(() => forward(Buffer.alloc(0), Buffer.alloc(10), [handle, 1]), /handles: Uint32Array/);
    // A sender without a destination, and a handle never given, are skipped: the others' packets still go out.
    forward(Buffer.alloc(0), Buffer.alloc(10), new Uint32Array([handle, 1, handle + 1000, 2, 0xffffffff, 3]));
    assert.equal(native.forwardedBytes(sender), 0);
    assert.throws(() => native.forwardedBytes({}), /forwardedBytes\(sender\)/);
    assert.throws(() => native.setDestination(sender, 1, 'example.com', 5000), /not an IP address/);
  });

  for (const [outputName, factory] of outputs) {
    it(`${outputName}: forwarded packets and RTCP go out from the given socket under the subscriber’s header${outputName === 'native' ? ', on flush, a run of similar sizes padded to one size' : ''}`, async () => {
      const receiver = createSocket('udp4');
      const from = createSocket('udp4');
      await Promise.all([new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r)), new Promise<void>((r) => from.bind(0, '127.0.0.1', r))]);
      const datagrams: { data: Buffer; port: number }[] = [];
      receiver.on('message', (data, info) => datagrams.push({ data, port: info.port }));
      const srtp = new SrtpSession({ keys, profile: ProtectionProfileAes128CmHmacSha1_80 });
      const decrypt = new SrtpSession({ keys: swapped, profile: ProtectionProfileAes128CmHmacSha1_80 });
      const stream = { ssrc: 7, payloadType: 96, mid: { id: 4, value: Buffer.from('1') } };
      const idTable = extensionIdTable(new Map([[3, 5], [9, 12]]));
      const output = factory()(srtp.localContext as never, stream, idTable);
      assert.ok(output.setDestination(from, '127.0.0.1', receiver.address().port));
      const extensions = [
        { id: 2, payload: Buffer.from([1, 2, 3]) },
        { id: 3, payload: Buffer.from([0x90]) },
        { id: 9, payload: Buffer.from('sixteen bytes ok') },
        { id: 10, payload: Buffer.alloc(0) },
      ];
      // Three packets within a few bytes of each other (one run), then one far larger and without extensions.
      const sources = ['packet 0', 'packet 1 ...', 'packet 2 ..', 'packet 3 '.repeat(10)].map(
        (payload, i) => new RtpPacket(new RtpHeader({ ssrc: 99, payloadType: 100, sequenceNumber: 5, timestamp: 0xfffffff0 + i, marker: i === 2, extensions: i === 3 ? [] : extensions }), Buffer.from(payload)),
      );
      for (const [i, packet] of sources.entries()) output.sendForwarded(packet, 100 + i);
      output.sendRtcp(senderReportPacket({ ssrc: 7, ntp: ntpNow(), rtp: 3, packets: 4, octets: 24 }));
      if (outputName === 'native') assert.equal(datagrams.length, 0, 'sent before the task ended');
      await waitUntil(() => datagrams.length === 5);
      assert.deepEqual(datagrams.map((d) => d.port), Array(5).fill(from.address().port));
      let rtpBytes = 0;
      sources.forEach((source, i) => {
        const expected = writeForwardedHeader(source.header, 100 + i, stream, idTable);
        rtpBytes += expected.length + source.payload.length;
        const received = RtpPacket.deSerialize(decrypt.decrypt(datagrams[i].data));
        const { header } = RtpPacket.deSerialize(Buffer.concat([expected, source.payload]));
        for (const field of ['marker', 'payloadType', 'sequenceNumber', 'timestamp', 'ssrc', 'extensions'] as const) {
          assert.deepEqual(received.header[field], header[field], `packet ${i}: ${field}`);
        }
        assert.deepEqual(received.payload, source.payload);
      });
      assert.equal(output.sentBytes, rtpBytes, 'RTP bytes of the forwarded packets');
      if (outputName === 'native') {
        const [first, second, third, fourth] = datagrams.map((d) => d.data.length);
        assert.ok(first === second && second === third && fourth > third, `datagram sizes ${[first, second, third, fourth]}`);
      }
      const [report] = RtcpPacketConverter.deSerialize(new SrtcpSession({ keys: swapped, profile: ProtectionProfileAes128CmHmacSha1_80 }).decrypt(datagrams[4].data));
      assert.ok(report instanceof RtcpSrPacket && report.senderInfo.packetCount === 4);
      from.close();
      receiver.close();
      if (outputName === 'native') assert.equal(output.setDestination(from, '127.0.0.1', 9), false, 'a closed socket is no destination');
    });
  }

  it('native: a payload longer than the addon takes is dropped, not thrown, and the stream goes on', async () => {
    if (native instanceof Error) throw native;
    const receiver = createSocket('udp4');
    await new Promise<void>((r) => receiver.bind(0, '127.0.0.1', r));
    const datagrams: Buffer[] = [];
    receiver.on('message', (data) => datagrams.push(data));
    const stream = { ssrc: 7, payloadType: 96 };
    const output = nativeSrtpOutput(native)(new SrtpSession({ keys, profile: ProtectionProfileAeadAes128Gcm }).localContext as never, stream, new Uint8Array(256));
    assert.ok(output.setDestination(receiver, '127.0.0.1', receiver.address().port));
    const packet = (payloadBytes: number) => new RtpPacket(new RtpHeader({ ssrc: 99, payloadType: 100, sequenceNumber: 5 }), Buffer.alloc(payloadBytes, 1));
    output.sendForwarded(packet(native.maxPayload + 1), 1);
    output.sendForwarded(packet(native.maxPayload), 2);
    await waitUntil(() => datagrams.length === 1);
    const received = RtpPacket.deSerialize(new SrtpSession({ keys: swapped, profile: ProtectionProfileAeadAes128Gcm }).decrypt(datagrams[0]));
    assert.deepEqual([received.header.sequenceNumber, received.payload.length], [2, native.maxPayload]);
    assert.equal(output.sentBytes, 12 + native.maxPayload);
    receiver.close();
  });
});

describe('media: track forwarder', () => {
  const KEY = Buffer.from([0x10, 0x00]);
  const DELTA = Buffer.from([0x10, 0x01]);

  function setup() {
    const source = new SourceTrack('video', new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000 }), [ext(6, EXTENSION_URI.videoOrientation)]);
    const sent: { sequenceNumber: number }[] = [];
    const forwarder = new TrackForwarder(source, { send: (_, sequenceNumber) => void sent.push({ sequenceNumber }) }, true);
    forwarder.start();
    const send = (sequenceNumber: number, payload = DELTA, extensions = [{ id: 6, payload: Buffer.from([1]) }]) =>
      source.deliver(new RtpPacket(new RtpHeader({ sequenceNumber: sequenceNumber & 0xffff, timestamp: sequenceNumber * 3000, ssrc: 5, extensions }), payload));
    return { source, sent, forwarder, send };
  }

  it('starts on a keyframe', () => {
    const { sent, send } = setup();
    send(100);
    send(101, KEY);
    send(102);
    assert.deepEqual(sent.map((p) => p.sequenceNumber), [101, 102]);
  });

  it('resumes after a pause on a keyframe without a sequence gap, dropping late packets from before it', () => {
    const { sent, send, forwarder } = setup();
    send(1, KEY);
    send(2);
    forwarder.setEnabled(false);
    send(3);
    send(4);
    forwarder.setEnabled(true);
    send(5);
    send(6, KEY);
    send(4); // a late retransmission from the paused stretch
    send(7);
    assert.deepEqual(sent.map((p) => p.sequenceNumber), [1, 2, 3, 4]);
  });

  it('keeps forwarding across sequence wrap-around and long runs', () => {
    const { sent, send } = setup();
    send(65_000, KEY);
    for (let i = 65_001; i < 65_000 + 40_000; i++) send(i);
    assert.equal(sent.length, 40_000);
    assert.equal(sent.at(-1)!.sequenceNumber, (65_000 + 39_999) & 0xffff);
  });
});
