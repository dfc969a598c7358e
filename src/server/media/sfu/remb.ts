import { ReceiverEstimatedMaxBitrate, RtcpPayloadSpecificFeedback } from 'werift';

const MANTISSA_BITS = 18;

/** A REMB (draft-alvestrand-rmcat-remb) telling a publisher to send at most `bitrateBps` over `mediaSsrcs`. */
export function rembPacket(senderSsrc: number, bitrateBps: number, mediaSsrcs: readonly number[]): RtcpPayloadSpecificFeedback {
  let mantissa = Math.max(0, Math.floor(bitrateBps));
  let exponent = 0;
  while (mantissa >= 1 << MANTISSA_BITS) {
    mantissa = Math.floor(mantissa / 2);
    exponent++;
  }
  return new RtcpPayloadSpecificFeedback({
    feedback: new ReceiverEstimatedMaxBitrate({
      senderSsrc,
      mediaSsrc: 0,
      brExp: exponent,
      brMantissa: mantissa,
      bitrate: BigInt(mantissa) << BigInt(exponent),
      ssrcNum: mediaSsrcs.length,
      ssrcFeedbacks: [...mediaSsrcs],
    }),
  });
}
