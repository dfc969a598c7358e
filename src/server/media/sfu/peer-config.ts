import { RTCRtpCodecParameters, RTCRtpHeaderExtensionParameters, type RTCPeerConnectionConfig } from 'werift';
import { EXTENSION_URI } from './header-extensions.js';

/**
 * Loopback-friendly ICE: werift's default STUN server is public, it would
 * gather one transport per m-line without max-bundle, and IPv6 link-local
 * candidates only slow checks down.
 */
const ICE: RTCPeerConnectionConfig = {
  iceServers: [],
  iceAdditionalHostAddresses: ['127.0.0.1'],
  iceUseIpv6: false,
  bundlePolicy: 'max-bundle',
};

// werift answers with the offerer's rtcp-fb lines for a matching codec; these
// lists choose the codecs (and their order of preference), not the feedback.
const opus = () => new RTCRtpCodecParameters({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });
const vp8 = () => new RTCRtpCodecParameters({ mimeType: 'video/VP8', clockRate: 90000 });
const h264 = () =>
  new RTCRtpCodecParameters({
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  });

const ext = (uri: string) => new RTCRtpHeaderExtensionParameters({ uri });

/**
 * Publisher side: VP8 preferred, H.264 for encoders without VP8 (OBS).
 * abs-send-time feeds the SFU's delay-based estimate; transport-cc is left out
 * (see `withoutTransportCc`), so the publisher relies on the SFU's REMB.
 */
export function publisherPeerConfig(): RTCPeerConnectionConfig {
  return {
    ...ICE,
    codecs: { audio: [opus()], video: [vp8(), h264()] },
    headerExtensions: {
      audio: [ext(EXTENSION_URI.mid), ext(EXTENSION_URI.absSendTime), ext(EXTENSION_URI.audioLevel)],
      video: [ext(EXTENSION_URI.mid), ext(EXTENSION_URI.absSendTime), ext(EXTENSION_URI.videoOrientation)],
    },
  };
}

/**
 * Subscriber side: offers only the publisher's video codec, since packets are
 * forwarded as they are. Without publisher video the video m-line is rejected.
 */
export function subscriberPeerConfig(publisherVideoCodec: RTCRtpCodecParameters | undefined): RTCPeerConnectionConfig {
  const video = publisherVideoCodec
    ? [new RTCRtpCodecParameters({ mimeType: publisherVideoCodec.mimeType, clockRate: publisherVideoCodec.clockRate, parameters: publisherVideoCodec.parameters })]
    : [];
  return {
    ...ICE,
    codecs: { audio: [opus()], video },
    headerExtensions: {
      audio: [ext(EXTENSION_URI.mid), ext(EXTENSION_URI.audioLevel)],
      video: [ext(EXTENSION_URI.mid), ext(EXTENSION_URI.videoOrientation)],
    },
  };
}
