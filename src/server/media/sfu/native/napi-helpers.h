/* Argument and error helpers shared by the addon's N-API functions. */
#ifndef STAGE_NAPI_HELPERS_H
#define STAGE_NAPI_HELPERS_H

#define NAPI_VERSION 8
#include <node_api.h>

#include <stddef.h>

static inline napi_value throw_error(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static inline int buffer_arg(napi_env env, napi_value value, const unsigned char **data, size_t *length) {
  return napi_get_buffer_info(env, value, (void **)data, length) == napi_ok;
}

/*
 * Reads a call's arguments into `argv` (up to `count`): true when there are
 * exactly `count` and the first is an external, whose pointer goes to
 * `object`.
 */
static inline int external_args(napi_env env, napi_callback_info info, size_t count, napi_value *argv, void **object) {
  size_t argc = count;
  napi_get_cb_info(env, info, &argc, argv, NULL, NULL);
  return argc == count && napi_get_value_external(env, argv[0], object) == napi_ok;
}

/* The receive side's functions (srtp-receiver.c), registered with the sender's in srtp-sender.c. */
napi_value create_receiver(napi_env env, napi_callback_info info);
napi_value seed_receiver(napi_env env, napi_callback_info info);
napi_value unprotect_packet(napi_env env, napi_callback_info info);

#endif
