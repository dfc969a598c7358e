/*
 * The RTP header a subscriber receives for a forwarded packet, written in C
 * for the native path (rtp-header-writer.ts is the JavaScript twin the tests
 * compare it with): the source's marker and timestamp, the subscriber's
 * SSRC, payload type, sequence number and mid, and the end-to-end one-byte
 * extensions under the subscriber's ids.
 */
#ifndef STAGE_RTP_HEADER_H
#define STAGE_RTP_HEADER_H

#include <stddef.h>
#include <stdint.h>

#define RTP_MAX_ONE_BYTE_LENGTH 16
#define RTP_MAX_SOURCE_EXTENSIONS 16
/* 12 fixed bytes, the extension profile and length, then at most mid and 16 extensions of 17 bytes. */
#define RTP_MAX_FORWARDED_HEADER (12 + 4 + 17 * (RTP_MAX_SOURCE_EXTENSIONS + 1) + 3)

typedef struct {
  uint32_t ssrc;
  uint8_t payload_type;
  /* The subscriber's sdes:mid extension id (0: none) and value. */
  uint8_t mid_id, mid_len;
  unsigned char mid[RTP_MAX_ONE_BYTE_LENGTH];
  /* Publisher extension id → subscriber id; 0 drops the extension. */
  uint8_t ids[256];
} rtp_stream_t;

typedef struct {
  uint8_t id, len;
  unsigned char data[RTP_MAX_ONE_BYTE_LENGTH];
} rtp_extension_t;

/* The publisher packet being forwarded, as every subscriber's header needs it. */
typedef struct {
  int marker;
  uint32_t timestamp;
  int extension_count;
  rtp_extension_t extensions[RTP_MAX_SOURCE_EXTENSIONS];
} rtp_source_t;

/* Writes the header into `out` (RTP_MAX_FORWARDED_HEADER bytes at most); returns its length. */
size_t rtp_write_forwarded_header(const rtp_stream_t *stream, const rtp_source_t *source, uint16_t sequence_number, unsigned char *out);

#endif
