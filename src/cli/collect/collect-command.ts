/**
 * `flowlens collect`: NetFlow v5/v9, IPFIX and sFlow v5 over UDP into the flow store, or
 * `--from-pcap FILE` for exports captured in a pcap. Ctrl-C or SIGTERM stops cleanly: sockets
 * close, waiting records are decoded or counted, every batch is written.
 *
 * Exit codes: 0 stopped cleanly; 2 bad usage, a port that cannot be bound, or a file that is
 * not a capture; 1 unexpected failure.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import type { ExportedFlowRecord, ExporterCounters, InterfaceCounterRecord } from '../../model/index.js';
import {
  type CollectorStats,
  type ContinuousDetection,
  type DatagramDetection,
  decodeExportCapture,
  runCollector,
} from '../../pipeline/index.js';
import { ERR, FlowlensError } from '../../shared/index.js';
import type { FlowStore, StoredFlow } from '../../store/index.js';
import { alertSummary, createCliDetection, createCliDetectionThread } from '../capture/live-detection.js';
import {
  addEnrichOptions,
  type EnrichFlags,
  type EnrichmentRun,
  startEnrichment,
} from '../enrich-options.js';
import { formatCount, renderTable } from '../format.js';
import { capHeapGrowth } from '../heap-growth.js';
import { dataDirectory } from '../ingest/ingest-command.js';
import { wholeNumber } from '../option-values.js';
import { createOutputStream, type OutputStream } from '../output-stream.js';

interface CollectFlags extends EnrichFlags {
  netflow: number | false;
  ipfix: number | false;
  sflow: number | false;
  bind: string;
  data?: string;
  store: boolean;
  ndjson?: boolean;
  stats?: boolean;
  format: 'table' | 'json' | 'ndjson';
  fromPcap?: string;
  detect: boolean;
}

const EXAMPLES = `
Examples:
  $ flowlens collect                                  NetFlow 2055, IPFIX 4739, sFlow 6343 on 127.0.0.1
  $ flowlens collect --bind 0.0.0.0 --stats           from the network, counters every 10 s
  $ flowlens collect --bind :: --sflow 0 --netflow 9995   every address, no sFlow listener
  $ flowlens collect --stats --format json            counters as JSON lines (stderr) and at exit (stdout)
  $ flowlens collect --from-pcap exports.pcap         exports captured in a pcap, into the store
  $ flowlens collect --from-pcap exports.pcap --format ndjson   print the records instead

A kernel receive buffer smaller than asked (32 MiB) drops bursts; raise the limit with
  $ sudo sysctl -w net.core.rmem_max=33554432
`;

export function registerCollectCommand(program: Command): void {
  const command = program
    .command('collect')
    .description('collect NetFlow v5/v9, IPFIX and sFlow v5 exports over UDP into the flow store')
    .option('--netflow <port>', 'NetFlow v5/v9 UDP port (0: no NetFlow listener)', wholeNumber, 2055)
    .option('--no-netflow', 'no NetFlow listener (same as --netflow 0)')
    .option('--ipfix <port>', 'IPFIX UDP port (0: none)', wholeNumber, 4739)
    .option('--no-ipfix', 'no IPFIX listener')
    .option('--sflow <port>', 'sFlow UDP port (0: none)', wholeNumber, 6343)
    .option('--no-sflow', 'no sFlow listener')
    .option('--bind <address>', 'address to listen on (:: for every IPv6 and IPv4 address)', '127.0.0.1')
    .option('--data <dir>', 'store directory (default: $FLOWLENS_DATA, else ./data)')
    .option('--no-store', 'do not write flows to the store')
    .option('--ndjson', 'also write each flow record as one JSON line on stdout (and store it)')
    .option('--stats', 'print per-exporter counters on stderr every 10 s and at the end')
    .addOption(
      new Option(
        '-f, --format <format>',
        'table: counters as text; json: counters as JSON; ndjson: print each flow record as a JSON line instead of storing it',
      )
        .choices(['table', 'json', 'ndjson'])
        .default('table'),
    )
    .option('--from-pcap <file>', 'decode flow exports captured in a pcap/pcapng file instead of listening')
    .option('--no-detect', 'skip the detections (scans, brute force, floods, …) on the records');
  addEnrichOptions(command) // enrichment (issue 9): ../enrich-options.ts
    .addHelpText('after', EXAMPLES)
    .action(async (flags: CollectFlags) => {
      await runCollect(flags);
    });
}

/** The ports to listen on: 0 or --no-X turns a listener off; at least one must stay on. */
function listenerPorts(flags: CollectFlags): Partial<Record<'netflow' | 'ipfix' | 'sflow', number>> {
  const port = (value: number | false) => (value === false || value === 0 ? undefined : value);
  const ports = { netflow: port(flags.netflow), ipfix: port(flags.ipfix), sflow: port(flags.sflow) };
  if (Object.values(ports).every((p) => p === undefined)) {
    throw new FlowlensError(ERR.USAGE, 'every listener is off: give --netflow, --ipfix or --sflow a port', 2);
  }
  return ports;
}

async function runCollect(flags: CollectFlags): Promise<void> {
  capHeapGrowth();
  if (!flags.fromPcap) listenerPorts(flags);
  if (flags.format === 'ndjson') {
    flags.ndjson = true;
    flags.store = false;
  }
  const out = flags.ndjson || flags.format === 'json' ? createOutputStream() : undefined;
  let store: FlowStore | undefined;
  const enrichment: EnrichmentRun | undefined = await startEnrichment(flags); // enrichment (issue 9)
  if (flags.store) {
    // Loaded on use: see cli/query/open-store.ts.
    const { createDuckDbStore } = await import('../../store/index.js');
    store = createDuckDbStore({ dataDir: dataDirectory(flags.data) });
    await store.start();
  }
  const writeFlows = async (batch: ExportedFlowRecord[]) => {
    if (enrichment) for (const record of batch) enrichment.enrichment.enrich(record); // enrichment (issue 9)
    if (flags.ndjson && out) for (const record of batch) out.write(`${JSON.stringify(record)}\n`);
    await store?.writeFlows(batch as StoredFlow[]);
    out?.flush();
  };
  // --from-pcap judges the records as it decodes them; the listeners feed a detection thread,
  // which reads the same feeds and lists itself (cached copies).
  const detect = flags.detect;
  const threat = enrichment
    ? {
        dataDir: flags.feeds === false ? undefined : dataDirectory(flags.data),
        feedsFile: flags.threatFeeds ?? (process.env.FLOWLENS_THREAT_FEEDS || undefined),
      }
    : undefined;
  try {
    const writeCounters = store
      ? (batch: InterfaceCounterRecord[]) => store.writeInterfaceCounters(batch)
      : undefined;
    if (flags.fromPcap) {
      const detection = detect ? createCliDetection(store, enrichment?.enrichment.lookups) : undefined;
      await fromPcap(flags.fromPcap, writeFlows, writeCounters, flags, out, detection);
    } else
      await listen(
        flags,
        writeFlows,
        writeCounters,
        out,
        detect ? createCliDetectionThread(store, threat) : undefined,
      );
  } finally {
    await out?.end();
    await store?.stop();
    await enrichment?.stop();
  }
}

async function fromPcap(
  file: string,
  writeFlows: (batch: ExportedFlowRecord[]) => Promise<void>,
  writeCounters: ((batch: InterfaceCounterRecord[]) => Promise<void>) | undefined,
  flags: CollectFlags,
  out: OutputStream | undefined,
  detection: ContinuousDetection | undefined,
): Promise<void> {
  const records: ExportedFlowRecord[] = [];
  const counters: InterfaceCounterRecord[] = [];
  const result = await decodeExportCapture({
    file,
    sink: {
      onFlow: (r) => {
        detection?.onFlow(r);
        records.push(r);
      },
      onCounters: (c) => counters.push(c),
    },
  });
  for (let i = 0; i < records.length; i += 10_000) await writeFlows(records.slice(i, i + 10_000));
  if (writeCounters && counters.length > 0) await writeCounters(counters);
  await detection?.finish();
  report(
    {
      listeners: [],
      datagrams: { netflow: 0, ipfix: 0, sflow: 0 },
      exporters: result.counters,
      flowsWritten: records.length,
      flowsDropped: 0,
      writeErrors: 0,
      datagramsDropped: 0,
      counterRecordsDropped: 0,
      queuedBatches: 0,
      ...(detection ? { detection: detection.stats() } : {}),
    },
    flags,
    out,
    `${formatCount(result.datagrams)} export datagrams in ${file}`,
    detection,
  );
}

async function listen(
  flags: CollectFlags,
  writeFlows: (batch: ExportedFlowRecord[]) => Promise<void>,
  writeCounters: ((batch: InterfaceCounterRecord[]) => Promise<void>) | undefined,
  out: OutputStream | undefined,
  detection: DatagramDetection | undefined,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const ports = listenerPorts(flags);
  try {
    const stats = await runCollector({
      listeners: {
        ports,
        bind: flags.bind,
      },
      writeFlows,
      writeCounters,
      detection,
      signal: controller.signal,
      onStarted(bound) {
        for (const l of bound) {
          const granted =
            l.receiveBufferBytes < 32 * 1024 * 1024
              ? ` (the kernel granted a ${formatCount(l.receiveBufferBytes)}-byte receive buffer, not 32 MiB: bursts may be dropped; raise the limit with sudo sysctl -w net.core.rmem_max=33554432)`
              : '';
          process.stderr.write(
            `flowlens: listening for ${l.kind} on ${l.address} port ${l.port}${granted}\n`,
          );
        }
      },
      onDecodeError(exporter, error, suppressed) {
        const more = suppressed > 0 ? ` (${formatCount(suppressed)} more since the last report)` : '';
        process.stderr.write(`flowlens: warning: ${exporter}: ${error.message} [${error.code}]${more}\n`);
      },
      onStats: flags.stats
        ? (s) => process.stderr.write(flags.format === 'json' ? `${JSON.stringify(s)}\n` : statsTable(s))
        : undefined,
    });
    report(
      stats,
      flags,
      out,
      `${formatCount(Object.values(stats.datagrams).reduce((a, b) => a + b, 0))} export datagrams received`,
      detection,
    );
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function report(
  stats: CollectorStats,
  flags: CollectFlags,
  out: OutputStream | undefined,
  headline: string,
  detection?: ContinuousDetection | DatagramDetection,
): void {
  if (flags.format === 'json' && out) {
    out.write(`${JSON.stringify(stats)}\n`);
    return;
  }
  const records = stats.exporters.reduce((n, e) => n + e.records, 0);
  const alerts = detection ? `; ${alertSummary(detection, flags.store)}` : '';
  process.stderr.write(
    `flowlens: ${headline}, ${formatCount(records)} flow records; ${formatCount(stats.flowsWritten)} ${flags.store ? 'written to the store' : flags.ndjson ? 'printed' : 'handled (--no-store)'}, ${formatCount(stats.flowsDropped)} dropped${stats.datagramsDropped > 0 ? `; ${formatCount(stats.datagramsDropped)} datagrams dropped (decoding fell behind)` : ''}${alerts}\n`,
  );
  if (flags.stats) process.stderr.write(statsTable(stats));
}

function statsTable(stats: CollectorStats): string {
  const columns: (keyof ExporterCounters)[] = [
    'packets',
    'records',
    'decodeErrors',
    'templateMisses',
    'sequenceGaps',
    'pendingRecords',
    'expiredPending',
  ];
  const rows = stats.exporters.map((e) => [e.exporter, ...columns.map((c) => formatCount(Number(e[c])))]);
  const table = renderTable(
    ['exporter', 'packets', 'records', 'errors', 'template misses', 'seq gaps', 'pending', 'expired'],
    rows,
    new Set([1, 2, 3, 4, 5, 6, 7]),
  );
  return `${rows.length > 0 ? table : 'no exporter yet'}\n`;
}
