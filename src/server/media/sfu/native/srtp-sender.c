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

typedef struct {
  int gcm;
  EVP_CIPHER_CTX *cipher;
  HMAC_CTX *hmac;
  unsigned char salt[CM_SALT_BYTES];
  /* Extended index of the highest sequence number sent so far; -1 before the first. */
  int64_t highest;
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
  EVP_CIPHER_CTX_free(s->cipher);
  if (s->hmac) HMAC_CTX_free(s->hmac);
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

/* createSender(gcm: boolean, key: Buffer, salt: Buffer, authKey: Buffer) → external */
static napi_value create_sender(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 4) return throw_error(env, "createSender(gcm, key, salt, authKey)");
  bool gcm;
  unsigned char *key, *salt, *auth;
  size_t key_len, salt_len, auth_len;
  if (napi_get_value_bool(env, argv[0], &gcm) != napi_ok || !buffer_arg(env, argv[1], &key, &key_len) ||
      !buffer_arg(env, argv[2], &salt, &salt_len) || !buffer_arg(env, argv[3], &auth, &auth_len)) {
    return throw_error(env, "createSender: expected a boolean and three Buffers");
  }
  /* A longer salt is fine: the KDF's output is a keystream, so its first 12 bytes are GCM's salt. */
  size_t salt_needed = gcm ? GCM_SALT_BYTES : CM_SALT_BYTES;
  if (key_len != KEY_BYTES || salt_len < salt_needed || (!gcm && auth_len != SHA1_BYTES)) {
    return throw_error(env, "createSender: wrong key, salt or auth key length for the profile");
  }
  sender_t *s = calloc(1, sizeof(sender_t));
  if (!s) return throw_error(env, "createSender: out of memory");
  s->gcm = gcm;
  s->highest = -1;
  s->fd = -1;
  memcpy(s->salt, salt, salt_needed);
  s->cipher = EVP_CIPHER_CTX_new();
  if (!s->cipher || !EVP_EncryptInit_ex(s->cipher, gcm ? EVP_aes_128_gcm() : EVP_aes_128_ctr(), NULL, key, NULL)) {
    finalize_sender(env, s, NULL);
    return throw_error(env, "createSender: cipher setup failed");
  }
  if (!gcm) {
    s->hmac = HMAC_CTX_new();
    if (!s->hmac || !HMAC_Init_ex(s->hmac, auth, (int)auth_len, EVP_sha1(), NULL)) {
      finalize_sender(env, s, NULL);
      return throw_error(env, "createSender: HMAC setup failed");
    }
  }
  napi_value external;
  napi_create_external(env, s, finalize_sender, NULL, &external);
  return external;
}

/* Writes the protected packet (header, ciphertext, tag) into `out`; returns its length or 0. */
static size_t protect(sender_t *s, unsigned char *out, const unsigned char *header, size_t header_len, const unsigned char *payload, size_t payload_len) {
  uint32_t ssrc = ((uint32_t)header[8] << 24) | ((uint32_t)header[9] << 16) | ((uint32_t)header[10] << 8) | header[11];
  uint16_t seq = (uint16_t)((header[2] << 8) | header[3]);
  uint32_t roc = (uint32_t)(extend_sequence(s, seq) >> 16);
  /* IV = salt ⊕ (SSRC, ROC, SEQ): at bytes 2/6/10 of GCM's 12-byte IV, 4/8/12 of CTR's 16 (whose last two count blocks). */
  unsigned char iv[16] = {0};
  int at = s->gcm ? 2 : 4;
  iv[at] = ssrc >> 24, iv[at + 1] = ssrc >> 16, iv[at + 2] = ssrc >> 8, iv[at + 3] = ssrc;
  iv[at + 4] = roc >> 24, iv[at + 5] = roc >> 16, iv[at + 6] = roc >> 8, iv[at + 7] = roc;
  iv[at + 8] = seq >> 8, iv[at + 9] = seq;
  for (int i = 0; i < (s->gcm ? GCM_SALT_BYTES : CM_SALT_BYTES); i++) iv[i] ^= s->salt[i];

  memcpy(out, header, header_len);
  unsigned char *body = out + header_len;
  int n;
  if (!EVP_EncryptInit_ex(s->cipher, NULL, NULL, NULL, iv)) return 0;
  if (s->gcm) {
    if (!EVP_EncryptUpdate(s->cipher, NULL, &n, header, (int)header_len)) return 0;
    if (!EVP_EncryptUpdate(s->cipher, body, &n, payload, (int)payload_len)) return 0;
    if (!EVP_EncryptFinal_ex(s->cipher, body + n, &n)) return 0;
    if (!EVP_CIPHER_CTX_ctrl(s->cipher, EVP_CTRL_GCM_GET_TAG, GCM_TAG_BYTES, body + payload_len)) return 0;
    return header_len + payload_len + GCM_TAG_BYTES;
  }
  if (!EVP_EncryptUpdate(s->cipher, body, &n, payload, (int)payload_len)) return 0;
  /* The tag covers header, ciphertext and the ROC; re-init with NULL key keeps HMAC's key. */
  unsigned char roc_bytes[4] = {roc >> 24, roc >> 16, roc >> 8, roc};
  unsigned char digest[SHA1_BYTES];
  unsigned int digest_len;
  if (!HMAC_Init_ex(s->hmac, NULL, 0, NULL, NULL) || !HMAC_Update(s->hmac, out, header_len + payload_len) ||
      !HMAC_Update(s->hmac, roc_bytes, sizeof roc_bytes) || !HMAC_Final(s->hmac, digest, &digest_len)) {
    return 0;
  }
  memcpy(body + payload_len, digest, HMAC_TAG_BYTES);
  return header_len + payload_len + HMAC_TAG_BYTES;
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
  unsigned char *header, *payload;
  size_t header_len, payload_len;
} packet_args_t;

/* Reads (sender, header, payload) and checks the packet fits one datagram; returns 0 after throwing. */
static int packet_args(napi_env env, napi_callback_info info, const char *usage, packet_args_t *a) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  if (argc != 3 || napi_get_value_external(env, argv[0], (void **)&a->s) != napi_ok || !buffer_arg(env, argv[1], &a->header, &a->header_len) ||
      !buffer_arg(env, argv[2], &a->payload, &a->payload_len)) {
    throw_error(env, usage);
    return 0;
  }
  if (a->header_len < 12 || a->header_len + a->payload_len + GCM_TAG_BYTES > MAX_DATAGRAM) {
    throw_error(env, "packet too short or too long for one datagram");
    return 0;
  }
  return 1;
}

/* queue(sender, header: Buffer, payload: Buffer): protects one packet into the stream's queue for its destination. */
static napi_value queue_packet(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!packet_args(env, info, "queue(sender, header, payload)", &a)) return NULL;
  sender_t *s = a.s;
  if (s->fd < 0) return throw_error(env, "queue: no destination set");
  size_t length = protect(s, s->datagrams[s->queued], a.header, a.header_len, a.payload, a.payload_len);
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

/* protect(sender, header, payload) → Buffer: the protected datagram, for tests and for sockets without an fd. */
static napi_value protect_packet(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!packet_args(env, info, "protect(sender, header, payload)", &a)) return NULL;
  unsigned char datagram[MAX_DATAGRAM];
  size_t length = protect(a.s, datagram, a.header, a.header_len, a.payload, a.payload_len);
  if (!length) return throw_error(env, "protect: SRTP protection failed");
  napi_value result;
  napi_create_buffer_copy(env, length, datagram, NULL, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"createSender", NULL, create_sender, NULL, NULL, NULL, napi_default, NULL},
      {"setDestination", NULL, set_destination, NULL, NULL, NULL, napi_default, NULL},
      {"queue", NULL, queue_packet, NULL, NULL, NULL, napi_default, NULL},
      {"flush", NULL, flush_queues, NULL, NULL, NULL, napi_default, NULL},
      {"protect", NULL, protect_packet, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
