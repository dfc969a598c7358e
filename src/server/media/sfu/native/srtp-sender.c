/*
 * The SFU's per-packet send path in C: SRTP-protects forwarded RTP packets
 * (RFC 7714 AEAD_AES_128_GCM or RFC 3711 AES_CM_128_HMAC_SHA1_80) with a
 * cipher whose key schedule is set up once per stream, queues them per
 * stream, and sends each stream's queue with one sendmmsg() on the UDP socket
 * of the subscriber's ICE pair when JavaScript calls flush() (after each
 * batch of publisher packets that arrived together, often a video frame).
 *
 * From JavaScript the same work costs a cipher object per packet (Node's
 * crypto cannot give a GCM or CTR cipher a new IV) and dgram's send path; see
 * bench/README.md for the measured difference.
 *
 * OpenSSL comes from the Node binary that loads this addon (Node exports its
 * OpenSSL symbols for addons), so the few functions used are declared here
 * rather than requiring OpenSSL's development headers.
 */
#define _GNU_SOURCE
#define NAPI_VERSION 8
#include <node_api.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

typedef struct evp_cipher_ctx_st EVP_CIPHER_CTX;
typedef struct evp_cipher_st EVP_CIPHER;
typedef struct evp_md_st EVP_MD;
typedef struct engine_st ENGINE;
typedef struct hmac_ctx_st HMAC_CTX;

EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void);
void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx);
const EVP_CIPHER *EVP_aes_128_gcm(void);
const EVP_CIPHER *EVP_aes_128_ctr(void);
int EVP_EncryptInit_ex(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *type, ENGINE *impl, const unsigned char *key, const unsigned char *iv);
int EVP_EncryptUpdate(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl, const unsigned char *in, int inl);
int EVP_EncryptFinal_ex(EVP_CIPHER_CTX *ctx, unsigned char *out, int *outl);
int EVP_CIPHER_CTX_ctrl(EVP_CIPHER_CTX *ctx, int type, int arg, void *ptr);
const EVP_MD *EVP_sha1(void);
HMAC_CTX *HMAC_CTX_new(void);
void HMAC_CTX_free(HMAC_CTX *ctx);
int HMAC_Init_ex(HMAC_CTX *ctx, const void *key, int len, const EVP_MD *md, ENGINE *impl);
int HMAC_Update(HMAC_CTX *ctx, const unsigned char *data, size_t len);
int HMAC_Final(HMAC_CTX *ctx, unsigned char *md, unsigned int *len);

#define EVP_CTRL_GCM_GET_TAG 0x10
#define KEY_BYTES 16
#define GCM_SALT_BYTES 12
#define CM_SALT_BYTES 14
#define GCM_TAG_BYTES 16
#define HMAC_TAG_BYTES 10
#define SHA1_BYTES 20
/* Larger than any datagram the SFU forwards (payloads come from a 1500-byte MTU). */
#define MAX_DATAGRAM 2048
/* Datagrams queued per stream before it is sent without waiting for flush(); a 2 Mbit/s frame is ~8. */
#define BATCH 16

/* One direction's session keys (RFC 3711 §4.3): RTP and RTCP each have their own. */
typedef struct {
  EVP_CIPHER_CTX *cipher;
  HMAC_CTX *hmac;
  unsigned char salt[CM_SALT_BYTES];
} keys_t;

typedef struct {
  int gcm;
  keys_t rtp, rtcp;
  /* Extended index of the highest sequence number sent so far; -1 before the first. */
  int64_t highest;
  /* SRTCP index of the last RTCP packet sent (31 bits, RFC 3711 §3.4). */
  uint32_t rtcp_index;
  /* The queue: datagrams for one socket and destination, and whether the stream is in `pending`. */
  int fd;
  struct sockaddr_storage dest;
  socklen_t dest_len;
  int queued;
  int in_pending;
  size_t lengths[BATCH];
  unsigned char datagrams[BATCH][MAX_DATAGRAM];
} sender_t;

/* Streams with queued datagrams, sent by flush(). Node calls addons on one thread per environment. */
static sender_t **pending;
static size_t pending_count, pending_capacity;

/* Sends the stream's queue; what the socket refuses (a full send buffer) is loss, as with any UDP send. */
static void send_queue(sender_t *s) {
  if (s->queued == 0) return;
  struct mmsghdr messages[BATCH];
  struct iovec parts[BATCH];
  for (int i = 0; i < s->queued; i++) {
    parts[i].iov_base = s->datagrams[i];
    parts[i].iov_len = s->lengths[i];
    memset(&messages[i], 0, sizeof messages[i]);
    messages[i].msg_hdr.msg_name = &s->dest;
    messages[i].msg_hdr.msg_namelen = s->dest_len;
    messages[i].msg_hdr.msg_iov = &parts[i];
    messages[i].msg_hdr.msg_iovlen = 1;
  }
  int sent = 0;
  while (sent < s->queued) {
    int n = sendmmsg(s->fd, messages + sent, (unsigned)(s->queued - sent), MSG_DONTWAIT);
    if (n <= 0) break;
    sent += n;
  }
  s->queued = 0;
}

static void finalize_sender(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sender_t *s = data;
  for (size_t i = 0; s->in_pending && i < pending_count; i++) {
    if (pending[i] == s) pending[i] = pending[--pending_count];
  }
  for (keys_t *k = &s->rtp; k <= &s->rtcp; k++) {
    EVP_CIPHER_CTX_free(k->cipher);
    if (k->hmac) HMAC_CTX_free(k->hmac);
  }
  free(s);
}

/* RFC 3711 §3.3.1: place the 16-bit sequence number nearest the highest index so far. */
static int64_t extend_sequence(sender_t *s, uint16_t seq) {
  if (s->highest < 0) return s->highest = seq;
  int64_t index = s->highest - (s->highest % 0x10000) + seq;
  if (index < s->highest - 0x8000) index += 0x10000;
  else if (index > s->highest + 0x8000) index -= 0x10000;
  if (index > s->highest) s->highest = index;
  return index;
}

static napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static int buffer_arg(napi_env env, napi_value value, unsigned char **data, size_t *length) {
  return napi_get_buffer_info(env, value, (void **)data, length) == napi_ok;
}

/* Sets up one direction's cipher (its key schedule computed once) and, for AES-CM, its HMAC key; returns 0 on failure. */
static int init_keys(keys_t *k, int gcm, const unsigned char *key, const unsigned char *salt, const unsigned char *auth, size_t auth_len) {
  memcpy(k->salt, salt, gcm ? GCM_SALT_BYTES : CM_SALT_BYTES);
  k->cipher = EVP_CIPHER_CTX_new();
  if (!k->cipher || !EVP_EncryptInit_ex(k->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, key, NULL)) return 0;
  if (gcm) return 1;
  k->hmac = HMAC_CTX_new();
  return k->hmac && HMAC_Init_ex(k->hmac, auth, (int)auth_len, EVP_sha1(), NULL);
}

/* createSender(gcm: boolean, key, salt, authKey, rtcpKey, rtcpSalt, rtcpAuthKey: Buffer) → external */
static napi_value create_sender(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 7) return throw_error(env, "createSender(gcm, key, salt, authKey, rtcpKey, rtcpSalt, rtcpAuthKey)");
  bool gcm;
  unsigned char *bytes[6];
  size_t lengths[6];
  if (napi_get_value_bool(env, argv[0], &gcm) != napi_ok) return throw_error(env, "createSender: expected a boolean and six Buffers");
  for (int i = 0; i < 6; i++) {
    if (!buffer_arg(env, argv[i + 1], &bytes[i], &lengths[i])) return throw_error(env, "createSender: expected a boolean and six Buffers");
  }
  /* A longer salt is fine: the KDF's output is a keystream, so its first 12 bytes are GCM's salt. */
  size_t salt_needed = gcm ? GCM_SALT_BYTES : CM_SALT_BYTES;
  for (int i = 0; i < 6; i += 3) {
    if (lengths[i] != KEY_BYTES || lengths[i + 1] < salt_needed || (!gcm && lengths[i + 2] != SHA1_BYTES)) {
      return throw_error(env, "createSender: wrong key, salt or auth key length for the profile");
    }
  }
  sender_t *s = calloc(1, sizeof(sender_t));
  if (!s) return throw_error(env, "createSender: out of memory");
  s->gcm = gcm;
  s->highest = -1;
  s->fd = -1;
  if (!init_keys(&s->rtp, gcm, bytes[0], bytes[1], bytes[2], lengths[2]) || !init_keys(&s->rtcp, gcm, bytes[3], bytes[4], bytes[5], lengths[5])) {
    finalize_sender(env, s, NULL);
    return throw_error(env, "createSender: cipher setup failed");
  }
  napi_value external;
  napi_create_external(env, s, finalize_sender, NULL, &external);
  return external;
}

static uint32_t read_u32(const unsigned char *p) { return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]; }

/*
 * Starts the cipher on the packet's IV: salt ⊕ (SSRC, 48-bit index), the index
 * being ROC‖SEQ for RTP and the SRTCP index for RTCP. GCM's 12-byte IV has the
 * SSRC at byte 2 (RFC 7714 §8.1, §9.1), CTR's 16-byte one at byte 4, its last
 * two bytes counting blocks (RFC 3711 §4.1.1).
 */
static int start_cipher(const keys_t *k, int gcm, uint32_t ssrc, uint64_t index) {
  unsigned char iv[16] = {0};
  int at = gcm ? 2 : 4;
  for (int i = 0; i < 4; i++) iv[at + i] = (unsigned char)(ssrc >> (24 - 8 * i));
  for (int i = 0; i < 6; i++) iv[at + 4 + i] = (unsigned char)(index >> (40 - 8 * i));
  for (int i = 0; i < (gcm ? GCM_SALT_BYTES : CM_SALT_BYTES); i++) iv[i] ^= k->salt[i];
  return EVP_EncryptInit_ex(k->cipher, NULL, NULL, NULL, iv);
}

/* GCM: authenticates `aad` (up to two pieces), encrypts `in` into `out` and writes the tag after it. */
static int gcm_seal(const keys_t *k, const unsigned char *aad, size_t aad_len, const unsigned char *aad2, size_t aad2_len, const unsigned char *in, size_t in_len, unsigned char *out) {
  int n;
  if (!EVP_EncryptUpdate(k->cipher, NULL, &n, aad, (int)aad_len)) return 0;
  if (aad2_len && !EVP_EncryptUpdate(k->cipher, NULL, &n, aad2, (int)aad2_len)) return 0;
  if (!EVP_EncryptUpdate(k->cipher, out, &n, in, (int)in_len)) return 0;
  if (!EVP_EncryptFinal_ex(k->cipher, out + n, &n)) return 0;
  return EVP_CIPHER_CTX_ctrl(k->cipher, EVP_CTRL_GCM_GET_TAG, GCM_TAG_BYTES, out + in_len);
}

/* AES-CM: the HMAC-SHA1-80 tag over `data` and `extra` (RTP's ROC), written to `tag`; re-init with NULL key keeps HMAC's key. */
static int hmac_tag(const keys_t *k, const unsigned char *data, size_t len, const unsigned char *extra, size_t extra_len, unsigned char *tag) {
  unsigned char digest[SHA1_BYTES];
  unsigned int digest_len;
  if (!HMAC_Init_ex(k->hmac, NULL, 0, NULL, NULL) || !HMAC_Update(k->hmac, data, len) || (extra_len && !HMAC_Update(k->hmac, extra, extra_len)) ||
      !HMAC_Final(k->hmac, digest, &digest_len)) {
    return 0;
  }
  memcpy(tag, digest, HMAC_TAG_BYTES);
  return 1;
}

/* Writes the SRTP packet (header, ciphertext, tag) into `out`; returns its length or 0. */
static size_t protect(sender_t *s, unsigned char *out, const unsigned char *header, size_t header_len, const unsigned char *payload, size_t payload_len) {
  uint16_t seq = (uint16_t)((header[2] << 8) | header[3]);
  uint32_t roc = (uint32_t)(extend_sequence(s, seq) >> 16);
  if (!start_cipher(&s->rtp, s->gcm, read_u32(header + 8), ((uint64_t)roc << 16) | seq)) return 0;
  memcpy(out, header, header_len);
  unsigned char *body = out + header_len;
  if (s->gcm) return gcm_seal(&s->rtp, header, header_len, NULL, 0, payload, payload_len, body) ? header_len + payload_len + GCM_TAG_BYTES : 0;
  int n;
  if (!EVP_EncryptUpdate(s->rtp.cipher, body, &n, payload, (int)payload_len)) return 0;
  unsigned char roc_bytes[4] = {roc >> 24, roc >> 16, roc >> 8, roc};
  return hmac_tag(&s->rtp, out, header_len + payload_len, roc_bytes, sizeof roc_bytes, body + payload_len) ? header_len + payload_len + HMAC_TAG_BYTES : 0;
}

/*
 * Writes the SRTCP packet into `out`; returns its length or 0. The first 8
 * bytes (header and sender SSRC) stay clear; the E flag and SRTCP index follow
 * the ciphertext: after GCM's tag (RFC 7714 §9.2, where they are also
 * authenticated data), before AES-CM's tag, which covers them (RFC 3711 §3.4).
 */
static size_t protect_rtcp(sender_t *s, unsigned char *out, const unsigned char *packet, size_t len) {
  uint32_t index = s->rtcp_index = (s->rtcp_index + 1) & 0x7fffffff;
  unsigned char trailer[4] = {0x80 | (index >> 24), index >> 16, index >> 8, index};
  if (!start_cipher(&s->rtcp, s->gcm, read_u32(packet + 4), index)) return 0;
  memcpy(out, packet, 8);
  if (s->gcm) {
    if (!gcm_seal(&s->rtcp, packet, 8, trailer, sizeof trailer, packet + 8, len - 8, out + 8)) return 0;
    memcpy(out + len + GCM_TAG_BYTES, trailer, sizeof trailer);
    return len + GCM_TAG_BYTES + sizeof trailer;
  }
  int n;
  if (!EVP_EncryptUpdate(s->rtcp.cipher, out + 8, &n, packet + 8, (int)(len - 8))) return 0;
  memcpy(out + len, trailer, sizeof trailer);
  return hmac_tag(&s->rtcp, out, len + sizeof trailer, NULL, 0, out + len + sizeof trailer) ? len + sizeof trailer + HMAC_TAG_BYTES : 0;
}

static int parse_address(const char *host, int port, struct sockaddr_storage *addr, socklen_t *addr_len) {
  memset(addr, 0, sizeof *addr);
  struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
  if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons((uint16_t)port);
    *addr_len = sizeof *v4;
    return 1;
  }
  struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
  if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons((uint16_t)port);
    *addr_len = sizeof *v6;
    return 1;
  }
  return 0;
}

/* setDestination(sender, fd: number, host: string, port: number): where queued packets go; sends what is queued for another. */
static napi_value set_destination(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  sender_t *s;
  int32_t fd, port;
  char host[64];
  size_t host_len;
  if (argc != 4 || napi_get_value_external(env, argv[0], (void **)&s) != napi_ok || napi_get_value_int32(env, argv[1], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], host, sizeof host, &host_len) != napi_ok || napi_get_value_int32(env, argv[3], &port) != napi_ok) {
    return throw_error(env, "setDestination(sender, fd, host, port)");
  }
  struct sockaddr_storage addr;
  socklen_t addr_len;
  if (!parse_address(host, port, &addr, &addr_len)) return throw_error(env, "setDestination: host is not an IP address");
  if (s->fd != fd || s->dest_len != addr_len || memcmp(&s->dest, &addr, addr_len) != 0) send_queue(s);
  s->fd = fd;
  s->dest = addr;
  s->dest_len = addr_len;
  return NULL;
}

typedef struct {
  sender_t *s;
  int rtcp;
  unsigned char *header, *payload;
  size_t header_len, payload_len;
} packet_args_t;

/* The functions' `data`: which kind of packet they protect. RTCP comes as one Buffer, RTP as header and payload. */
static int RTP = 0, RTCP = 1;

/* Reads (sender, header, payload) or (sender, rtcp) and checks the packet fits one datagram; returns 0 after throwing. */
static int packet_args(napi_env env, napi_callback_info info, const char *name, packet_args_t *a) {
  size_t argc = 3;
  napi_value argv[3];
  void *kind;
  napi_get_cb_info(env, info, &argc, argv, NULL, &kind);
  a->rtcp = kind == &RTCP;
  a->payload_len = 0;
  size_t expected = a->rtcp ? 2 : 3;
  if (argc != expected || napi_get_value_external(env, argv[0], (void **)&a->s) != napi_ok || !buffer_arg(env, argv[1], &a->header, &a->header_len) ||
      (!a->rtcp && !buffer_arg(env, argv[2], &a->payload, &a->payload_len))) {
    char usage[64];
    snprintf(usage, sizeof usage, "%s(sender, %s)", name, a->rtcp ? "packet" : "header, payload");
    throw_error(env, usage);
    return 0;
  }
  size_t minimum = a->rtcp ? 8 : 12;
  if (a->header_len < minimum || a->header_len + a->payload_len + GCM_TAG_BYTES + 4 > MAX_DATAGRAM) {
    throw_error(env, "packet too short or too long for one datagram");
    return 0;
  }
  return 1;
}

static size_t protect_args(const packet_args_t *a, unsigned char *out) {
  return a->rtcp ? protect_rtcp(a->s, out, a->header, a->header_len) : protect(a->s, out, a->header, a->header_len, a->payload, a->payload_len);
}

/* queue(sender, header, payload) / queueRtcp(sender, packet): protects one packet into the stream's queue for its destination. */
static napi_value queue_packet(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!packet_args(env, info, "queue", &a)) return NULL;
  sender_t *s = a.s;
  if (s->fd < 0) return throw_error(env, "queue: no destination set");
  size_t length = protect_args(&a, s->datagrams[s->queued]);
  if (!length) return throw_error(env, "queue: SRTP protection failed");
  s->lengths[s->queued++] = length;
  if (!s->in_pending) {
    if (pending_count == pending_capacity) {
      size_t capacity = pending_capacity ? pending_capacity * 2 : 64;
      sender_t **grown = realloc(pending, capacity * sizeof *pending);
      if (!grown) {
        send_queue(s);
        return NULL;
      }
      pending = grown;
      pending_capacity = capacity;
    }
    pending[pending_count++] = s;
    s->in_pending = 1;
  }
  if (s->queued == BATCH) send_queue(s);
  return NULL;
}

/* flush(): sends every stream's queue, one sendmmsg() per stream. */
static napi_value flush_queues(napi_env env, napi_callback_info info) {
  (void)env;
  (void)info;
  for (size_t i = 0; i < pending_count; i++) {
    send_queue(pending[i]);
    pending[i]->in_pending = 0;
  }
  pending_count = 0;
  return NULL;
}

/* protect(sender, header, payload) / protectRtcp(sender, packet) → Buffer: the protected datagram, for tests and for sockets without an fd. */
static napi_value protect_packet(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!packet_args(env, info, "protect", &a)) return NULL;
  unsigned char datagram[MAX_DATAGRAM];
  size_t length = protect_args(&a, datagram);
  if (!length) return throw_error(env, "protect: SRTP protection failed");
  napi_value result;
  napi_create_buffer_copy(env, length, datagram, NULL, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"createSender", NULL, create_sender, NULL, NULL, NULL, napi_default, NULL},
      {"setDestination", NULL, set_destination, NULL, NULL, NULL, napi_default, NULL},
      {"queue", NULL, queue_packet, NULL, NULL, NULL, napi_default, &RTP},
      {"queueRtcp", NULL, queue_packet, NULL, NULL, NULL, napi_default, &RTCP},
      {"flush", NULL, flush_queues, NULL, NULL, NULL, napi_default, NULL},
      {"protect", NULL, protect_packet, NULL, NULL, NULL, napi_default, &RTP},
      {"protectRtcp", NULL, protect_packet, NULL, NULL, NULL, napi_default, &RTCP},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
