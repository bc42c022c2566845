/**
 * The analyzers of a diagnosis, by the name `--analyzers` selects them with, in the order they
 * run (and set their fields on flow records). `flowlens analyze` and the server's analysis worker
 * both build their analyzers here, so a report has the same sections wherever it was made.
 * Result keys in `analysis` are the analyzers' own names (ANALYSIS_KEYS; the hierarchy's is
 * `protocolHierarchy`). When both run, the protocol hierarchy names a flow's application layer by
 * the application analyzer's payload identification (which runs first), for the names that are
 * spelled as tshark spells them; other flows by well-known port.
 */
import {
  type AppAnalyzer,
  createAppAnalyzer,
  createDeviceAnalyzer,
  createDnsAnalyzer,
  createHierarchyAnalyzer,
  createIcmpAnalyzer,
  createTalkersAnalyzer,
  createTcpAnalyzer,
  createThroughputAnalyzer,
  createTimingAnalyzer,
  type DnsAnalyzer,
  type PacketAnalyzer,
} from '../analyze/index.js';
import { bundledOuiTable, lookupMacIn } from '../enrich/index.js';

/** Application names that are also tshark's io,phs layer names (the others differ: netbios-ns/nbns, …). */
const TSHARK_SPELLED = new Set([
  'dhcp',
  'dns',
  'ftp',
  'http',
  'imap',
  'ldap',
  'llmnr',
  'mdns',
  'ntp',
  'quic',
  'sip',
  'smtp',
  'ssdp',
  'ssh',
  'stun',
  'syslog',
  'telnet',
  'tftp',
  'tls',
]);

/** A MAC's vendor from the bundled IEEE registry (read on the first device that needs one). */
function macVendor(mac: string): string | undefined {
  try {
    return lookupMacIn(bundledOuiTable(), mac)?.vendor;
  } catch {
    // Without the bundled registry (a broken install) devices simply have no vendor.
    return undefined;
  }
}

type Factories = Record<string, (made: Map<string, PacketAnalyzer>) => PacketAnalyzer>;

const FACTORIES: Factories = {
  app: () => createAppAnalyzer(),
  tcp: () => createTcpAnalyzer(),
  dns: () => createDnsAnalyzer(),
  icmp: () => createIcmpAnalyzer(),
  timing: () => createTimingAnalyzer(),
  devices: () => createDeviceAnalyzer({ vendorOf: macVendor }),
  hierarchy: (made) => {
    const app = made.get('app') as AppAnalyzer | undefined;
    if (app === undefined) return createHierarchyAnalyzer();
    return createHierarchyAnalyzer({
      applicationOf(flowId) {
        const name = app.applicationOf(flowId);
        return TSHARK_SPELLED.has(name) ? name : undefined;
      },
    });
  },
  talkers: () => createTalkersAnalyzer(),
  throughput: () => createThroughputAnalyzer(),
};

/** Every analyzer's name, in running order. */
export const DIAGNOSIS_ANALYZER_NAMES: readonly string[] = Object.keys(FACTORIES);

export function isDiagnosisAnalyzer(name: string): boolean {
  return Object.hasOwn(FACTORIES, name);
}

/** New analyzers for the names given (default all), in running order whatever the order of `names`. */
export function createDiagnosisAnalyzers(
  names: readonly string[] = DIAGNOSIS_ANALYZER_NAMES,
): PacketAnalyzer[] {
  const made = new Map<string, PacketAnalyzer>();
  for (const name of DIAGNOSIS_ANALYZER_NAMES)
    if (names.includes(name)) made.set(name, FACTORIES[name](made));
  return [...made.values()];
}

/**
 * The DNS analyzer among analyzers made by createDiagnosisAnalyzers, if 'dns' was named: the
 * detections (createCaptureDetection's `dns`) and passive names (FlowEnrichment's
 * `shareDnsAnalyzer`) take its messages instead of parsing the DNS packets again.
 */
export function diagnosisDnsAnalyzer(analyzers: readonly PacketAnalyzer[]): DnsAnalyzer | undefined {
  return analyzers.find(
    (analyzer): analyzer is DnsAnalyzer => analyzer.name === 'dns' && 'addMessageListener' in analyzer,
  );
}
