#include "rtp-header.h"

#include <string.h>

#define ONE_BYTE_PROFILE 0xbede

static size_t write_element(unsigned char *out, size_t at, uint8_t id, const unsigned char *data, uint8_t len) {
  out[at] = (unsigned char)((id << 4) | (len - 1));
  memcpy(out + at + 1, data, len);
  return at + 1 + len;
}

size_t rtp_write_forwarded_header(const rtp_stream_t *stream, const rtp_source_t *source, uint16_t sequence_number, unsigned char *out) {
  size_t extension_bytes = stream->mid_id ? 1u + stream->mid_len : 0;
  for (int i = 0; i < source->extension_count; i++) {
    const rtp_extension_t *e = &source->extensions[i];
    if (stream->ids[e->id]) extension_bytes += 1u + e->len;
  }
  size_t words = (extension_bytes + 3) >> 2;
  out[0] = words ? 0x90 : 0x80;
  out[1] = (unsigned char)((source->marker ? 0x80 : 0) | stream->payload_type);
  out[2] = (unsigned char)(sequence_number >> 8), out[3] = (unsigned char)sequence_number;
  for (int i = 0; i < 4; i++) out[4 + i] = (unsigned char)(source->timestamp >> (24 - 8 * i)), out[8 + i] = (unsigned char)(stream->ssrc >> (24 - 8 * i));
  if (!words) return 12;
  out[12] = ONE_BYTE_PROFILE >> 8, out[13] = ONE_BYTE_PROFILE & 0xff;
  out[14] = (unsigned char)(words >> 8), out[15] = (unsigned char)words;
  size_t at = 16;
  if (stream->mid_id) at = write_element(out, at, stream->mid_id, stream->mid, stream->mid_len);
  for (int i = 0; i < source->extension_count; i++) {
    const rtp_extension_t *e = &source->extensions[i];
    if (stream->ids[e->id]) at = write_element(out, at, stream->ids[e->id], e->data, e->len);
  }
  size_t length = 16 + 4 * words;
  memset(out + at, 0, length - at);
  return length;
}
