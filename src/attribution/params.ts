/**
 * Every limit and threshold of scan attribution, each with why it has its value (scanlogd's params.h
 * habit). The anchors: Zeek's scan policy (15 ports or 25 hosts from one source), Openwall scanlogd (a fixed
 * table of sources), and the Threshold Random Walk of Jung, Paxson, Berger and Balakrishnan (2004), which
 * decides from connection outcomes within 4-5 attempts (benign success probability 0.8, scanner 0.2).
 */

/** Sources remembered per interface by default: ~300 B each, so the table stays near 300 KiB. */
export const DEFAULT_MAX_SOURCES = 1024;
/** Fewer than this cannot hold one scanner next to ordinary traffic; more than this is a memory mistake. */
export const MIN_MAX_SOURCES = 16;
export const MAX_MAX_SOURCES = 1_048_576;

/** Distinct destination ports that make a vertical scan: Zeek's default, above any ordinary client's mix. */
export const VERTICAL_PORTS = 15;
/**
 * scanlogd's weighting: a privileged port (below 1024, where the services are) counts this many times, and
 * a weighted sum of PORT_SCORE is a vertical scan: 7 privileged ports, or 21 others. Zeek's 15 also holds.
 */
export const PRIVILEGED_PORT_WEIGHT = 3;
export const PORT_SCORE = 21;
export const PRIVILEGED_PORT_SKETCH_BITS = 128;
/** Distinct destination hosts that make a horizontal scan (sweep): Zeek's default. */
export const HORIZONTAL_HOSTS = 25;
/**
 * Mixed scans (some ports on some hosts) are found when ports/VERTICAL_PORTS + hosts/HORIZONTAL_HOSTS reaches
 * this: 8 ports on 12 hosts qualifies, 3 ports on 5 hosts (a client with a few services) does not.
 */
export const MIXED_SCORE = 1;
/**
 * NULL and XMAS segments never occur in a TCP connection: two of them (a retry, or nmap -O's pairs) are a
 * scanner on their own. FIN and Maimon probes also close connections, so they count only as probes.
 */
export const STEALTH_PROBES = 2;
/**
 * TRW: with benign success 0.8 and scanner success 0.2, each failed first contact adds ln 4 to the log
 * likelihood ratio and each success takes ln 4 away; the scanner threshold ln 99 is passed after this many
 * more failures than successes.
 */
export const TRW_NET_FAILURES = 4;
/**
 * A source whose attempts mostly succeed is not scanning, whatever its fan-out (browsing, a P2P client, a
 * busy proxy): TRW's benign side. Applied once this many targets were tried (TRW decides within 4-5) and replies are visible.
 */
export const BENIGN_SUCCESS_RATIO = 0.5;
export const MIN_TARGETS_FOR_OUTCOMES = 4;

/** Scanners listed in one window report by default (the most evidence first); the rest are counted. */
export const DEFAULT_MAX_SCANS_PER_WINDOW = 20;

/** Sketch sizes in bits (linear counting: exact for a few, within a few % up to ~m, saturating near m ln m). */
export const PORT_SKETCH_BITS = 512;
export const HOST_SKETCH_BITS = 256;
export const TARGET_SKETCH_BITS = 256;
export const OUTCOME_SKETCH_BITS = 128;
export const PEER_FILTER_BITS = 256;

/** Entries inspected to choose one to evict when the table is full: enough to find a one-packet source among a flood. */
export const EVICTION_SAMPLE = 8;

/** Handshake-pair slots per table entry: room for several open connections per remembered source before pairs push each other out. */
export const HANDSHAKE_PAIRS_PER_SOURCE = 8;
