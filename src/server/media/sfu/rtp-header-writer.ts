import type { RtpHeader } from 'werift';
import type { ExtensionIdMap } from './header-extensions.js';

/** One-byte header extensions (RFC 8285): ids 1–14, 1–16 bytes each. */
const ONE_BYTE_PROFILE = 0xbede;
const MAX_ONE_BYTE_ID = 14;
const MAX_ONE_BYTE_LENGTH = 16;

/** What the subscriber's stream puts in every header: its own SSRC, payload type and (optionally) its mid. */
export interface OutgoingStream {
  ssrc: number;
  payloadType: number;
  /** The subscriber's sdes:mid extension, written on every packet so bundled m-lines demultiplex. */
  mid?: { id: number; value: Buffer };
}

/**
 * Publisher extension id → subscriber id as a flat table indexed by the
 * publisher's id (0 = drop), so the per-packet lookup allocates nothing.
 */
export function extensionIdTable(map: ExtensionIdMap): Uint8Array {
  const table = new Uint8Array(256);
  for (const [from, to] of map) if (to <= MAX_ONE_BYTE_ID) table[from] = to;
  return table;
}

/**
 * Serializes the RTP header a subscriber receives for a forwarded packet:
 * the source's marker and timestamp, the subscriber's SSRC, payload type,
 * sequence number and mid, and the end-to-end extensions under the
 * subscriber's ids (the rest, e.g. the publisher's abs-send-time, are per hop
 * and dropped). No padding or CSRCs: the payload is sent without padding.
 */
export function writeForwardedHeader(source: RtpHeader, sequenceNumber: number, stream: OutgoingStream, idTable: Uint8Array): Buffer {
  let extensionBytes = stream.mid ? 1 + stream.mid.value.length : 0;
  for (const e of source.extensions) {
    if (idTable[e.id] && e.payload.length > 0 && e.payload.length <= MAX_ONE_BYTE_LENGTH) extensionBytes += 1 + e.payload.length;
  }
  const extensionWords = (extensionBytes + 3) >> 2;
  const length = 12 + (extensionWords ? 4 + extensionWords * 4 : 0);
  const out = Buffer.allocUnsafe(length);
  out[0] = extensionWords ? 0x90 : 0x80;
  out[1] = (source.marker ? 0x80 : 0) | stream.payloadType;
  out.writeUInt16BE(sequenceNumber, 2);
  out.writeUInt32BE(source.timestamp, 4);
  out.writeUInt32BE(stream.ssrc, 8);
  if (!extensionWords) return out;
  out.writeUInt16BE(ONE_BYTE_PROFILE, 12);
  out.writeUInt16BE(extensionWords, 14);
  let at = 16;
  if (stream.mid) at = writeElement(out, at, stream.mid.id, stream.mid.value);
  for (const e of source.extensions) {
    const id = idTable[e.id];
    if (id && e.payload.length > 0 && e.payload.length <= MAX_ONE_BYTE_LENGTH) at = writeElement(out, at, id, e.payload);
  }
  out.fill(0, at, length);
  return out;
}

function writeElement(out: Buffer, at: number, id: number, payload: Buffer): number {
  out[at] = (id << 4) | (payload.length - 1);
  payload.copy(out, at + 1);
  return at + 1 + payload.length;
}

/**
 * The packet's extensions as (id, length, bytes…) records, how the native
 * output takes a source packet's extensions (native/rtp-header.c writes them
 * as writeForwardedHeader does).
 */
export function extensionRecords(extensions: readonly { id: number; payload: Buffer }[]): Buffer {
  let length = 0;
  for (const e of extensions) if (e.payload.length <= 0xff) length += 2 + e.payload.length;
  const out = Buffer.allocUnsafe(length);
  let at = 0;
  for (const e of extensions) {
    if (e.payload.length > 0xff) continue;
    out[at] = e.id;
    out[at + 1] = e.payload.length;
    e.payload.copy(out, at + 2);
    at += 2 + e.payload.length;
  }
  return out;
}
