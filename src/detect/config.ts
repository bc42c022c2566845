/**
 * Detection configuration: every threshold with its documented default (docs/detections.md
 * repeats this table), the home networks that separate internal from external addresses, and the
 * allowlist. `resolveDetectionConfig` merges a partial config over the defaults, one section at a
 * time, and rejects bad values with FLOWLENS_ERR_USAGE naming the field.
 */
import { ERR, FlowlensError } from '../shared/index.js';

export interface DetectionConfig {
  /** CIDRs (or single addresses) that are "internal". Default: RFC 1918, ULA, loopback, link-local. */
  homeNetworks: string[];
  /** Flows matching any entry are not fed to detectors (CIDRs or addresses). */
  allowlist: {
    sources: string[];
    destinations: string[];
    /** [source, destination] pairs, each a CIDR or an address. */
    pairs: [string, string][];
  };
  /** Cap on the keys (sources, targets, pairs) each detector tracks; the oldest is evicted. */
  maxTrackedPerDetector: number;
  /** Community IDs kept per alert. */
  maxEvidence: number;
  /** Targets listed per alert. */
  maxTargets: number;
  /** Open (deduplicated) alerts kept; older ones are dropped and counted. */
  maxAlerts: number;
  /** An alert whose fingerprint fires again within this many seconds of its lastSeen is updated, not new. */
  dedupSeconds: number;
  /** Flows reach detectors when they end: windows stay open this long after their end for late flows. */
  latenessSeconds: number;
  /** Repeated low/info alerts: one severity level up at `repeats` detections, another at 4×, never above `maxSeverity`. */
  escalation: { repeats: number; maxSeverity: 'medium' | 'high' };
  portScan: {
    windowSeconds: number;
    /** Distinct ports probed on one host (vertical scan). */
    verticalMinPorts: number;
    /** Distinct hosts probed on one port (horizontal scan). */
    horizontalMinHosts: number;
  };
  hostSweep: { windowSeconds: number; icmpMinHosts: number; arpMinHosts: number };
  bruteForce: {
    windowSeconds: number;
    minAttempts: number;
    /** A connection up to this long (and `maxAttemptBytes`) counts as a login attempt. */
    maxAttemptSeconds: number;
    maxAttemptBytes: number;
    ports: number[];
  };
  exfiltration: {
    windowSeconds: number;
    /** Outbound bytes from one internal host to external hosts in the window, without history. */
    minOutboundBytes: number;
    /** Outbound / inbound bytes. */
    minRatio: number;
    /** With a stored history, the threshold is this many times the host's usual bytes per window (never below minOutboundBytes / 10). */
    historyFactor: number;
  };
  icmpTunnel: { windowSeconds: number; minPackets: number; minMeanPacketBytes: number; minBytes: number };
  beaconing: {
    /** How long a pair's connection series is kept. */
    windowSeconds: number;
    minConnections: number;
    minScore: number;
    /** Median interval below this is a burst, not a beacon. */
    minIntervalSeconds: number;
    /** Connection count and duration at which those score terms are full. */
    fullConnections: number;
    fullDurationSeconds: number;
    /** Only internal → external pairs (C2 sits outside). */
    outboundOnly: boolean;
    /**
     * Destination ports never scored: resolvers and time servers are polled on a timer by design.
     * C2 over DNS is the DNS-tunnel detector's job.
     */
    ignorePorts: number[];
  };
  dnsTunnel: {
    windowSeconds: number;
    minQueries: number;
    minUniqueSubdomains: number;
    /** Mean query name length (characters) that is suspicious. */
    minMeanQueryLength: number;
    /** Mean Shannon entropy (bits/char) of the labels below the registered domain. */
    minLabelEntropy: number;
    minScore: number;
  };
  flood: {
    windowSeconds: number;
    /** Unanswered SYNs per second at one target. */
    synPerSecond: number;
    /** Unanswered UDP packets per second at one target. */
    udpPerSecond: number;
    icmpPerSecond: number;
    /** Distinct reflectors sending unsolicited responses from an amplification port to one target. */
    minReflectors: number;
    /** Mean packet size of reflected traffic (amplified responses are large). */
    minReflectedPacketBytes: number;
    reflectionPorts: number[];
  };
  lateralMovement: { windowSeconds: number; minTargets: number; ports: number[] };
  suspiciousPort: { ports: number[] };
  /** New-country / new-ASN alerts (need enrichment lookups): quiet while a host's history is shorter than this. */
  newPeer: { learningSeconds: number; maxPerHost: number };
}

export type DetectionConfigInput = {
  [K in keyof DetectionConfig]?: DetectionConfig[K] extends unknown[]
    ? DetectionConfig[K]
    : DetectionConfig[K] extends object
      ? Partial<DetectionConfig[K]>
      : DetectionConfig[K];
};

export const DEFAULT_HOME_NETWORKS: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  homeNetworks: [...DEFAULT_HOME_NETWORKS],
  allowlist: { sources: [], destinations: [], pairs: [] },
  maxTrackedPerDetector: 20_000,
  maxEvidence: 20,
  maxTargets: 20,
  maxAlerts: 10_000,
  dedupSeconds: 3600,
  latenessSeconds: 360,
  escalation: { repeats: 5, maxSeverity: 'high' },
  portScan: { windowSeconds: 300, verticalMinPorts: 15, horizontalMinHosts: 5 },
  hostSweep: { windowSeconds: 300, icmpMinHosts: 20, arpMinHosts: 30 },
  bruteForce: {
    windowSeconds: 300,
    minAttempts: 10,
    maxAttemptSeconds: 30,
    maxAttemptBytes: 20_000,
    // FTP, SSH, Telnet, SMTP(S)/submission, POP3(S), IMAP(S), NetBIOS/SMB, LDAP(S), MSSQL, Oracle,
    // MySQL, RDP, PostgreSQL, VNC, Redis, MongoDB, HTTP admin/auth ports.
    ports: [
      21, 22, 23, 25, 110, 139, 143, 389, 445, 465, 587, 636, 993, 995, 1433, 1521, 3306, 3389, 5432, 5900,
      5901, 6379, 27017, 8080, 8443, 10000,
    ],
  },
  exfiltration: { windowSeconds: 3600, minOutboundBytes: 500_000_000, minRatio: 10, historyFactor: 10 },
  icmpTunnel: { windowSeconds: 3600, minPackets: 50, minMeanPacketBytes: 150, minBytes: 20_000 },
  beaconing: {
    windowSeconds: 86_400,
    minConnections: 6,
    minScore: 60,
    minIntervalSeconds: 1,
    fullConnections: 24,
    fullDurationSeconds: 3600,
    outboundOnly: true,
    // DNS, NTP.
    ignorePorts: [53, 123],
  },
  dnsTunnel: {
    windowSeconds: 3600,
    minQueries: 20,
    minUniqueSubdomains: 15,
    minMeanQueryLength: 30,
    minLabelEntropy: 3.3,
    minScore: 60,
  },
  flood: {
    windowSeconds: 10,
    synPerSecond: 200,
    udpPerSecond: 2000,
    icmpPerSecond: 500,
    minReflectors: 20,
    minReflectedPacketBytes: 400,
    // DNS, NTP, chargen, SNMP, CLDAP, SSDP, memcached, WS-Discovery, ARD, QOTD, TFTP, NetBIOS, RIP, Portmap.
    reflectionPorts: [53, 123, 19, 161, 389, 1900, 11211, 3702, 3283, 17, 69, 137, 520, 111],
  },
  lateralMovement: {
    windowSeconds: 3600,
    minTargets: 5,
    // SSH, RPC endpoint mapper, NetBIOS, SMB, RDP, WinRM, VNC.
    ports: [22, 135, 139, 445, 3389, 5985, 5986, 5900],
  },
  suspiciousPort: {
    // Metasploit defaults, leet ports, IRC, NetBus/Back Orifice, SubSeven, Tor relay, MyDoom.
    ports: [
      4444, 4445, 1337, 31337, 6666, 6667, 6668, 6669, 12345, 12346, 54321, 27374, 9001, 9030, 3127, 1080,
    ],
  },
  newPeer: { learningSeconds: 7 * 86_400, maxPerHost: 64 },
};

function fail(field: string, why: string): never {
  throw new FlowlensError(ERR.USAGE, `detection config: ${field} ${why}`);
}

function checkNumbers(section: string, values: object): void {
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'number' && !(Number.isFinite(value) && value >= 0)) {
      fail(`${section}.${key}`, `must be a finite number ≥ 0, got ${value}`);
    }
  }
}

/** Defaults overlaid with `input` (section by section); throws FlowlensError(USAGE) on bad values. */
export function resolveDetectionConfig(input: DetectionConfigInput = {}): DetectionConfig {
  const out = { ...DEFAULT_DETECTION_CONFIG } as Record<string, unknown>;
  const defaults = DEFAULT_DETECTION_CONFIG as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    if (!(key in defaults)) fail(key, 'is not a known setting');
    const base = defaults[key];
    if (Array.isArray(base)) {
      if (!Array.isArray(value)) fail(key, 'must be a list');
      out[key] = value;
    } else if (typeof base === 'object' && base !== null) {
      if (typeof value !== 'object' || value === null) fail(key, 'must be an object');
      for (const sub of Object.keys(value))
        if (!(sub in base)) fail(`${key}.${sub}`, 'is not a known setting');
      out[key] = { ...base, ...value };
    } else {
      out[key] = value;
    }
  }
  const config = out as unknown as DetectionConfig;
  checkNumbers('detection', config);
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'object' && !Array.isArray(value)) checkNumbers(key, value);
  }
  if (config.maxTrackedPerDetector < 1) fail('maxTrackedPerDetector', 'must be at least 1');
  return config;
}
