import type { RTCRtpSender } from 'werift';

/** A publisher's RTCP sender report: NTP ↔ RTP timestamps, and when the SFU received it. */
export interface SenderReport {
  ntp: bigint;
  rtp: number;
  receivedAtMs: number;
}

/** The part of werift's RTCRtpSender (0.25.2) its next sender report is built from. */
interface SenderReportState {
  ntpTimestamp: bigint;
  rtpTimestamp: number;
}

const SECONDS_1900_TO_1970 = 2_208_988_800n;
const NTP_UNITS_PER_MS = 2 ** 32 / 1000;

/**
 * werift 0.25.2 writes the NTP fraction of its sender reports from the decimal
 * digits of the seconds (x.5 and x.05 both become 5/2^32), so every SR maps
 * RTP time to NTP time wrongly by up to a second and Chromium's lip sync
 * delays video by 100–300 ms. Call this right after each `sendRtp`, which has
 * just stored its own pair, to replace that pair.
 *
 * Timestamps are forwarded unchanged, so the publisher's mapping holds for the
 * subscriber; it is moved forward to the present because receivers take an
 * SR's NTP time as its send time (a stale pair skewed Chromium's sync by
 * ~70 ms). Before the publisher's first SR, the packet's own timestamp is
 * paired with the current time.
 */
export function correctSenderReport(sender: RTCRtpSender, report: SenderReport | undefined, clockRate: number, rtpTimestamp: number): void {
  const state = sender as unknown as SenderReportState;
  if (!report) {
    state.ntpTimestamp = ntpNow();
    state.rtpTimestamp = rtpTimestamp;
    return;
  }
  const elapsedMs = performance.now() - report.receivedAtMs;
  state.ntpTimestamp = report.ntp + BigInt(Math.round(elapsedMs * NTP_UNITS_PER_MS));
  state.rtpTimestamp = (report.rtp + Math.round((elapsedMs * clockRate) / 1000)) >>> 0;
}

/** The current time as a 64-bit NTP timestamp (seconds since 1900 in the high 32 bits, fraction in the low). */
export function ntpNow(): bigint {
  const ms = performance.timeOrigin + performance.now();
  const seconds = Math.floor(ms / 1000);
  const fraction = Math.floor(((ms - seconds * 1000) / 1000) * 2 ** 32);
  return ((BigInt(seconds) + SECONDS_1900_TO_1970) << 32n) | BigInt(fraction);
}
