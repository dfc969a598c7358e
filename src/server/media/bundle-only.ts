/** `m=<media> 0 ` at the start of an m-section: port zero. */
const PORT_ZERO = /^(m=\S+ )0 /;
const BUNDLE_ONLY = /^a=bundle-only[^\S\r\n]*$/m;

/**
 * RFC 8843 §7.3.3: an offerer may give an m-section port 0 and
 * `a=bundle-only`, meaning "use me only inside the BUNDLE group". GStreamer's
 * webrtcbin (bundle-policy max-bundle, as simple-whip-client and other WHIP
 * clients use it) offers every m-section after the first that way. werift
 * reads port 0 as a rejected m-section and answers it inactive, so such a
 * publisher's audio was dropped. Port 9, the placeholder Chromium gives its
 * bundled m-sections, tells werift the same thing the offerer meant.
 */
export function acceptBundleOnly(sdp: string): string {
  return sdp
    .split(/(?=^m=)/m)
    .map((section) => (BUNDLE_ONLY.test(section) ? section.replace(PORT_ZERO, '$19 ') : section))
    .join('');
}
