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

/**
 * werift 0.25.2 builds its sender reports from the sender's `ntpTimestamp` and
 * `rtpTimestamp`, which it sets per packet with a wrong NTP fraction (from the
 * decimal digits of the seconds, so x.5 and x.05 both become 5/2^32: off by up
 * to a second, and Chromium delays video by 100–300 ms for lip sync). This
 * replaces both with values computed when a report is built, so forwarding
 * spends nothing on them per packet.
 */
export function installSenderReportClock(sender: object, source: ReportSource, last: () => LastForwarded): void {
  const pair = () => senderReportPair(source, last());
  Object.defineProperty(sender, 'ntpTimestamp', { configurable: true, get: () => pair().ntp, set: () => {} });
  Object.defineProperty(sender, 'rtpTimestamp', { configurable: true, get: () => pair().rtp, set: () => {} });
}

/** The current time as a 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return ((BigInt(seconds) + SECONDS_1900_TO_1970) << 32n) | BigInt(fraction);
}
