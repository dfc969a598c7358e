/*
 * OpenSSL comes from the Node binary that loads the addon (Node exports its
 * OpenSSL symbols for addons), so the few functions used are declared here
 * rather than requiring OpenSSL's development headers.
 */
#include "srtp.h"

#include <string.h>

typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;

EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void);
void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx);
const EVP_CIPHER *EVP_aes_128_gcm(void);
const EVP_CIPHER *EVP_aes_128_ctr(void);
int EVP_EncryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key, const unsigned char *iv);
int EVP_EncryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
int EVP_EncryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
int EVP_DecryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key, const unsigned char *iv);
int EVP_DecryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
int EVP_DecryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
int CRYPTO_memcmp(const void *a, const void *b, size_t len);
int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr);
const EVP_MD *EVP_sha1(void);
HMAC_CTX *HMAC_CTX_new(void);
void HMAC_CTX_free(HMAC_CTX *ctx);
int HMAC_Init_ex(HMAC_CTX *ctx, const void *key, int len, const EVP_MD *md, ENGINE *impl);
int HMAC_Update(HMAC_CTX *ctx, const unsigned char *data, size_t len);
int HMAC_Final(HMAC_CTX *ctx, unsigned char *md, unsigned int *len);

#define EVP_CTRL_GCM_GET_TAG 0x10
#define EVP_CTRL_GCM_SET_TAG 0x11
#define GCM_TAG_BYTES 16
#define HMAC_TAG_BYTES 10
#define SHA1_BYTES 20
#define SRTCP_INDEX_BYTES 4

/*
 * Sets up one direction's cipher (its key schedule computed once; GCM
 * decrypts with a decrypting context, CTR's keystream works both ways) and,
 * for AES-CM, its HMAC key; returns 0 on failure.
 */
static int init_keys(srtp_keys_t *k, int gcm, const srtp_key_material_t *m, int decrypt) {
  memcpy(k->salt, m->salt, gcm ? SRTP_GCM_SALT_BYTES : SRTP_CM_SALT_BYTES);
  k->cipher = EVP_CIPHER_CTX_new();
  if (!k->cipher) return 0;
  if (gcm && decrypt ? !EVP_DecryptInit_ex(k->cipher, EVP_aes_128_gcm(), NULL, m->key, NULL)
                     : !EVP_EncryptInit_ex(k->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, m->key, NULL)) {
    return 0;
  }
  if (gcm) return 1;
  k->hmac = HMAC_CTX_new();
  return k->hmac && HMAC_Init_ex(k->hmac, m->auth, (int)m->auth_len, EVP_sha1(), NULL);
}

/* A longer salt is fine: the KDF's output is a keystream, so its first 12 bytes are GCM's salt. */
static int valid_keys(int gcm, const srtp_key_material_t *m) {
  return m->key_len == SRTP_KEY_BYTES && m->salt_len >= (gcm ? SRTP_GCM_SALT_BYTES : SRTP_CM_SALT_BYTES) && (gcm || m->auth_len == SRTP_HMAC_KEY_BYTES);
}

static void free_keys(srtp_keys_t *k) {
  if (k->cipher) EVP_CIPHER_CTX_free(k->cipher);
  if (k->hmac) HMAC_CTX_free(k->hmac);
  k->cipher = NULL;
  k->hmac = NULL;
}

const char *srtp_stream_init(srtp_stream_t *s, int gcm, const srtp_key_material_t *rtp, const srtp_key_material_t *rtcp) {
  memset(s, 0, sizeof *s);
  if (!valid_keys(gcm, rtp) || !valid_keys(gcm, rtcp)) return "wrong key, salt or auth key length for the profile";
  s->gcm = gcm;
  s->highest = -1;
  if (!init_keys(&s->rtp, gcm, rtp, 0) || !init_keys(&s->rtcp, gcm, rtcp, 0)) {
    srtp_stream_free(s);
    return "cipher setup failed";
  }
  return NULL;
}

void srtp_stream_free(srtp_stream_t *s) {
  free_keys(&s->rtp);
  free_keys(&s->rtcp);
}

const char *srtp_receiver_init(srtp_receiver_t *r, int gcm, const srtp_key_material_t *rtp) {
  memset(r, 0, sizeof *r);
  if (!valid_keys(gcm, rtp)) return "wrong key, salt or auth key length for the profile";
  r->gcm = gcm;
  if (!init_keys(&r->rtp, gcm, rtp, 1)) {
    srtp_receiver_free(r);
    return "cipher setup failed";
  }
  return NULL;
}

void srtp_receiver_free(srtp_receiver_t *r) { free_keys(&r->rtp); }

/* RFC 3711 §3.3.1: the index of a 16-bit sequence number, placed nearest the highest index so far (-1: none yet). */
static int64_t estimate_index(int64_t highest, uint16_t seq) {
  if (highest < 0) return seq;
  int64_t index = highest - (highest % 0x10000) + seq;
  if (index < highest - 0x8000) index += 0x10000;
  else if (index > highest + 0x8000) index -= 0x10000;
  return index < 0 ? index + 0x10000 : index;
}

static int64_t extend_sequence(srtp_stream_t *s, uint16_t seq) {
  int64_t index = estimate_index(s->highest, seq);
  if (index > s->highest) s->highest = index;
  return index;
}

static uint32_t read_u32(const unsigned char *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

/*
 * Starts the cipher on the packet's IV: salt ⊕ (SSRC, 48-bit index), the index
 * being ROC‖SEQ for RTP and the SRTCP index for RTCP. GCM's 12-byte IV has the
 * SSRC at byte 2 (RFC 7714 §8.1, §9.1), CTR's 16-byte one at byte 4, its last
 * two bytes counting blocks (RFC 3711 §4.1.1).
 */
static void write_iv(const srtp_keys_t *k, int gcm, uint32_t ssrc, uint64_t index, unsigned char iv[16]) {
  memset(iv, 0, 16);
  int at = gcm ? 2 : 4;
  for (int i = 0; i < 4; i++) iv[at + i] = (unsigned char)(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 6; i++) iv[at + 4 + i] = (unsigned char)(index >> (40 - 8 * i));
  for (int i = 0; i < (gcm ? SRTP_GCM_SALT_BYTES : SRTP_CM_SALT_BYTES); i++) iv[i] ^= k->salt[i];
}

static int start_cipher(const srtp_keys_t *k, int gcm, uint32_t ssrc, uint64_t index) {
  unsigned char iv[16];
  write_iv(k, gcm, ssrc, index, iv);
  return EVP_EncryptInit_ex(k->cipher, NULL, NULL, NULL, iv);
}

/* GCM: authenticates `aad` (and `aad2` when given), encrypts `data` in place and writes the tag after it. */
static int gcm_seal(const srtp_keys_t *k, const unsigned char *aad, size_t aad_len, const unsigned char *aad2, size_t aad2_len, unsigned char *data, size_t len) {
  int n;
  if (!EVP_EncryptUpdate(k->cipher, NULL, &n, aad, (int)aad_len)) return 0;
  if (aad2_len && !EVP_EncryptUpdate(k->cipher, NULL, &n, aad2, (int)aad2_len)) return 0;
  if (!EVP_EncryptUpdate(k->cipher, data, &n, data, (int)len)) return 0;
  if (!EVP_EncryptFinal_ex(k->cipher, data + n, &n)) return 0;
  return EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_GCM_GET_TAG, GCM_TAG_BYTES, data + len);
}

/* AES-CM: the HMAC-SHA1-80 tag over `data` and `extra` (RTP's ROC), written to `tag`; re-init with NULL key keeps HMAC's key. */
static int hmac_tag(const srtp_keys_t *k, const unsigned char *data, size_t len, const unsigned char *extra, size_t extra_len, unsigned char *tag) {
  unsigned char digest[SHA1_BYTES];
  unsigned int digest_len;
  if (!HMAC_Init_ex(k->hmac, NULL, 0, NULL, NULL) || !HMAC_Update(k->hmac, data, len) || (extra_len && !HMAC_Update(k->hmac, extra, extra_len)) ||
      !HMAC_Final(k->hmac, digest, &digest_len)) {
    return 0;
  }
  memcpy(tag, digest, HMAC_TAG_BYTES);
  return 1;
}

/* Where an RTP packet's payload starts (after CSRCs and extensions); 0 when it does not fit in `len`. */
static size_t rtp_header_length(const unsigned char *packet, size_t len) {
  if (len < 12 || (packet[0] >> 6) != 2) return 0;
  size_t at = 12 + 4 * (size_t)(packet[0] & 0x0f);
  if (packet[0] & 0x10) {
    if (at + 4 > len) return 0;
    at += 4 + 4 * (size_t)((packet[at + 2] << 8) | packet[at + 3]);
  }
  return at <= len ? at : 0;
}

static srtp_ssrc_state_t *state_for(srtp_receiver_t *r, uint32_t ssrc) {
  for (int i = 0; i < r->stream_count; i++) {
    if (r->streams[i].ssrc == ssrc) return &r->streams[i];
  }
  return NULL;
}

/* A new SSRC's state at `highest`, its window empty; NULL when the table is full. */
static srtp_ssrc_state_t *add_state(srtp_receiver_t *r, uint32_t ssrc, int64_t highest) {
  if (r->stream_count == SRTP_RECEIVER_STREAMS) return NULL;
  srtp_ssrc_state_t *state = &r->streams[r->stream_count++];
  state->ssrc = ssrc;
  state->highest = highest;
  memset(state->seen, 0, sizeof state->seen);
  return state;
}

static uint64_t *seen_word(srtp_ssrc_state_t *s, int64_t index) { return &s->seen[index % SRTP_REPLAY_WINDOW / 64]; }
static uint64_t seen_bit(int64_t index) { return (uint64_t)1 << (index % 64); }

/* RFC 3711 §3.3.2: an index past the highest is new; one behind it only within the window and not yet received. */
static int is_replay(srtp_ssrc_state_t *s, int64_t index) {
  if (index > s->highest) return 0;
  return s->highest - index >= SRTP_REPLAY_WINDOW || (*seen_word(s, index) & seen_bit(index));
}

/* Records an authenticated index; the slots of indexes the window moves on to are cleared of the ones it leaves behind. */
static void mark_received(srtp_ssrc_state_t *s, int64_t index) {
  for (int64_t i = s->highest + 1; i < index && i <= s->highest + SRTP_REPLAY_WINDOW; i++) *seen_word(s, i) &= ~seen_bit(i);
  if (index > s->highest) s->highest = index;
  *seen_word(s, index) |= seen_bit(index);
}

int srtp_receiver_seed(srtp_receiver_t *r, uint32_t ssrc, uint32_t roc, uint16_t seq) {
  int64_t index = ((int64_t)roc << 16) | seq;
  srtp_ssrc_state_t *state = state_for(r, ssrc);
  if (!state && !(state = add_state(r, ssrc, index))) return 0;
  state->highest = index;
  /* The other decryptor may have taken any packet up to here: none of them is taken again. */
  memset(state->seen, 0xff, sizeof state->seen);
  return 1;
}

size_t srtp_unprotect_rtp(srtp_receiver_t *r, const unsigned char *packet, size_t len, unsigned char *out) {
  size_t tag_len = r->gcm ? GCM_TAG_BYTES : HMAC_TAG_BYTES;
  if (len < 12 + tag_len) return 0;
  size_t body_end = len - tag_len;
  size_t header_len = rtp_header_length(packet, body_end);
  if (!header_len) return 0;
  uint32_t ssrc = read_u32(packet + 8);
  /*
   * A new SSRC is remembered once a packet of it authenticates, so forgeries
   * cannot fill the table; past its room an SSRC's replays could not be told
   * apart, so its packets are refused.
   */
  srtp_ssrc_state_t *state = state_for(r, ssrc);
  if (!state && r->stream_count == SRTP_RECEIVER_STREAMS) return 0;
  uint16_t seq = (uint16_t)((packet[2] << 8) | packet[3]);
  int64_t index = estimate_index(state ? state->highest : -1, seq);
  /* Checked before authenticating (RFC 3711 §3.3 step 5), so a replay costs no crypto; recorded only after. */
  if (state && is_replay(state, index)) return 0;
  uint32_t roc = (uint32_t)(index >> 16);
  const srtp_keys_t *k = &r->rtp;
  int n;
  if (!r->gcm) {
    /* Authenticate before decrypting: the tag covers header and ciphertext, then the ROC. */
    unsigned char roc_bytes[4] = {roc >> 24, roc >> 16, roc >> 8, roc};
    unsigned char tag[HMAC_TAG_BYTES];
    if (!hmac_tag(k, packet, body_end, roc_bytes, sizeof roc_bytes, tag) || CRYPTO_memcmp(tag, packet + body_end, HMAC_TAG_BYTES) != 0) return 0;
    if (!start_cipher(k, 0, ssrc, index)) return 0;
    if (out != packet) memcpy(out, packet, header_len);
    if (!EVP_EncryptUpdate(k->cipher, out + header_len, &n, packet + header_len, (int)(body_end - header_len))) return 0;
  } else {
    unsigned char iv[16];
    write_iv(k, 1, ssrc, index, iv);
    unsigned char tag[GCM_TAG_BYTES];
    memcpy(tag, packet + body_end, GCM_TAG_BYTES);
    if (!EVP_DecryptInit_ex(k->cipher, NULL, NULL, NULL, iv) || !EVP_DecryptUpdate(k->cipher, NULL, &n, packet, (int)header_len)) return 0;
    if (out != packet) memcpy(out, packet, header_len);
    if (!EVP_DecryptUpdate(k->cipher, out + header_len, &n, packet + header_len, (int)(body_end - header_len)) ||
        !EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_GCM_SET_TAG, GCM_TAG_BYTES, tag) || EVP_DecryptFinal_ex(k->cipher, out + header_len + n, &n) <= 0) {
      return 0;
    }
  }
  if (!state) state = add_state(r, ssrc, index);
  mark_received(state, index);
  return body_end;
}

size_t srtp_protect_rtp(srtp_stream_t *s, unsigned char *packet, size_t header_len, size_t payload_len) {
  uint16_t seq = (uint16_t)((packet[2] << 8) | packet[3]);
  uint32_t roc = (uint32_t)(extend_sequence(s, seq) >> 16);
  if (!start_cipher(&s->rtp, s->gcm, read_u32(packet + 8), ((uint64_t)roc << 16) | seq)) return 0;
  unsigned char *body = packet + header_len;
  size_t len = header_len + payload_len;
  if (s->gcm) return gcm_seal(&s->rtp, packet, header_len, NULL, 0, body, payload_len) ? len + GCM_TAG_BYTES : 0;
  int n;
  if (!EVP_EncryptUpdate(s->rtp.cipher, body, &n, body, (int)payload_len)) return 0;
  unsigned char roc_bytes[4] = {roc >> 24, roc >> 16, roc >> 8, roc};
  return hmac_tag(&s->rtp, packet, len, roc_bytes, sizeof roc_bytes, packet + len) ? len + HMAC_TAG_BYTES : 0;
}

/*
 * The first 8 bytes (header and sender SSRC) stay clear; the E flag and
 * SRTCP index follow the ciphertext: after GCM's tag (RFC 7714 §9.2, where
 * they are also authenticated data), before AES-CM's tag, which covers them
 * (RFC 3711 §3.4).
 */
size_t srtp_protect_rtcp(srtp_stream_t *s, unsigned char *packet, size_t len) {
  uint32_t index = s->rtcp_index = (s->rtcp_index + 1) & 0x7fffffff;
  unsigned char trailer[SRTCP_INDEX_BYTES] = {0x80 | (index >> 24), index >> 16, index >> 8, index};
  if (!start_cipher(&s->rtcp, s->gcm, read_u32(packet + 4), index)) return 0;
  if (s->gcm) {
    if (!gcm_seal(&s->rtcp, packet, 8, trailer, sizeof trailer, packet + 8, len - 8)) return 0;
    memcpy(packet + len + GCM_TAG_BYTES, trailer, sizeof trailer);
    return len + GCM_TAG_BYTES + sizeof trailer;
  }
  int n;
  if (!EVP_EncryptUpdate(s->rtcp.cipher, packet + 8, &n, packet + 8, (int)(len - 8))) return 0;
  memcpy(packet + len, trailer, sizeof trailer);
  return hmac_tag(&s->rtcp, packet, len + sizeof trailer, NULL, 0, packet + len + sizeof trailer) ? len + sizeof trailer + HMAC_TAG_BYTES : 0;
}
