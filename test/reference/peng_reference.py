#!/usr/bin/env python3
"""Independent reference for Peng's numbers: the seed's port bitmap and entropy, written from the
description (the seed: bins, hash, flipped binary entropy); it shares no code with the TypeScript implementation.
Packets are read by tshark, not by Peng's decoder, so a replay can be checked end to end.

  peng_reference.py FILE [--time-frame 60s]... [--local ADDR[,ADDR/LEN...]]... [--bins 16] [--size 1024]
  peng_reference.py --self-test

Prints one JSON object per window on stdout:
  {"time_frame": "60s", "local": "ADDR,...", "start": ISO, "end": ISO, "start_ns": "int", "end_ns": "int",
   "frames": n, "syn_packets": n, "client_entropy": f, "server_entropy": f, "client_syns": n, "server_syns": n}
(start_ns and end_ns are text: they exceed 2**53). --time-frame and --local may be repeated: every
combination is printed from one reading of the file; --local "" means none (every SYN is server traffic).
Window k holds frames with t0 + kT <= t < t0 + (k+1)T, t0 = the first frame's time (any frame); every
window from the first to the last frame's is printed, empty ones included. Times are integer nanoseconds.
"""
import argparse
import concurrent.futures
import datetime
import ipaddress
import json
import math
import re
import subprocess
import sys

SYN_FILTER = 'tcp.flags.syn==1 && tcp.flags.ack==0 && !icmp && !icmpv6'
GOLDEN_1024_4500 = 0.43590558771


def bit_position(port, bins, size):
    """The seed's hash: (port / bins) % size, then bin = m / bitsPerBin, bit = m % bitsPerBin."""
    m = (port // bins) % size
    bits_per_bin = size // bins
    return m // bits_per_bin, m % bits_per_bin


def total_entropy(ports, bins, size):
    """Mean over bins of the binary entropy of the share of bits set, flipped to 2 - h past half full."""
    if size % bins != 0:
        raise ValueError('size must be a multiple of bins')
    bits_per_bin = size // bins
    set_bits = [set() for _ in range(bins)]
    for port in ports:
        b, bit = bit_position(port, bins, size)
        set_bits[b].add(bit)
    total = 0.0
    for bits in set_bits:
        p1 = len(bits) / bits_per_bin
        p0 = 1.0 - p1
        h = 0.0 if p1 == 0 or p0 == 0 else -(p1 * math.log2(p1) + p0 * math.log2(p0))
        if p1 > p0:
            h = 2.0 - h
        total += h
    return total / bins


def parse_duration_ns(text):
    """Go-style durations as the seed takes them: 500ms, 10s, 1m, 1h30m."""
    units = {'ns': 1, 'us': 10**3, 'µs': 10**3, 'ms': 10**6, 's': 10**9, 'm': 60 * 10**9, 'h': 3600 * 10**9}
    parts = re.findall(r'(\d+)(ns|us|µs|ms|s|m|h)', text)
    if not parts or ''.join(n + u for n, u in parts) != text:
        raise ValueError('bad duration %r' % text)
    ns = sum(int(n) * units[u] for n, u in parts)
    if ns <= 0:
        raise ValueError('duration must be positive: %r' % text)
    return ns


def epoch_ns(text):
    """tshark's frame.time_epoch ('1700000000.123456000') as exact integer nanoseconds, no float."""
    whole, _, frac = text.strip().partition('.')
    return int(whole) * 10**9 + int((frac + '000000000')[:9])


def iso(ns):
    """Like JavaScript's Date.toISOString(): milliseconds, truncated."""
    ms = ns // 10**6
    moment = datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc)
    return moment.strftime('%Y-%m-%dT%H:%M:%S') + '.%03dZ' % (ms % 1000)


def tshark(args):
    result = subprocess.run(['tshark', '-n', '-r'] + args, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise RuntimeError('tshark failed: ' + result.stderr.strip())
    return result.stdout.splitlines()


def read_capture(path):
    """Every frame's time, and (time, src, dst, port) of each connection-opening SYN, as tshark reads them."""
    fields = ['frame.time_epoch', 'ip.src', 'ipv6.src', 'ip.dst', 'ipv6.dst', 'tcp.dstport']
    syn_cmd = [path, '-Y', SYN_FILTER, '-T', 'fields', '-E', 'separator=\t']
    for f in fields:
        syn_cmd += ['-e', f]
    # The two passes are independent; running them side by side halves tshark's start-up wait.
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        frames_pass = pool.submit(tshark, [path, '-T', 'fields', '-e', 'frame.time_epoch'])
        syn_pass = pool.submit(tshark, syn_cmd)
        frame_lines, syn_lines = frames_pass.result(), syn_pass.result()
    frame_times = [epoch_ns(line) for line in frame_lines if line]
    syns = []
    skipped = 0
    for line in syn_lines:
        if not line:
            continue
        time_text, src4, src6, dst4, dst6, port = line.split('\t')
        if ',' in src4 + src6 + dst4 + dst6 + port:
            # Tunnels carry two IP headers; the seed never looked past the first, so say so instead of guessing.
            skipped += 1
            continue
        syns.append((epoch_ns(time_text), ipaddress.ip_address(src4 or src6), ipaddress.ip_address(dst4 or dst6), int(port)))
    if skipped:
        print('peng_reference: skipped %d SYNs with several IP headers (tunnels)' % skipped, file=sys.stderr)
    return frame_times, syns


def replay(capture, frame_ns, bins, size, local):
    """The windows of one capture for one time frame and one set of local networks (None: all server)."""
    frame_times, syns = capture
    if not frame_times:
        return []
    t0 = frame_times[0]
    # One interface's capture is in time order; a frame stamped before t0 would be put in window 0.
    last = (max(frame_times) - t0) // frame_ns
    windows = [{'frames': 0, 'syns': 0, 'client': [], 'server': []} for _ in range(last + 1)]
    for t in frame_times:
        windows[max(0, (t - t0) // frame_ns)]['frames'] += 1
    for t, src, dst, port in syns:
        window = windows[max(0, (t - t0) // frame_ns)]
        window['syns'] += 1
        if local is None:
            direction = 'server'
        elif any(src in net for net in local):
            direction = 'client'
        elif any(dst in net for net in local):
            direction = 'server'
        else:
            continue  # between two other hosts: in the capture totals only
        window[direction].append(port)
    out = []
    for k, w in enumerate(windows):
        start = t0 + k * frame_ns
        out.append({
            'start': iso(start), 'end': iso(start + frame_ns), 'start_ns': str(start), 'end_ns': str(start + frame_ns),
            'frames': w['frames'], 'syn_packets': w['syns'],
            'client_entropy': total_entropy(w['client'], bins, size),
            'server_entropy': total_entropy(w['server'], bins, size),
            'client_syns': len(w['client']), 'server_syns': len(w['server']),
        })
    return out


def self_test():
    checks = [
        ('no ports', total_entropy([], 16, 1024), 0.0),
        ('every port', total_entropy(range(65536), 16, 1024), 2.0),
        ('ports 1024..4500', total_entropy(range(1024, 4501), 16, 1024), GOLDEN_1024_4500),
        ('one port', total_entropy([80], 16, 1024), (-(1 / 64) * math.log2(1 / 64) - (63 / 64) * math.log2(63 / 64)) / 16),
        ('half of bin 0', total_entropy(range(0, 32 * 16), 16, 1024), 1 / 16),
        ('duration 1h30m', parse_duration_ns('1h30m'), 5400 * 10**9),
        ('epoch text', epoch_ns('1700000000.000001'), 1700000000000001000),
    ]
    failed = [c for c in checks if abs(c[1] - c[2]) > 1e-9]
    for name, got, want in checks:
        print('%s %s: %r (want %r)' % ('FAIL' if (name, got, want) in failed else 'ok', name, got, want))
    return 1 if failed else 0


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('file', nargs='?')
    parser.add_argument('--time-frame', action='append', help='Go-style duration; repeatable (default 1m)')
    parser.add_argument('--bins', type=int, default=16)
    parser.add_argument('--size', type=int, default=1024)
    parser.add_argument('--local', action='append', help='comma-separated addresses or prefixes of this host; repeatable')
    parser.add_argument('--self-test', action='store_true')
    args = parser.parse_args(argv)
    if args.self_test:
        return self_test()
    if not args.file:
        parser.error('a capture file is required')
    if args.bins <= 0 or args.size <= 0 or args.size % args.bins != 0:
        parser.error('size must be a multiple of bins (size %d, bins %d)' % (args.size, args.bins))
    frames = [(text, parse_duration_ns(text)) for text in (args.time_frame or ['1m'])]
    locals_ = []
    for text in args.local or ['']:
        nets = [ipaddress.ip_network(a.strip(), strict=False) for a in text.split(',') if a.strip()]
        locals_.append((text, nets or None))
    capture = read_capture(args.file)
    for frame_text, frame_ns in frames:
        for local_text, local in locals_:
            for window in replay(capture, frame_ns, args.bins, args.size, local):
                print(json.dumps(dict(time_frame=frame_text, local=local_text, **window)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
