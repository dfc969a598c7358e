import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptBundleOnly } from '../../src/server/media/bundle-only.js';

/** The shape of simple-whip-client's offer (GStreamer webrtcbin, max-bundle), trimmed to what matters. */
const WEBRTCBIN_OFFER = [
  'v=0',
  'o=- 648249557974484096 0 IN IP4 0.0.0.0',
  's=-',
  't=0 0',
  'a=group:BUNDLE video0 audio1',
  'm=video 9 UDP/TLS/RTP/SAVPF 96',
  'a=mid:video0',
  'm=audio 0 UDP/TLS/RTP/SAVPF 100',
  'a=bundle-only',
  'a=mid:audio1',
  'm=application 0 UDP/DTLS/SCTP webrtc-datachannel',
  'a=mid:data2',
  '',
].join('\r\n');

describe('offers with bundle-only m-sections (RFC 8843)', () => {
  it('a bundle-only m-section with port 0 gets the bundled placeholder port 9', () => {
    const offer = acceptBundleOnly(WEBRTCBIN_OFFER);
    assert.match(offer, /\r\nm=audio 9 UDP\/TLS\/RTP\/SAVPF 100\r\na=bundle-only\r\n/);
    assert.equal(offer, WEBRTCBIN_OFFER.replace('m=audio 0 ', 'm=audio 9 '));
  });

  it('an m-section with port 0 and no bundle-only stays rejected, and port-9 offers are unchanged', () => {
    assert.match(acceptBundleOnly(WEBRTCBIN_OFFER), /\r\nm=application 0 /);
    const chromiumLike = WEBRTCBIN_OFFER.replace('m=audio 0 ', 'm=audio 9 ').replace('a=bundle-only\r\n', '');
    assert.equal(acceptBundleOnly(chromiumLike), chromiumLike);
  });
});
