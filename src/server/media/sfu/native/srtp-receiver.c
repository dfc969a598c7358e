/*
 * The SFU's receive path for publishers' media: decrypts SRTP with a cipher
 * set up once per peer, in place of werift's decryptor, which creates a
 * Decipheriv (and, for AES-CM, an Hmac) per packet.
 */
#include <stdio.h>
#include <stdlib.h>

#include "napi-helpers.h"
#include "srtp.h"

static void finalize_receiver(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  srtp_receiver_free(data);
  free(data);
}

/* createReceiver(gcm: boolean, key, salt, authKey: Buffer) → external */
napi_value create_receiver(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  bool gcm;
  srtp_key_material_t m;
  if (argc != 4 || napi_get_value_bool(env, argv[0], &gcm) != napi_ok || !buffer_arg(env, argv[1], &m.key, &m.key_len) ||
      !buffer_arg(env, argv[2], &m.salt, &m.salt_len) || !buffer_arg(env, argv[3], &m.auth, &m.auth_len)) {
    return throw_error(env, "createReceiver(gcm, key, salt, authKey)");
  }
  srtp_receiver_t *r = calloc(1, sizeof *r);
  if (!r) return throw_error(env, "createReceiver: out of memory");
  const char *error = srtp_receiver_init(r, gcm, &m);
  if (error) {
    free(r);
    char message[96];
    snprintf(message, sizeof message, "createReceiver: %s", error);
    return throw_error(env, message);
  }
  napi_value external;
  napi_create_external(env, r, finalize_receiver, NULL, &external);
  return external;
}

/* seedReceiver(receiver, ssrc, roc, sequenceNumber): continues an SSRC's rollover state, taking nothing up to it again; false when no room is left. */
napi_value seed_receiver(napi_env env, napi_callback_info info) {
  napi_value argv[4];
  srtp_receiver_t *r;
  uint32_t ssrc, roc, seq;
  if (!external_args(env, info, 4, argv, (void **)&r) || napi_get_value_uint32(env, argv[1], &ssrc) != napi_ok ||
      napi_get_value_uint32(env, argv[2], &roc) != napi_ok || napi_get_value_uint32(env, argv[3], &seq) != napi_ok || seq > 0xffff) {
    return throw_error(env, "seedReceiver(receiver, ssrc, roc, sequenceNumber)");
  }
  napi_value result;
  napi_get_boolean(env, srtp_receiver_seed(r, ssrc, roc, (uint16_t)seq), &result);
  return result;
}

/* unprotect(receiver, datagram: Buffer) → Buffer | null: the RTP packet, or null when the datagram is malformed, a replay or fails authentication. */
napi_value unprotect_packet(napi_env env, napi_callback_info info) {
  napi_value argv[2];
  srtp_receiver_t *r;
  const unsigned char *datagram;
  size_t len;
  if (!external_args(env, info, 2, argv, (void **)&r) || !buffer_arg(env, argv[1], &datagram, &len)) {
    return throw_error(env, "unprotect(receiver, datagram)");
  }
  /* Decrypted on the stack, then copied once into the Buffer, which so has the RTP packet's exact length. */
  unsigned char stack[2048];
  unsigned char *out = len <= sizeof stack ? stack : malloc(len);
  size_t rtp_len = out ? srtp_unprotect_rtp(r, datagram, len, out) : 0;
  napi_value result;
  if (rtp_len) napi_create_buffer_copy(env, rtp_len, out, NULL, &result);
  else napi_get_null(env, &result);
  if (out != stack) free(out);
  return result;
}
