/*
 * SRTP and SRTCP protection of one outgoing stream (RFC 7714
 * AEAD_AES_128_GCM or RFC 3711 AES_CM_128_HMAC_SHA1_80), in place, with
 * ciphers whose key schedules are set up once per stream.
 */
#ifndef STAGE_SRTP_H
#define STAGE_SRTP_H

#include <stddef.h>
#include <stdint.h>

#define SRTP_KEY_BYTES 16
#define SRTP_GCM_SALT_BYTES 12
#define SRTP_CM_SALT_BYTES 14
#define SRTP_HMAC_KEY_BYTES 20
/* The most protection adds to a packet: GCM's tag and SRTCP's index. */
#define SRTP_MAX_OVERHEAD (16 + 4)

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct hmac_ctx_st HMAC_CTX;

/* One direction's session keys (RFC 3711 §4.3): RTP and RTCP each have their own. */
typedef struct {
  EVP_CIPHER_CTX *cipher;
  HMAC_CTX *hmac;
  unsigned char salt[SRTP_CM_SALT_BYTES];
} srtp_keys_t;

typedef struct {
  int gcm;
  srtp_keys_t rtp, rtcp;
  /* Extended index of the highest sequence number protected so far; -1 before the first. */
  int64_t highest;
  /* SRTCP index of the last RTCP packet protected (31 bits, RFC 3711 §3.4). */
  uint32_t rtcp_index;
} srtp_stream_t;

/* The session keys of one direction: cipher key, salt, and (AES-CM only) HMAC key. */
typedef struct {
  const unsigned char *key, *salt, *auth;
  size_t key_len, salt_len, auth_len;
} srtp_key_material_t;

/* Checks the key lengths for the profile and sets the stream up; returns an error message or NULL. */
const char *srtp_stream_init(srtp_stream_t *s, int gcm, const srtp_key_material_t *rtp, const srtp_key_material_t *rtcp);
void srtp_stream_free(srtp_stream_t *s);

/* The RTP packet in `packet` (header, then payload) becomes SRTP; there must be room for the tag. Returns the new length, 0 on failure. */
size_t srtp_protect_rtp(srtp_stream_t *s, unsigned char *packet, size_t header_len, size_t payload_len);

/* The compound RTCP packet in `packet` becomes SRTCP; there must be room for SRTP_MAX_OVERHEAD. Returns the new length, 0 on failure. */
size_t srtp_protect_rtcp(srtp_stream_t *s, unsigned char *packet, size_t len);

/* SSRCs one receiver keeps rollover and replay state for: a publisher's audio, video and their retransmission streams. */
#define SRTP_RECEIVER_STREAMS 8

/*
 * How far behind the highest index a packet is still taken (once): browsers'
 * libsrtp window, since without RTX a NACKed packet comes again, late, on its
 * own SSRC. A multiple of 64.
 */
#define SRTP_REPLAY_WINDOW 1024

typedef struct {
  uint32_t ssrc;
  /* Extended index of the highest sequence number authenticated so far. */
  int64_t highest;
  /* RFC 3711 §3.3.2's replay list, a ring: bit (index mod window) is set once that index in the window has authenticated. */
  uint64_t seen[SRTP_REPLAY_WINDOW / 64];
} srtp_ssrc_state_t;

/* The incoming SRTP of one peer (all its SSRCs): the publisher's media. */
typedef struct {
  int gcm;
  srtp_keys_t rtp;
  int stream_count;
  srtp_ssrc_state_t streams[SRTP_RECEIVER_STREAMS];
} srtp_receiver_t;

const char *srtp_receiver_init(srtp_receiver_t *r, int gcm, const srtp_key_material_t *rtp);
void srtp_receiver_free(srtp_receiver_t *r);

/*
 * Continues an SSRC's rollover state from another decryptor's (ROC and last
 * sequence number); the replay window starts there, everything up to that
 * index counting as received. Returns 0 when the table is full.
 */
int srtp_receiver_seed(srtp_receiver_t *r, uint32_t ssrc, uint32_t roc, uint16_t seq);

/*
 * Writes the RTP packet of the SRTP packet `packet` (header and decrypted
 * payload, no tag) to `out`, which may be `packet`; returns its length, or 0
 * when the packet is malformed, a replay (an index already received or behind
 * the window), of an SSRC the table has no room for, or fails authentication
 * (state unchanged).
 */
size_t srtp_unprotect_rtp(srtp_receiver_t *r, const unsigned char *packet, size_t len, unsigned char *out);

#endif
