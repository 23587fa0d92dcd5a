// Two prctl(2) calls Node cannot make: no_new_privs and clearing the capability bounding set.
// Each function returns 0 on success or the errno of the first call that failed; it parses nothing.
#include <errno.h>
#include <node_api.h>
#include <sys/prctl.h>

#ifndef PR_SET_NO_NEW_PRIVS
#define PR_SET_NO_NEW_PRIVS 38
#endif
#ifndef PR_CAPBSET_DROP
#define PR_CAPBSET_DROP 24
#endif

static napi_value errno_value(napi_env env, int err) {
  napi_value result;
  if (napi_create_int32(env, err, &result) != napi_ok) return NULL;
  return result;
}

// setNoNewPrivs(): execve can never grant privileges again (setuid binaries, file capabilities).
static napi_value set_no_new_privs(napi_env env, napi_callback_info info) {
  (void)info;
  int err = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 ? 0 : errno;
  return errno_value(env, err);
}

// dropBoundingSet(lastCap): removes capabilities 0..lastCap from the bounding set (needs CAP_SETPCAP).
static napi_value drop_bounding_set(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t last_cap = -1;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1 || napi_get_value_int32(env, argv[0], &last_cap) != napi_ok || last_cap < 0 || last_cap > 1023) {
    napi_throw_range_error(env, NULL, "dropBoundingSet needs the last capability number (0..1023)");
    return NULL;
  }
  for (int32_t cap = 0; cap <= last_cap; cap++) {
    if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) != 0) return errno_value(env, errno);
  }
  return errno_value(env, 0);
}

static napi_value init(napi_env env, napi_value exports) {
  napi_value fn;
  if (napi_create_function(env, "setNoNewPrivs", NAPI_AUTO_LENGTH, set_no_new_privs, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "setNoNewPrivs", fn) != napi_ok) return NULL;
  if (napi_create_function(env, "dropBoundingSet", NAPI_AUTO_LENGTH, drop_bounding_set, NULL, &fn) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "dropBoundingSet", fn) != napi_ok) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
