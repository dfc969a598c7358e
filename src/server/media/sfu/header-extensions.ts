import type { Extension, RTCRtpHeaderExtensionParameters } from 'werift';

export const EXTENSION_URI = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  videoOrientation: 'urn:3gpp:video-orientation',
} as const;

/**
 * Extensions whose value means the same after forwarding. Per-hop ones (mid,
 * abs-send-time) are written by the SFU's own sender for each subscriber.
 */
const END_TO_END_URIS: ReadonlySet<string> = new Set([EXTENSION_URI.audioLevel, EXTENSION_URI.videoOrientation]);

/** Publisher extension id → subscriber extension id, for the end-to-end extensions both sides negotiated. */
export type ExtensionIdMap = ReadonlyMap<number, number>;

export function extensionIdMap(
  publisher: readonly RTCRtpHeaderExtensionParameters[],
  subscriber: readonly RTCRtpHeaderExtensionParameters[],
): ExtensionIdMap {
  const map = new Map<number, number>();
  for (const from of publisher) {
    if (!END_TO_END_URIS.has(from.uri)) continue;
    const to = subscriber.find((e) => e.uri === from.uri);
    if (to) map.set(from.id, to.id);
  }
  return map;
}

/** abs-send-time (6.18 fixed-point seconds, wraps every 64 s) of a packet, or undefined. */
export function absSendTimeSeconds(extensions: readonly Extension[], id: number | undefined): number | undefined {
  if (id === undefined) return undefined;
  const e = extensions.find((x) => x.id === id);
  if (!e || e.payload.length < 3) return undefined;
  return e.payload.readUIntBE(0, 3) / (1 << 18);
}
