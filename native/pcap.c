// Peng's capture backend: libpcap without immediate mode (TPACKET_V3 blocks on Linux), woken by a libuv
// poll on the selectable descriptor, each wake-up draining up to one batch of frames into a buffer the
// JavaScript side owns, then one JS call for the whole batch. It parses nothing: it copies caplen bytes,
// checked against the space left, and the pcap header's lengths and kernel timestamp.
// Every libpcap failure reaches JavaScript as an exception or an onError call; nothing here aborts.
#include <errno.h>
#include <limits.h>
#include <node_api.h>
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

// Per frame in the meta array: caplen, wire length, seconds (unsigned: good to 2106), nanoseconds.
#define META_WORDS 4

typedef struct capture {
  napi_env env;
  pcap_t *pcap;
  int fd;
  int nano;  // timestamps arrive in nanoseconds (else microseconds)
  uv_poll_t poll;
  int poll_initialized, polling, closed, wrapper_gone, poll_closed;
  napi_ref self, on_batch, on_error, frames_ref, meta_ref;
  napi_async_context async;
  uint8_t *frames;
  size_t frames_len;
  uint32_t *meta;
  size_t meta_frames;
  // The batch being filled by on_packet.
  size_t used;
  uint32_t count, max_count;
  int full;
  double oversized;  // frames that did not fit the whole buffer: lost, counted
} capture_t;

static int check(napi_env env, napi_status status) {
  (void)env;  // the status says it all; a pending exception stays pending for the caller
  return status == napi_ok;
}

static void throw_pcap(napi_env env, const char *code, const char *what, const char *detail) {
  char message[PCAP_ERRBUF_SIZE + 128];
  snprintf(message, sizeof message, "%s%s%s", what, detail != NULL && detail[0] != '\0' ? ": " : "", detail != NULL ? detail : "");
  napi_throw_error(env, code, message);
}

static void maybe_free(capture_t *c) {
  // Freed once the JS wrapper is collected and libuv no longer holds the poll handle.
  if (c->wrapper_gone && (!c->poll_initialized || c->poll_closed)) free(c);
}

static void on_poll_closed(uv_handle_t *handle) {
  capture_t *c = handle->data;
  c->poll_closed = 1;
  maybe_free(c);
}

static void delete_ref(napi_env env, napi_ref *ref) {
  if (*ref != NULL) napi_delete_reference(env, *ref);
  *ref = NULL;
}

static void capture_close(capture_t *c) {
  if (c->closed) return;
  c->closed = 1;
  // The poll watcher must leave epoll before pcap_close closes its descriptor.
  if (c->poll_initialized) {
    if (c->polling) uv_poll_stop(&c->poll);
    c->polling = 0;
    uv_close((uv_handle_t *)&c->poll, on_poll_closed);
  }
  if (c->pcap != NULL) pcap_close(c->pcap);
  c->pcap = NULL;
  c->frames = NULL;
  c->meta = NULL;
  delete_ref(c->env, &c->on_batch);
  delete_ref(c->env, &c->on_error);
  delete_ref(c->env, &c->frames_ref);
  delete_ref(c->env, &c->meta_ref);
  if (c->async != NULL) napi_async_destroy(c->env, c->async);
  c->async = NULL;
  delete_ref(c->env, &c->self);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  capture_t *c = data;
  capture_close(c);
  c->wrapper_gone = 1;
  maybe_free(c);
}

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes) {
  capture_t *c = (capture_t *)user;
  if (c->full || c->count >= c->max_count) return;
  size_t caplen = h->caplen;
  if (caplen > c->frames_len - c->used) {
    // Never write past the buffer: the frame is lost (counted) and the batch ends here.
    c->oversized += 1;
    c->full = 1;
    pcap_breakloop(c->pcap);
    return;
  }
  if (caplen > 0) memcpy(c->frames + c->used, bytes, caplen);
  uint32_t *m = c->meta + (size_t)c->count * META_WORDS;
  long frac = (long)h->ts.tv_usec;
  if (!c->nano) frac *= 1000;
  if (frac < 0 || frac > 999999999) frac = 0;
  m[0] = (uint32_t)caplen;
  m[1] = h->len;
  m[2] = (uint32_t)h->ts.tv_sec;
  m[3] = (uint32_t)frac;
  c->used += caplen;
  c->count++;
}

// Calls a stored JS function with the wrapper as `this`; a JS exception becomes an uncaught exception.
static void call_js(capture_t *c, napi_ref fn_ref, size_t argc, napi_value *argv) {
  napi_env env = c->env;
  napi_handle_scope scope;
  if (!check(env, napi_open_handle_scope(env, &scope))) return;
  napi_value fn, self, result;
  if (fn_ref != NULL && c->self != NULL && check(env, napi_get_reference_value(env, fn_ref, &fn)) &&
      check(env, napi_get_reference_value(env, c->self, &self))) {
    if (napi_make_callback(env, c->async, self, fn, argc, argv, &result) == napi_pending_exception) {
      napi_value error;
      if (check(env, napi_get_and_clear_last_exception(env, &error))) napi_fatal_exception(env, error);
    }
  }
  napi_close_handle_scope(env, scope);
}

static void report_error(capture_t *c, const char *code, const char *message) {
  // Stop polling: a descriptor in error may stay readable. JavaScript decides to resume() or close().
  if (c->polling) uv_poll_stop(&c->poll);
  c->polling = 0;
  napi_value argv[2];
  if (!check(c->env, napi_create_string_utf8(c->env, message, NAPI_AUTO_LENGTH, &argv[0]))) return;
  if (!check(c->env, napi_create_string_utf8(c->env, code, NAPI_AUTO_LENGTH, &argv[1]))) return;
  call_js(c, c->on_error, 2, argv);
}

static void on_readable(uv_poll_t *handle, int status, int events) {
  (void)events;
  capture_t *c = handle->data;
  if (c->closed) return;
  char message[PCAP_ERRBUF_SIZE + 64];
  if (status == UV_EBADF) {
    // libuv's word for POLLERR (it has stopped the watcher): libpcap reads the socket error (ENETDOWN,
    // ENXIO) in pcap_dispatch and says what happened; if it reports nothing, polling goes on.
    c->polling = 0;
    if (uv_poll_start(&c->poll, UV_READABLE, on_readable) == 0) c->polling = 1;
  } else if (status < 0) {
    snprintf(message, sizeof message, "poll failed: %s", uv_strerror(status));
    napi_handle_scope scope;
    if (napi_open_handle_scope(c->env, &scope) != napi_ok) return;
    report_error(c, "poll", message);
    napi_close_handle_scope(c->env, scope);
    return;
  }
  c->used = 0;
  c->count = 0;
  c->full = 0;
  int r = pcap_dispatch(c->pcap, (int)c->max_count, on_packet, (u_char *)c);
  int failed = r == PCAP_ERROR || (r == PCAP_ERROR_BREAK && !c->full) || r < PCAP_ERROR_BREAK;
  if (failed) snprintf(message, sizeof message, "%s", r == PCAP_ERROR ? pcap_geterr(c->pcap) : pcap_statustostr(r));
  napi_handle_scope scope;
  if (napi_open_handle_scope(c->env, &scope) != napi_ok) return;
  if (c->count > 0) {
    napi_value argv[1];
    if (check(c->env, napi_create_uint32(c->env, c->count, &argv[0]))) call_js(c, c->on_batch, 1, argv);
  }
  // JavaScript may have closed the capture during the batch: c stays allocated until uv_close's callback.
  if (failed && !c->closed) report_error(c, "read", message);
  napi_close_handle_scope(c->env, scope);
}

static capture_t *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  void *data = NULL;
  if (!check(env, napi_get_cb_info(env, info, argc, argv, &self, NULL))) return NULL;
  if (!check(env, napi_unwrap(env, self, &data)) || data == NULL) {
    napi_throw_type_error(env, NULL, "not a capture handle");
    return NULL;
  }
  return data;
}

static capture_t *unwrap_open(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  capture_t *c = unwrap(env, info, argc, argv);
  if (c != NULL && c->closed) {
    napi_throw_error(env, "ECLOSED", "the capture is closed");
    return NULL;
  }
  return c;
}

// A string argument copied into a malloc'd buffer (NULL and a thrown TypeError on failure).
static char *get_string(napi_env env, napi_value value, const char *name) {
  size_t length = 0;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) {
    char message[64];
    snprintf(message, sizeof message, "%s must be a string", name);
    napi_throw_type_error(env, NULL, message);
    return NULL;
  }
  char *text = malloc(length + 1);
  if (text == NULL) {
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  if (napi_get_value_string_utf8(env, value, text, length + 1, &length) != napi_ok) {
    free(text);
    napi_throw_type_error(env, NULL, "cannot read string");
    return NULL;
  }
  if (strlen(text) != length) {
    free(text);
    napi_throw_type_error(env, NULL, "string contains a NUL character");
    return NULL;
  }
  return text;
}

static int get_int(napi_env env, napi_value value, int32_t min, int32_t max, const char *name, int32_t *out) {
  if (napi_get_value_int32(env, value, out) != napi_ok || *out < min || *out > max) {
    char message[128];
    snprintf(message, sizeof message, "%s must be a whole number from %d to %d", name, (int)min, (int)max);
    napi_throw_range_error(env, NULL, message);
    return 0;
  }
  return 1;
}

static int apply_filter(napi_env env, pcap_t *pcap, const char *filter) {
  struct bpf_program program;
  if (pcap_compile(pcap, &program, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
    throw_pcap(env, "EFILTER", "invalid filter", pcap_geterr(pcap));
    return 0;
  }
  int r = pcap_setfilter(pcap, &program);
  pcap_freecode(&program);
  if (r != 0) {
    throw_pcap(env, "EFILTER", "cannot set the filter", pcap_geterr(pcap));
    return 0;
  }
  return 1;
}

// The status of a failed pcap_activate as a code JavaScript can switch on.
static const char *activate_code(int status) {
  switch (status) {
    case PCAP_ERROR_NO_SUCH_DEVICE: return "ENODEV";
    case PCAP_ERROR_PERM_DENIED: return "EPERM";
    case PCAP_ERROR_PROMISC_PERM_DENIED: return "EPERM";
    case PCAP_ERROR_IFACE_NOT_UP: return "ENETDOWN";
    default: return "EOPEN";
  }
}

static const napi_property_descriptor *methods(size_t *count);

// open(device, snaplen, bufferBytes, timeoutMs, filter | null) → handle with linkType (DLT), snaplen,
// nanosecond (bool). Throws an Error whose code is ENODEV, EPERM, ENETDOWN, EFILTER or EOPEN.
static napi_value open_capture(napi_env env, napi_callback_info info) {
  size_t argc = 5;
  napi_value argv[5];
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL))) return NULL;
  if (argc < 5) {
    napi_throw_type_error(env, NULL, "open(device, snaplen, bufferBytes, timeoutMs, filter)");
    return NULL;
  }
  int32_t snaplen, buffer_bytes, timeout_ms;
  if (!get_int(env, argv[1], 1, 262144, "snaplen", &snaplen)) return NULL;
  if (!get_int(env, argv[2], 1, INT32_MAX, "bufferBytes", &buffer_bytes)) return NULL;
  if (!get_int(env, argv[3], 1, 60000, "timeoutMs", &timeout_ms)) return NULL;
  napi_valuetype filter_type;
  if (!check(env, napi_typeof(env, argv[4], &filter_type))) return NULL;
  char *device = get_string(env, argv[0], "device");
  if (device == NULL) return NULL;
  char *filter = NULL;
  if (filter_type != napi_null && filter_type != napi_undefined && (filter = get_string(env, argv[4], "filter")) == NULL) {
    free(device);
    return NULL;
  }
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  pcap_t *pcap = pcap_create(device, errbuf);
  free(device);
  if (pcap == NULL) {
    free(filter);
    throw_pcap(env, "EOPEN", "pcap_create failed", errbuf);
    return NULL;
  }
  // Not immediate mode: libpcap then uses TPACKET_V3 blocks filled to the snaplen, not one 64 KiB slot each.
  pcap_set_snaplen(pcap, snaplen);
  pcap_set_promisc(pcap, 1);
  pcap_set_buffer_size(pcap, buffer_bytes);
  pcap_set_timeout(pcap, timeout_ms);
  pcap_set_immediate_mode(pcap, 0);
  pcap_set_tstamp_precision(pcap, PCAP_TSTAMP_PRECISION_NANO);  // refused on old kernels: microseconds then
  int status = pcap_activate(pcap);
  if (status < 0) {
    char message[PCAP_ERRBUF_SIZE + 64];
    const char *detail = pcap_geterr(pcap);
    snprintf(message, sizeof message, "%s", detail != NULL && detail[0] != '\0' ? detail : pcap_statustostr(status));
    free(filter);
    pcap_close(pcap);
    throw_pcap(env, activate_code(status), message, NULL);
    return NULL;
  }
  if (pcap_setnonblock(pcap, 1, errbuf) != 0) {
    free(filter);
    pcap_close(pcap);
    throw_pcap(env, "EOPEN", "cannot make the capture non-blocking", errbuf);
    return NULL;
  }
  int fd = pcap_get_selectable_fd(pcap);
  if (fd < 0) {
    free(filter);
    pcap_close(pcap);
    throw_pcap(env, "EOPEN", "the capture has no selectable descriptor", NULL);
    return NULL;
  }
  if (filter != NULL) {
    int ok = apply_filter(env, pcap, filter);
    free(filter);
    if (!ok) {
      pcap_close(pcap);
      return NULL;
    }
  }
  capture_t *c = calloc(1, sizeof *c);
  napi_value handle, value;
  if (c == NULL) {
    pcap_close(pcap);
    napi_throw_error(env, "ENOMEM", "out of memory");
    return NULL;
  }
  c->env = env;
  c->pcap = pcap;
  c->fd = fd;
  c->nano = pcap_get_tstamp_precision(pcap) == PCAP_TSTAMP_PRECISION_NANO;
  size_t count;
  const napi_property_descriptor *props = methods(&count);
  if (!check(env, napi_create_object(env, &handle)) || !check(env, napi_define_properties(env, handle, count, props)) ||
      !check(env, napi_wrap(env, handle, c, finalize, NULL, NULL))) {
    pcap_close(pcap);
    free(c);
    return NULL;
  }
  if (!check(env, napi_create_int32(env, pcap_datalink(pcap), &value)) || !check(env, napi_set_named_property(env, handle, "linkType", value))) return NULL;
  if (!check(env, napi_create_int32(env, pcap_snapshot(pcap), &value)) || !check(env, napi_set_named_property(env, handle, "snaplen", value))) return NULL;
  if (!check(env, napi_get_boolean(env, c->nano, &value)) || !check(env, napi_set_named_property(env, handle, "nanoseconds", value))) return NULL;
  return handle;
}

// start(frames: Buffer, meta: Uint32Array, onBatch(count), onError(message, code)): frames land
// back to back in `frames`, their lengths and timestamps in meta[4 i ..]. The handle stays alive until close().
static napi_value start(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4], self;
  capture_t *c = unwrap_open(env, info, &argc, argv);
  if (c == NULL) return NULL;
  if (c->poll_initialized) {
    napi_throw_error(env, "ESTARTED", "the capture is already started");
    return NULL;
  }
  void *frames = NULL, *meta = NULL;
  size_t frames_len = 0, meta_len = 0;
  napi_typedarray_type type;
  bool is_buffer = false, is_typed = false;
  napi_valuetype t2, t3;
  if (argc < 4 || !check(env, napi_is_buffer(env, argv[0], &is_buffer)) || !is_buffer ||
      !check(env, napi_get_buffer_info(env, argv[0], &frames, &frames_len)) || !check(env, napi_is_typedarray(env, argv[1], &is_typed)) ||
      !is_typed || !check(env, napi_get_typedarray_info(env, argv[1], &type, &meta_len, &meta, NULL, NULL)) || type != napi_uint32_array ||
      !check(env, napi_typeof(env, argv[2], &t2)) || t2 != napi_function || !check(env, napi_typeof(env, argv[3], &t3)) || t3 != napi_function) {
    napi_throw_type_error(env, NULL, "start(frames: Buffer, meta: Uint32Array, onBatch, onError)");
    return NULL;
  }
  if (frames_len == 0 || meta_len < META_WORDS) {
    napi_throw_range_error(env, NULL, "the frame buffer and the meta array must hold at least one frame");
    return NULL;
  }
  c->frames = frames;
  c->frames_len = frames_len;
  c->meta = meta;
  c->meta_frames = meta_len / META_WORDS;
  // A batch is as many frames as surely fit at full snaplen, so a normal frame never finds the buffer full.
  size_t fit = frames_len / (size_t)pcap_snapshot(c->pcap);
  size_t max = c->meta_frames < fit ? c->meta_frames : fit;
  if (max < 1) max = 1;
  if (max > INT_MAX) max = INT_MAX;
  c->max_count = (uint32_t)max;
  napi_value name;
  if (!check(env, napi_get_cb_info(env, info, &argc, argv, &self, NULL)) || !check(env, napi_create_reference(env, self, 1, &c->self)) ||
      !check(env, napi_create_reference(env, argv[0], 1, &c->frames_ref)) || !check(env, napi_create_reference(env, argv[1], 1, &c->meta_ref)) ||
      !check(env, napi_create_reference(env, argv[2], 1, &c->on_batch)) || !check(env, napi_create_reference(env, argv[3], 1, &c->on_error)) ||
      !check(env, napi_create_string_utf8(env, "peng:capture", NAPI_AUTO_LENGTH, &name)) ||
      !check(env, napi_async_init(env, NULL, name, &c->async))) {
    capture_close(c);
    return NULL;
  }
  uv_loop_t *loop;
  if (!check(env, napi_get_uv_event_loop(env, &loop))) {
    capture_close(c);
    return NULL;
  }
  int r = uv_poll_init(loop, &c->poll, c->fd);
  if (r != 0) {
    capture_close(c);
    throw_pcap(env, "EPOLL", "cannot poll the capture", uv_strerror(r));
    return NULL;
  }
  c->poll.data = c;
  c->poll_initialized = 1;
  if ((r = uv_poll_start(&c->poll, UV_READABLE, on_readable)) != 0) {
    capture_close(c);
    throw_pcap(env, "EPOLL", "cannot poll the capture", uv_strerror(r));
    return NULL;
  }
  c->polling = 1;
  return NULL;
}

// resume(): polls again after onError (an interface that went down keeps its socket and index).
static napi_value resume(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  capture_t *c = unwrap_open(env, info, &argc, NULL);
  if (c == NULL || !c->poll_initialized || c->polling) return NULL;
  int r = uv_poll_start(&c->poll, UV_READABLE, on_readable);
  if (r != 0) throw_pcap(env, "EPOLL", "cannot poll the capture", uv_strerror(r));
  else c->polling = 1;
  return NULL;
}

static napi_value set_filter(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  capture_t *c = unwrap_open(env, info, &argc, argv);
  if (c == NULL) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "setFilter(filter)");
    return NULL;
  }
  char *filter = get_string(env, argv[0], "filter");
  if (filter == NULL) return NULL;
  apply_filter(env, c->pcap, filter);
  free(filter);
  return NULL;
}

static int set_number(napi_env env, napi_value object, const char *key, double number) {
  napi_value value;
  return check(env, napi_create_double(env, number, &value)) && check(env, napi_set_named_property(env, object, key, value));
}

// stats() → { received, dropped, ifDropped } as libpcap counts them (unsigned 32-bit, wrapping), and
// oversized (frames larger than the whole frame buffer, lost here).
static napi_value stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  capture_t *c = unwrap_open(env, info, &argc, NULL);
  if (c == NULL) return NULL;
  struct pcap_stat s;
  memset(&s, 0, sizeof s);
  if (pcap_stats(c->pcap, &s) != 0) {
    throw_pcap(env, "ESTATS", "pcap_stats failed", pcap_geterr(c->pcap));
    return NULL;
  }
  napi_value result;
  if (!check(env, napi_create_object(env, &result)) || !set_number(env, result, "received", s.ps_recv) ||
      !set_number(env, result, "dropped", s.ps_drop) || !set_number(env, result, "ifDropped", s.ps_ifdrop) ||
      !set_number(env, result, "oversized", c->oversized))
    return NULL;
  return result;
}

// inject(frame: Buffer) → bytes sent (tests send crafted frames with it).
static napi_value inject(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result;
  capture_t *c = unwrap_open(env, info, &argc, argv);
  if (c == NULL) return NULL;
  void *data = NULL;
  size_t length = 0;
  bool is_buffer = false;
  if (argc < 1 || !check(env, napi_is_buffer(env, argv[0], &is_buffer)) || !is_buffer || !check(env, napi_get_buffer_info(env, argv[0], &data, &length))) {
    napi_throw_type_error(env, NULL, "inject(frame: Buffer)");
    return NULL;
  }
  int sent = pcap_inject(c->pcap, data, length);
  if (sent < 0) {
    throw_pcap(env, "EINJECT", "pcap_inject failed", pcap_geterr(c->pcap));
    return NULL;
  }
  return check(env, napi_create_int32(env, sent, &result)) ? result : NULL;
}

static napi_value close_capture(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  capture_t *c = unwrap(env, info, &argc, NULL);
  if (c != NULL) capture_close(c);
  return NULL;
}

// devices() → [{ name, description, flags }] from pcap_findalldevs (flags: PCAP_IF_* bits).
static napi_value devices(napi_env env, napi_callback_info info) {
  (void)info;
  pcap_if_t *list = NULL;
  char errbuf[PCAP_ERRBUF_SIZE] = "";
  if (pcap_findalldevs(&list, errbuf) != 0) {
    throw_pcap(env, "EDEVICES", "pcap_findalldevs failed", errbuf);
    return NULL;
  }
  napi_value array, item, value;
  uint32_t i = 0;
  int ok = check(env, napi_create_array(env, &array));
  for (pcap_if_t *d = list; ok && d != NULL; d = d->next, i++) {
    ok = check(env, napi_create_object(env, &item)) && check(env, napi_create_string_utf8(env, d->name, NAPI_AUTO_LENGTH, &value)) &&
         check(env, napi_set_named_property(env, item, "name", value)) &&
         check(env, napi_create_string_utf8(env, d->description != NULL ? d->description : "", NAPI_AUTO_LENGTH, &value)) &&
         check(env, napi_set_named_property(env, item, "description", value)) && set_number(env, item, "flags", d->flags) &&
         check(env, napi_set_element(env, array, i, item));
  }
  pcap_freealldevs(list);
  return ok ? array : NULL;
}

static napi_value lib_version(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value value;
  return check(env, napi_create_string_utf8(env, pcap_lib_version(), NAPI_AUTO_LENGTH, &value)) ? value : NULL;
}

static const napi_property_descriptor handle_methods[] = {
    {"start", NULL, start, NULL, NULL, NULL, napi_default, NULL},
    {"resume", NULL, resume, NULL, NULL, NULL, napi_default, NULL},
    {"setFilter", NULL, set_filter, NULL, NULL, NULL, napi_default, NULL},
    {"stats", NULL, stats, NULL, NULL, NULL, napi_default, NULL},
    {"inject", NULL, inject, NULL, NULL, NULL, napi_default, NULL},
    {"close", NULL, close_capture, NULL, NULL, NULL, napi_default, NULL},
};

static const napi_property_descriptor *methods(size_t *count) {
  *count = sizeof handle_methods / sizeof handle_methods[0];
  return handle_methods;
}

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"open", NULL, open_capture, NULL, NULL, NULL, napi_default, NULL},
      {"devices", NULL, devices, NULL, NULL, NULL, napi_default, NULL},
      {"libVersion", NULL, lib_version, NULL, NULL, NULL, napi_default, NULL},
  };
  if (!check(env, napi_define_properties(env, exports, sizeof props / sizeof props[0], props))) return NULL;
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
