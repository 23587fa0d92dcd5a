#!/usr/bin/env bash
# Builds native/pcap.c with AddressSanitizer and UBSan into build-asan/ (never the shipped build/) and runs
# the addon's tests against it. Needs root (namespaces), gcc and libpcap-dev; run after `npx tsc`.
# Node itself is not instrumented: libasan is preloaded, leaks are not checked (V8 keeps memory to exit).
set -euo pipefail
cd "$(dirname "$0")/.."
node_include=""
for dir in "$(dirname "$(dirname "$(command -v node)")")/include/node" /usr/include/node /usr/local/include/node "$HOME/.cache/node-gyp/$(node -p process.versions.node)/include/node"; do
  if [ -f "$dir/node_api.h" ] && [ -f "$dir/uv.h" ]; then node_include=$dir; break; fi
done
[ -n "$node_include" ] || { echo "test-native-asan: node_api.h and uv.h not found (run npm ci first, it fetches node headers)" >&2; exit 2; }
mkdir -p build-asan
gcc -std=gnu11 -shared -fPIC -g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all \
  -Wall -Wextra -Werror -DNODE_GYP_MODULE_NAME=peng_pcap -I"$node_include" native/pcap.c -lpcap -o build-asan/peng_pcap.node
export PENG_PCAP_ADDON="$PWD/build-asan/peng_pcap.node"
export LD_PRELOAD="$(gcc -print-file-name=libasan.so)"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export PENG_ADDON_ASAN=1
# Run as a child of a test runner, node --test would report to that runner instead of printing TAP.
unset NODE_TEST_CONTEXT
exec node --test --test-reporter=tap --test-concurrency=1 dist/test/native/pcap-addon.test.js
