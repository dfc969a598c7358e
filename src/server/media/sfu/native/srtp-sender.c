/*
 * The SFU's per-packet send path in C, in a Node addon that also holds the
 * receive path (srtp-receiver.c): forward() queues one publisher packet for
 * every subscriber stream that forwards it, each (one subscriber's audio or
 * video) under its own header. Streams queue their forwarded RTP packets and
 * their RTCP sender reports in clear; when JavaScript calls flush() (after
 * each batch of publisher packets that arrived together, often a video
 * frame) every queue is padded into runs (udp-batch.c), SRTP-protected
 * (srtp.c) and sent with one sendmmsg() on the UDP socket of the
 * subscriber's ICE pair.
 *
 * From JavaScript the same work costs a cipher object per packet (Node's
 * crypto cannot give a GCM or CTR cipher a new IV) and dgram's send path; see
 * bench/README.md for the measured difference.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handle-table.h"
#include "napi-helpers.h"
#include "rtp-header.h"
#include "srtp.h"
#include "udp-batch.h"

typedef struct {
  srtp_stream_t srtp;
  /* What the subscriber's headers carry; set before the first forwarded packet. */
  rtp_stream_t stream;
  int has_stream;
  udp_batch_t batch;
  /* Whether the stream is in `pending`. */
  int in_pending;
  /* Its number in `senders`, which forward() takes. */
  uint32_t handle;
  /* RTP bytes (header and payload) of the packets forward() queued. */
  uint64_t forwarded_bytes;
} sender_t;

static handle_table_t senders;

/* The longest payload forward() takes: with the longest header and SRTP's overhead, it fills a queue slot. */
#define MAX_FORWARDED_PAYLOAD (UDP_BATCH_MAX_DATAGRAM - RTP_MAX_FORWARDED_HEADER - SRTP_MAX_OVERHEAD)

/* The publisher packet being forwarded: set once, then queued for each subscriber stream. */
static rtp_source_t source;
static unsigned char source_payload[UDP_BATCH_MAX_DATAGRAM];
static size_t source_payload_len;

/* Streams with queued datagrams, sent by flush(). Node calls addons on one thread per environment. */
static sender_t **pending;
static size_t pending_count, pending_capacity;

/* Pads, protects and sends the stream's queue; a packet protection fails for (an OpenSSL error) is not sent, nor is the rest of its batch. */
static void send_queue(sender_t *s) {
  udp_batch_t *b = &s->batch;
  if (b->count == 0) return;
  udp_batch_pad(b);
  for (int i = 0; i < b->count; i++) {
    size_t header_len = b->header_lengths[i];
    size_t length = header_len ? srtp_protect_rtp(&s->srtp, b->data[i], header_len, b->lengths[i] - header_len) : srtp_protect_rtcp(&s->srtp, b->data[i], b->lengths[i]);
    if (!length) {
      b->count = i;
      break;
    }
    b->lengths[i] = length;
  }
  udp_batch_send(b);
}

static void finalize_sender(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  sender_t *s = data;
  for (size_t i = 0; s->in_pending && i < pending_count; i++) {
    if (pending[i] == s) pending[i] = pending[--pending_count];
  }
  handle_table_remove(&senders, s->handle);
  srtp_stream_free(&s->srtp);
  free(s);
}

/* createSender(gcm: boolean, key, salt, authKey, rtcpKey, rtcpSalt, rtcpAuthKey: Buffer) → external */
static napi_value create_sender(napi_env env, napi_callback_info info) {
  size_t argc = 7;
  napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool gcm;
  srtp_key_material_t keys[2];
  if (argc != 7 || napi_get_value_bool(env, argv[0], &gcm) != napi_ok) return throw_error(env, "createSender(gcm, key, salt, authKey, rtcpKey, rtcpSalt, rtcpAuthKey)");
  for (int i = 0; i < 2; i++) {
    srtp_key_material_t *m = &keys[i];
    if (!buffer_arg(env, argv[1 + 3 * i], &m->key, &m->key_len) || !buffer_arg(env, argv[2 + 3 * i], &m->salt, &m->salt_len) ||
        !buffer_arg(env, argv[3 + 3 * i], &m->auth, &m->auth_len)) {
      return throw_error(env, "createSender: expected a boolean and six Buffers");
    }
  }
  sender_t *s = calloc(1, sizeof(sender_t));
  if (!s) return throw_error(env, "createSender: out of memory");
  const char *error = srtp_stream_init(&s->srtp, gcm, &keys[0], &keys[1]);
  if (error) {
    free(s);
    char message[96];
    snprintf(message, sizeof message, "createSender: %s", error);
    return throw_error(env, message);
  }
  s->batch.fd = -1;
  s->handle = handle_table_add(&senders, s);
  if (s->handle == HANDLE_NONE) {
    srtp_stream_free(&s->srtp);
    free(s);
    return throw_error(env, "createSender: no handle left for another sender");
  }
  napi_value external;
  napi_create_external(env, s, finalize_sender, NULL, &external);
  return external;
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
  napi_value argv[4];
  sender_t *s;
  int32_t fd, port;
  char host[64];
  size_t host_len;
  if (!external_args(env, info, 4, argv, (void **)&s) || napi_get_value_int32(env, argv[1], &fd) != napi_ok ||
      napi_get_value_string_utf8(env, argv[2], host, sizeof host, &host_len) != napi_ok || napi_get_value_int32(env, argv[3], &port) != napi_ok) {
    return throw_error(env, "setDestination(sender, fd, host, port)");
  }
  struct sockaddr_storage addr;
  socklen_t addr_len;
  if (!parse_address(host, port, &addr, &addr_len)) return throw_error(env, "setDestination: host is not an IP address");
  udp_batch_t *b = &s->batch;
  if (b->fd == fd && b->dest_len == addr_len && memcmp(&b->dest, &addr, addr_len) == 0) return NULL;
  send_queue(s);
  b->fd = fd;
  b->dest = addr;
  b->dest_len = addr_len;
  b->gso_off = 0;
  return NULL;
}

typedef struct {
  sender_t *s;
  int rtcp;
  const unsigned char *header, *payload;
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
  if (argc != (a->rtcp ? 2u : 3u) || napi_get_value_external(env, argv[0], (void **)&a->s) != napi_ok || !buffer_arg(env, argv[1], &a->header, &a->header_len) ||
      (!a->rtcp && !buffer_arg(env, argv[2], &a->payload, &a->payload_len))) {
    char usage[64];
    snprintf(usage, sizeof usage, "%s(sender, %s)", name, a->rtcp ? "packet" : "header, payload");
    throw_error(env, usage);
    return 0;
  }
  size_t minimum = a->rtcp ? 8 : 12;
  if (a->header_len < minimum || a->header_len + a->payload_len + SRTP_MAX_OVERHEAD > UDP_BATCH_MAX_DATAGRAM) {
    throw_error(env, "packet too short or too long for one datagram");
    return 0;
  }
  return 1;
}

/* Copies the packet in clear into `out`; returns its length. */
static size_t copy_packet(const packet_args_t *a, unsigned char *out) {
  memcpy(out, a->header, a->header_len);
  if (a->payload_len) memcpy(out + a->header_len, a->payload, a->payload_len);
  return a->header_len + a->payload_len;
}

/* Counts the datagram written into the next slot and puts the stream on the flush list. */
static void commit_datagram(sender_t *s, size_t length, size_t header_len) {
  udp_batch_t *b = &s->batch;
  b->lengths[b->count] = length;
  b->header_lengths[b->count] = header_len;
  b->count++;
  if (!s->in_pending) {
    if (pending_count == pending_capacity) {
      size_t capacity = pending_capacity ? pending_capacity * 2 : 64;
      sender_t **grown = realloc(pending, capacity * sizeof *pending);
      if (!grown) {
        send_queue(s);
        return;
      }
      pending = grown;
      pending_capacity = capacity;
    }
    pending[pending_count++] = s;
    s->in_pending = 1;
  }
  if (b->count == UDP_BATCH_SIZE) send_queue(s);
}

/* queueRtcp(sender, packet): adds a compound RTCP packet to the stream's queue, protected and sent on flush. */
static napi_value queue_rtcp(napi_env env, napi_callback_info info) {
  packet_args_t a;
  if (!packet_args(env, info, "queueRtcp", &a)) return NULL;
  udp_batch_t *b = &a.s->batch;
  if (b->fd < 0) return throw_error(env, "queueRtcp: no destination set");
  commit_datagram(a.s, copy_packet(&a, b->data[b->count]), 0);
  return NULL;
}

/* setStream(sender, ssrc, payloadType, midId, mid: Buffer, ids: Uint8Array(256)): what the subscriber's headers carry (midId 0: no mid). */
static napi_value set_stream(napi_env env, napi_callback_info info) {
  napi_value argv[6];
  sender_t *s;
  uint32_t ssrc, payload_type, mid_id;
  const unsigned char *mid, *ids;
  size_t mid_len, ids_len;
  if (!external_args(env, info, 6, argv, (void **)&s) || napi_get_value_uint32(env, argv[1], &ssrc) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &payload_type) != napi_ok || napi_get_value_uint32(env, argv[3], &mid_id) != napi_ok ||
      !buffer_arg(env, argv[4], &mid, &mid_len) || !buffer_arg(env, argv[5], &ids, &ids_len) || payload_type > 127 || mid_id > 14 || ids_len != 256 ||
      (mid_id && (mid_len == 0 || mid_len > RTP_MAX_ONE_BYTE_LENGTH))) {
    return throw_error(env, "setStream(sender, ssrc, payloadType, midId 0-14, mid: 1-16 bytes, ids: 256 bytes)");
  }
  rtp_stream_t *stream = &s->stream;
  stream->ssrc = ssrc;
  stream->payload_type = (uint8_t)payload_type;
  stream->mid_id = (uint8_t)mid_id;
  stream->mid_len = (uint8_t)(mid_id ? mid_len : 0);
  memcpy(stream->mid, mid, stream->mid_len);
  for (int i = 0; i < 256; i++) stream->ids[i] = ids[i] <= 14 ? ids[i] : 0;
  s->has_stream = 1;
  return NULL;
}

#define FORWARD_USAGE "forward(marker, timestamp, extensions, payload, handles: Uint32Array, count: even)"

/*
 * Reads the publisher packet of forward(): `extensions` holds its extensions
 * as (id, length, bytes…) records. Extensions that cannot be one-byte
 * elements (empty, or longer than 16 bytes) are left out. Returns an error
 * message, or NULL.
 */
static const char *read_source(napi_env env, napi_value *argv) {
  bool marker;
  uint32_t timestamp;
  const unsigned char *extensions, *payload;
  size_t extensions_len, payload_len;
  if (napi_get_value_bool(env, argv[0], &marker) != napi_ok || napi_get_value_uint32(env, argv[1], &timestamp) != napi_ok ||
      !buffer_arg(env, argv[2], &extensions, &extensions_len) || !buffer_arg(env, argv[3], &payload, &payload_len)) {
    return FORWARD_USAGE;
  }
  if (payload_len > MAX_FORWARDED_PAYLOAD) return "forward: payload longer than maxPayload";
  source.marker = marker;
  source.timestamp = timestamp;
  source.extension_count = 0;
  for (size_t at = 0; at + 2 <= extensions_len;) {
    uint8_t id = extensions[at], len = extensions[at + 1];
    if (at + 2 + len > extensions_len) return "forward: extension record past the end";
    if (len > 0 && len <= RTP_MAX_ONE_BYTE_LENGTH && source.extension_count < RTP_MAX_SOURCE_EXTENSIONS) {
      rtp_extension_t *e = &source.extensions[source.extension_count++];
      e->id = id;
      e->len = len;
      memcpy(e->data, extensions + at + 2, len);
    }
    at += 2u + len;
  }
  memcpy(source_payload, payload, payload_len);
  source_payload_len = payload_len;
  return NULL;
}

/* Queues the source packet under the stream's header. */
static void queue_forwarded(sender_t *s, uint16_t sequence_number) {
  udp_batch_t *b = &s->batch;
  unsigned char *slot = b->data[b->count];
  size_t header_len = rtp_write_forwarded_header(&s->stream, &source, sequence_number, slot);
  memcpy(slot + header_len, source_payload, source_payload_len);
  size_t length = header_len + source_payload_len;
  s->forwarded_bytes += length;
  commit_datagram(s, length, header_len);
}

/*
 * forward(marker, timestamp, extensions: Buffer, payload: Buffer, handles: Uint32Array, count):
 * queues one publisher packet for many streams: `handles` holds `count`
 * numbers, (sender handle, sequence number) pairs. Handles of freed senders,
 * and of senders without a destination or stream yet, are skipped.
 */
static napi_value forward(napi_env env, napi_callback_info info) {
  size_t argc = 6;
  napi_value argv[6];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  napi_typedarray_type type;
  size_t length;
  void *data;
  uint32_t count;
  if (argc != 6 || napi_get_typedarray_info(env, argv[4], &type, &length, &data, NULL, NULL) != napi_ok || type != napi_uint32_array ||
      napi_get_value_uint32(env, argv[5], &count) != napi_ok || count > length || count % 2) {
    return throw_error(env, FORWARD_USAGE);
  }
  const uint32_t *pairs = data;
  for (uint32_t i = 1; i < count; i += 2) {
    if (pairs[i] > 0xffff) return throw_error(env, "forward: a sequence number is not 16 bits");
  }
  const char *error = read_source(env, argv);
  if (error) return throw_error(env, error);
  for (uint32_t i = 0; i < count; i += 2) {
    sender_t *s = handle_table_get(&senders, pairs[i]);
    if (s && s->has_stream && s->batch.fd >= 0) queue_forwarded(s, (uint16_t)pairs[i + 1]);
  }
  return NULL;
}

/* The functions' `data`: which of the sender's numbers they read. */
static int HANDLE = 0, FORWARDED_BYTES = 1;

/*
 * senderHandle(sender) → number: the sender's handle for forward().
 * forwardedBytes(sender) → number: RTP bytes of the packets forward() queued for the stream.
 */
static napi_value sender_number(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  void *which;
  sender_t *s;
  napi_get_cb_info(env, info, &argc, argv, NULL, &which);
  if (argc != 1 || napi_get_value_external(env, argv[0], (void **)&s) != napi_ok) return throw_error(env, which == &HANDLE ? "senderHandle(sender)" : "forwardedBytes(sender)");
  napi_value result;
  napi_create_double(env, which == &HANDLE ? s->handle : (double)s->forwarded_bytes, &result);
  return result;
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
  unsigned char datagram[UDP_BATCH_MAX_DATAGRAM];
  size_t length = copy_packet(&a, datagram);
  length = a.rtcp ? srtp_protect_rtcp(&a.s->srtp, datagram, length) : srtp_protect_rtp(&a.s->srtp, datagram, a.header_len, a.payload_len);
  if (!length) return throw_error(env, "protect: SRTP protection failed");
  napi_value result;
  napi_create_buffer_copy(env, length, datagram, NULL, &result);
  return result;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"createSender", NULL, create_sender, NULL, NULL, NULL, napi_default, NULL},
      {"setDestination", NULL, set_destination, NULL, NULL, NULL, napi_default, NULL},
      {"setStream", NULL, set_stream, NULL, NULL, NULL, napi_default, NULL},
      {"senderHandle", NULL, sender_number, NULL, NULL, NULL, napi_default, &HANDLE},
      {"forward", NULL, forward, NULL, NULL, NULL, napi_default, NULL},
      {"forwardedBytes", NULL, sender_number, NULL, NULL, NULL, napi_default, &FORWARDED_BYTES},
      {"queueRtcp", NULL, queue_rtcp, NULL, NULL, NULL, napi_default, &RTCP},
      {"flush", NULL, flush_queues, NULL, NULL, NULL, napi_default, NULL},
      {"protect", NULL, protect_packet, NULL, NULL, NULL, napi_default, &RTP},
      {"protectRtcp", NULL, protect_packet, NULL, NULL, NULL, napi_default, &RTCP},
      {"createReceiver", NULL, create_receiver, NULL, NULL, NULL, napi_default, NULL},
      {"seedReceiver", NULL, seed_receiver, NULL, NULL, NULL, napi_default, NULL},
      {"unprotect", NULL, unprotect_packet, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof properties / sizeof properties[0], properties);
  napi_value max_payload;
  napi_create_uint32(env, MAX_FORWARDED_PAYLOAD, &max_payload);
  napi_set_named_property(env, exports, "maxPayload", max_payload);
  return exports;
}

NAPI_MODULE_INIT() { return init(env, exports); }
