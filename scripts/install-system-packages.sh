#!/bin/sh
# Installs the Debian/Ubuntu packages Peng needs: libpcap for capture (always), and with --test the real
# peers the test suite drives (scanners, capture tools, InfluxDB-compatible servers, promtool).
set -eu
runtime="libpcap-dev python3 make g++ iproute2"
test_peers="tcpdump tshark nmap hping3 masscan victoria-metrics influxdb prometheus systemd util-linux time gzip"
packages="$runtime"
[ "${1:-}" = "--test" ] && packages="$runtime $test_peers"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Services that the packages would start are not wanted: the tests start their own on loopback.
  # Debian's container images ship their own /usr/sbin/policy-rc.d (deny everything): keep one that
  # exists, and remove only the one written here, also when apt-get fails.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
    printf '#!/bin/sh\n# written by peng scripts/install-system-packages.sh for the install only\nexit 101\n' > "$policy"
    chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
