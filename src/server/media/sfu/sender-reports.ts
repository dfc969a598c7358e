/** A publisher's RTCP sender report: NTP ↔ RTP timestamps, and when the SFU received it. */
export interface SenderReport {
  ntp: bigint;
  rtp: number;
  receivedAtMs: number;
}

/** The RTP timestamp of the latest forwarded packet and when it was forwarded (performance.now()). */
export interface LastForwarded {
  rtpTimestamp: number;
  atMs: number;
}

/** What a sender report is built from: the publisher's latest report and the stream's clock rate. */
export interface ReportSource {
  senderReport?: SenderReport;
  codec: { clockRate: number };
}

const SECONDS_1900_TO_1970 = 2_208_988_800n;
const NTP_UNITS_PER_MS = 2 ** 32 / 1000;

/**
 * The NTP ↔ RTP pair a subscriber's sender report should carry now.
 *
 * Timestamps are forwarded unchanged, so the publisher's mapping holds for the
 * subscriber; it is moved forward to the present because receivers take an
 * SR's NTP time as its send time (a stale pair skewed Chromium's sync by
 * ~70 ms). Before the publisher's first SR, the latest forwarded timestamp,
 * moved forward the same way, is paired with the current time.
 */
export function senderReportPair(source: ReportSource, last: LastForwarded, nowMs = performance.now()): { ntp: bigint; rtp: number } {
  const report = source.senderReport;
  const clockRate = source.codec.clockRate;
  if (!report) return { ntp: ntpNow(), rtp: (last.rtpTimestamp + Math.round(((nowMs - last.atMs) * clockRate) / 1000)) >>> 0 };
  const elapsedMs = nowMs - report.receivedAtMs;
  return {
    ntp: report.ntp + BigInt(Math.round(elapsedMs * NTP_UNITS_PER_MS)),
    rtp: (report.rtp + Math.round((elapsedMs * clockRate) / 1000)) >>> 0,
  };
}

/** What one sender report states about a stream. */
export interface SenderReportFields {
  ssrc: number;
  ntp: bigint;
  rtp: number;
  packets: number;
  octets: number;
  /** The sender's canonical name, sent in an SDES chunk after the report when given. */
  cname?: string;
}

const RTCP_SR = 200;
const RTCP_SDES = 202;
const SDES_CNAME = 1;

/**
 * The compound RTCP packet of a sender report (RFC 3550 §6.4.1) followed by
 * an SDES CNAME (§6.5). Built here rather than through werift's classes,
 * whose reports carried a wrong NTP fraction (from the decimal digits of the
 * seconds: off by up to a second, which made Chromium delay video 100–300 ms
 * for lip sync) and cost a promise-timer, several objects and a cipher per
 * report.
 */
export function senderReportPacket(report: SenderReportFields): Buffer {
  const cname = report.cname ? Buffer.from(report.cname).subarray(0, 255) : undefined;
  // SDES chunk: SSRC, CNAME item (type, length, text), then a zero octet ending the list, padded to 32 bits.
  const sdesBytes = cname ? 4 + ((4 + 2 + cname.length + 1 + 3) & ~3) : 0;
  const out = Buffer.alloc(28 + sdesBytes);
  out[0] = 0x80;
  out[1] = RTCP_SR;
  out.writeUInt16BE(6, 2);
  out.writeUInt32BE(report.ssrc >>> 0, 4);
  out.writeBigUInt64BE(BigInt.asUintN(64, report.ntp), 8);
  out.writeUInt32BE(report.rtp >>> 0, 16);
  out.writeUInt32BE(report.packets >>> 0, 20);
  out.writeUInt32BE(report.octets >>> 0, 24);
  if (!cname) return out;
  out[28] = 0x81;
  out[29] = RTCP_SDES;
  out.writeUInt16BE(sdesBytes / 4 - 1, 30);
  out.writeUInt32BE(report.ssrc >>> 0, 32);
  out[36] = SDES_CNAME;
  out[37] = cname.length;
  cname.copy(out, 38);
  return out;
}

/** The current time as a 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return ((BigInt(seconds) + SECONDS_1900_TO_1970) << 32n) | BigInt(fraction);
}
