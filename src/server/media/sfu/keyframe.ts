/**
 * Whether an RTP payload is the first packet of a keyframe, i.e. a point where
 * a subscriber can start (or resume) decoding. Reads only the few header bytes
 * it needs, without allocating: it runs for every forwarded video packet.
 */
export function startsKeyframe(codecName: string, payload: Buffer): boolean {
  switch (codecName.toLowerCase()) {
    case 'vp8':
      return vp8StartsKeyframe(payload);
    case 'h264':
      return h264StartsKeyframe(payload);
    default:
      return false;
  }
}

// RFC 7741 §4.2 payload descriptor, then the VP8 frame tag whose bit 0 is 0 on keyframes.
function vp8StartsKeyframe(p: Buffer): boolean {
  if (p.length < 1) return false;
  const startOfPartition = (p[0] & 0x10) !== 0;
  const partitionId = p[0] & 0x07;
  if (!startOfPartition || partitionId !== 0) return false;
  let offset = 1;
  if (p[0] & 0x80) {
    if (p.length < 2) return false;
    const x = p[1];
    offset = 2;
    if (x & 0x80) offset += p.length > offset && p[offset] & 0x80 ? 2 : 1; // PictureID, 7 or 15 bits
    if (x & 0x40) offset += 1; // TL0PICIDX
    if (x & 0x30) offset += 1; // TID/KEYIDX
  }
  return p.length > offset && (p[offset] & 0x01) === 0;
}

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;

// RFC 6184: a keyframe starts with its SPS (usually in a STAP-A) or, from
// encoders that send parameter sets out of band, with the IDR slice itself.
function h264StartsKeyframe(p: Buffer): boolean {
  if (p.length < 1) return false;
  const type = p[0] & 0x1f;
  if (type === NAL_SPS || type === NAL_IDR) return true;
  if (type === NAL_FU_A) return p.length > 1 && (p[1] & 0x80) !== 0 && (p[1] & 0x1f) === NAL_IDR;
  if (type !== NAL_STAP_A) return false;
  for (let offset = 1; offset + 2 < p.length; ) {
    const size = p.readUInt16BE(offset);
    const nal = p[offset + 2] & 0x1f;
    if (nal === NAL_SPS || nal === NAL_IDR) return true;
    offset += 2 + size;
  }
  return false;
}
