/**
 * `flowlens capture --interface IFACE`: live traffic into the flow store, through the same
 * engine as capture files. Flows are written as they end (idle and active timeouts in
 * wall-clock time); Ctrl-C or SIGTERM stops the capture tool, flushes every active flow and
 * reports the tool's drop counters.
 *
 * Exit codes: 0 stopped cleanly; 2 the capture could not start (permission, interface, filter,
 * missing tool) or bad usage; 1 unexpected failure.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { DeviceInventory } from '../../analyze/index.js';
import type { FlowRecord } from '../../model/index.js';
import { recordInventory, runLiveCapture } from '../../pipeline/index.js';
import type { FlowStore, StoredFlow } from '../../store/index.js';
import { createAnalyzers, FLOW_ANALYZER_NAMES } from '../analyze/analyzer-set.js';
import { flowJson } from '../analyze/flow-json-encoder.js';
import { addEnrichOptions, type EnrichFlags, startEnrichment } from '../enrich-options.js';
import { addFlowTableOptions, type FlowTableFlags, flowTableConfig } from '../flow-table-options.js';
import { formatCount } from '../format.js';
import { capHeapGrowth } from '../heap-growth.js';
import { dataDirectory } from '../ingest/ingest-command.js';
import { countAtLeastOne, rotation } from '../option-values.js';
import { createOutputStream } from '../output-stream.js';
import { alertSummary, createCliDetection } from './live-detection.js';

interface CaptureFlags extends FlowTableFlags, EnrichFlags {
  interface: string;
  filter?: string;
  snaplen?: number;
  tool?: 'tcpdump' | 'dumpcap';
  store: boolean;
  ndjson?: boolean;
  save?: string;
  rotate?: { bytes?: number; seconds?: number };
  status?: boolean;
  detect: boolean;
}

const EXAMPLES = `
Examples:
  $ sudo flowlens capture -i eth0                         flows into ./data until Ctrl-C
  $ flowlens capture -i lo --filter "tcp port 443" --data /var/lib/flowlens
  $ flowlens capture -i eth0 --save ./pcaps --rotate 100MB keep the packets too, 100 MB per file
  $ flowlens capture -i eth0 --no-store --ndjson | jq .   flows as NDJSON on stdout only

Capturing needs privileges: run as root, or once grant the capture tool the capability:
  $ sudo setcap cap_net_raw,cap_net_admin=eip "$(command -v tcpdump)"
`;

/** Flows are written to the store at least this often, or when this many are waiting. */
const WRITE_INTERVAL_MS = 2000;
const WRITE_BATCH = 10_000;

export function registerCaptureCommand(program: Command): void {
  const command = program
    .command('capture')
    .description('capture live traffic from an interface into the flow store')
    .requiredOption('-i, --interface <name>', 'interface to capture on (any: all of them)')
    .option('--filter <bpf>', 'BPF capture filter, e.g. "tcp port 443" (man pcap-filter)')
    .option('--snaplen <bytes>', 'bytes kept per packet (default 262144)', countAtLeastOne)
    .addOption(
      new Option('--tool <tool>', 'capture tool (default: tcpdump, else dumpcap)').choices([
        'tcpdump',
        'dumpcap',
      ]),
    )
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .option('--no-store', 'do not write flows to the store')
    .option('--ndjson', 'also write each flow as one JSON line on stdout as it ends')
    .option('--save <dir>', 'also keep the packets as pcap files in this directory')
    .option('--rotate <size|duration>', 'with --save: a new file every 100MB, 1h, …', rotation)
    .option('--status', 'show a status line on stderr (default: when stderr is a terminal)')
    .option('--no-status', 'never show the status line')
    .option('--no-detect', 'skip the detections (scans, brute force, floods, tunnels, …)');
  addEnrichOptions(command); // country, AS, threat tags of the data directory's feeds: as collect
  addFlowTableOptions(command)
    .addHelpText('after', EXAMPLES)
    .action(async (flags: CaptureFlags) => {
      await runCapture(flags);
    });
}

async function runCapture(flags: CaptureFlags): Promise<void> {
  capHeapGrowth();
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const out = flags.ndjson ? createOutputStream() : undefined;
  let store: FlowStore | undefined;
  const enrichment = await startEnrichment({ ...flags, data: dataDirectory(flags.data) });
  if (flags.store) {
    // Loaded on use: see cli/query/open-store.ts.
    const { createDuckDbStore } = await import('../../store/index.js');
    store = createDuckDbStore({ dataDir: dataDirectory(flags.data) });
    await store.start();
  }
  let batch: StoredFlow[] = [];
  let stored = 0;
  let writing: Promise<void> = Promise.resolve();
  const writeBatch = () => {
    if (!store || batch.length === 0) return writing;
    const full = batch;
    batch = [];
    const target = store;
    writing = writing.then(async () => {
      await target.writeFlows(full);
      stored += full.length;
    });
    return writing;
  };
  const writer = setInterval(() => void writeBatch().catch(stop), WRITE_INTERVAL_MS);
  const showStatus = flags.status ?? process.stderr.isTTY === true;
  const detection = flags.detect ? createCliDetection(store, enrichment?.enrichment.lookups) : undefined;
  try {
    const result = await runLiveCapture({
      capture: {
        interface: flags.interface,
        filter: flags.filter,
        snaplen: flags.snaplen,
        tool: flags.tool,
        onStarted: (tool) => process.stderr.write(`flowlens: capturing on ${flags.interface} with ${tool}\n`),
      },
      signal: controller.signal,
      flowTable: flowTableConfig(flags),
      analyzers: createAnalyzers(FLOW_ANALYZER_NAMES),
      detection,
      save: flags.save
        ? { dir: flags.save, rotateBytes: flags.rotate?.bytes, rotateSeconds: flags.rotate?.seconds }
        : undefined,
      onFlow(record: FlowRecord) {
        enrichment?.enrichment.enrich(record);
        if (out) out.write(`${flowJson(record)}\n`);
        if (store) {
          const flow = record as StoredFlow;
          flow.sourceKind = 'live';
          flow.exporter = flags.interface;
          batch.push(flow);
        }
      },
      backpressure: () => (batch.length >= WRITE_BATCH ? writeBatch() : out?.backpressure()),
      onStatus(status) {
        // NDJSON lines go out every sweep, not when a 256 KiB chunk fills.
        out?.flush();
        if (showStatus) {
          process.stderr.write(
            `\r\x1b[Kcapturing on ${flags.interface}: ${formatCount(status.packets)} packets, ${formatCount(status.activeFlows)} active flows (${formatCount(Math.round(status.newFlowsPerSecond))} new/s), ${formatCount(status.flowsEnded)} ended${detection ? `, ${formatCount(detection.stats().alertsNew)} alerts` : ''}`,
          );
        }
      },
    });
    await writeBatch();
    const devices = result.analysis.devices as DeviceInventory | undefined;
    if (store && devices) await recordInventory(store, devices);
    if (showStatus) process.stderr.write('\r\x1b[K');
    const { stats } = result;
    const drops = stats.droppedByKernel ?? 0;
    process.stderr.write(
      `flowlens: captured ${formatCount(result.summary.packets)} packets on ${flags.interface} (${stats.tool}: ${formatCount(stats.receivedByFilter ?? 0)} received, ${formatCount(drops)} dropped by the kernel${stats.droppedByInterface ? `, ${formatCount(stats.droppedByInterface)} by the interface` : ''}); ${formatCount(result.summary.flows)} flows${store ? `, ${formatCount(stored)} stored` : ''}${detection ? `; ${alertSummary(detection, store !== undefined)}` : ''}${result.savedFiles.length > 0 ? `; packets saved in ${result.savedFiles.length} file(s) under ${flags.save}` : ''}${result.ended === 'tool-exited' ? ` (${stats.tool} stopped on its own)` : ''}\n`,
    );
  } finally {
    clearInterval(writer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await writing.catch(() => {});
    await out?.end();
    await store?.stop();
    await enrichment?.stop();
  }
}
