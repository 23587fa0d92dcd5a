/** Every setting of a Peng run, validated. Produced by `loadConfig`. */
export interface PengConfig {
  /** `peng replay FILE` or `peng [flags]` (live). */
  command: 'live' | 'replay';
  /** The capture file of `peng replay FILE`; null in live mode. */
  replayFile: string | null;
  /** Window length in milliseconds (100 ms .. 24 h). */
  timeFrame: number;
  /** Bins per port bitmap; `size % bin === 0`. */
  bin: number;
  /** Bits per port bitmap, `bin <= size <= 65536`. */
  size: number;
  verbose: 0 | 1 | 2 | 3;
  /** CSV file to append windows to; '' = off. */
  export: string;
  json: boolean;
  lineProtocol: boolean;
  /** Interfaces to capture on; [] = the default route's interface. */
  network: string[];
  interfaces: boolean;
  /** IPv4/IPv6 addresses and CIDR prefixes of this host, already validated by `LocalAddresses.parse`. */
  localAddresses: string[];
  /** libpcap buffer size in bytes. */
  bufferSize: number;
  /** User and group to switch to after opening captures; '' = keep. */
  user: string;
  group: string;
  influxUrl: string;
  influxPort: number;
  bucket: string;
  org: string;
  token: string;
  otlp: boolean;
  otlpEndpoint: string;
  debug: boolean;
  version: boolean;
  help: boolean;
  /** The --config file that was read; '' = none. */
  config: string;
}

/** The options a user sets by flag, environment or file: everything but the positional command and FILE. */
export type OptionValues = Omit<PengConfig, 'command' | 'replayFile'>;
