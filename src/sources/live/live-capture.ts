/**
 * Live capture from a network interface through a child `tcpdump` (or `dumpcap`) that writes a
 * pcap stream to its stdout, parsed by the same streaming parser as capture files. No native
 * build, and the capture privilege stays in that small process.
 *
 * Contract: `captureLive` validates the interface, starts the tool and resolves once the
 * capture has stopped: when `signal` aborts (the tool gets SIGINT, its last buffered packets
 * are parsed and its counters read), or when the tool exits on its own. Frames reach the sink
 * as `readCapture` hands them (one reused Frame). A capture that cannot start rejects with a
 * FlowlensError whose message says what to do: CAPTURE_TOOL_MISSING, CAPTURE_PERMISSION,
 * CAPTURE_INTERFACE (listing the interfaces there are), CAPTURE_FILTER or CAPTURE_FAILED.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ERR, FlowlensError } from '../../shared/errors.js';
import { createCaptureParser } from '../pcap-file/index.js';
import type { CaptureFileInfo, FrameSink } from '../source.js';

export type CaptureTool = 'tcpdump' | 'dumpcap';

export interface LiveCaptureOptions {
  interface: string;
  /** A BPF expression, passed to the tool as one argument. */
  filter?: string;
  /** Bytes kept per packet; default 262144. */
  snaplen?: number;
  /** Default: tcpdump when it is on PATH, else dumpcap. */
  tool?: CaptureTool;
  signal: AbortSignal;
  /** Called once the tool reports that it is capturing. */
  onStarted?(tool: CaptureTool): void;
}

/** The capture tool's own counters, read when it stops (absent when it printed none). */
export interface LiveCaptureStats {
  tool: CaptureTool;
  captured?: number;
  receivedByFilter?: number;
  droppedByKernel?: number;
  droppedByInterface?: number;
}

export interface LiveCaptureResult {
  info: CaptureFileInfo;
  stats: LiveCaptureStats;
  /** Why the capture ended: 'stopped' (signal) or the tool's own exit. */
  ended: 'stopped' | 'tool-exited';
}

const SYS_NET = '/sys/class/net';

/** Interfaces this machine has (Linux: /sys/class/net), plus 'any'; empty when unknown. */
export function listInterfaces(): string[] {
  if (!existsSync(SYS_NET)) return [];
  return ['any', ...readdirSync(SYS_NET).sort()];
}

export function findCaptureTool(preferred?: CaptureTool): { tool: CaptureTool; path: string } | undefined {
  const order: CaptureTool[] = preferred ? [preferred] : ['tcpdump', 'dumpcap'];
  const dirs = [...(process.env.PATH ?? '').split(path.delimiter), '/usr/sbin', '/usr/bin', '/sbin'];
  for (const tool of order) {
    for (const dir of dirs) {
      const candidate = path.join(dir, tool);
      if (dir && existsSync(candidate)) return { tool, path: candidate };
    }
  }
  return undefined;
}

/** Kernel capture buffer asked of the tool, in KiB (tcpdump -B; dumpcap -B takes MiB). */
const KERNEL_BUFFER_KIB = 32 * 1024;

function toolArguments(tool: CaptureTool, options: LiveCaptureOptions): string[] {
  const snaplen = String(options.snaplen ?? 262144);
  const filter = options.filter ? [options.filter] : [];
  if (tool === 'tcpdump') {
    // -B: a 32 MiB kernel ring (tcpdump's default is 2 MiB) absorbs bursts while the engine is
    // busy. No --immediate-mode: the kernel hands packets over in blocks (full, or after 1 s), one
    // wake-up per block; -U writes a block's packets as soon as they are read. See docs/live-capture.md.
    return [
      '-i',
      options.interface,
      '-s',
      snaplen,
      '-B',
      String(KERNEL_BUFFER_KIB),
      '-U',
      '-n',
      '-w',
      '-',
      ...filter,
    ];
  }
  // dumpcap writes pcapng by default; -P asks for classic pcap, -q keeps its stderr quiet.
  return [
    '-i',
    options.interface,
    '-s',
    snaplen,
    '-B',
    String(KERNEL_BUFFER_KIB / 1024),
    '-P',
    '-q',
    '-w',
    '-',
    ...(options.filter ? ['-f', options.filter] : []),
  ];
}

/** Turns what the tool printed when it failed to start into an error that says what to do. */
function startFailure(
  tool: CaptureTool,
  toolPath: string,
  options: LiveCaptureOptions,
  stderr: string,
): FlowlensError {
  const text = stderr.trim();
  const firstLine = text.split('\n').find((line) => line.trim() !== '') ?? `${tool} exited`;
  if (/permission|not permitted|Operation not permitted|privilege/i.test(text)) {
    return new FlowlensError(
      ERR.CAPTURE_PERMISSION,
      `cannot capture on ${options.interface}: permission denied. Run as root, or grant the capture capability once: sudo setcap cap_net_raw,cap_net_admin=eip ${toolPath}`,
      2,
    );
  }
  if (/No such device|doesn't exist|no such interface|There is no device/i.test(text)) {
    return unknownInterface(options.interface);
  }
  if (/filter|syntax error|parse/i.test(text)) {
    return new FlowlensError(
      ERR.CAPTURE_FILTER,
      `the capture filter "${options.filter ?? ''}" is not valid BPF (${firstLine.replace(/^\w+: /, '')}): see man pcap-filter`,
      2,
    );
  }
  return new FlowlensError(
    ERR.CAPTURE_FAILED,
    `${tool} could not capture on ${options.interface}: ${firstLine}`,
    2,
  );
}

function unknownInterface(name: string): FlowlensError {
  const known = listInterfaces();
  const list = known.length > 0 ? `; available: ${known.join(', ')}` : '';
  return new FlowlensError(ERR.CAPTURE_INTERFACE, `no interface named ${name}${list}`, 2);
}

/** Counters from tcpdump's or dumpcap's exit report on stderr. */
export function parseToolStats(tool: CaptureTool, stderr: string): LiveCaptureStats {
  const stats: LiveCaptureStats = { tool };
  const number = (pattern: RegExp) => {
    const match = pattern.exec(stderr);
    return match ? Number(match[1]) : undefined;
  };
  if (tool === 'tcpdump') {
    stats.captured = number(/(\d+) packets? captured/);
    stats.receivedByFilter = number(/(\d+) packets? received by filter/);
    stats.droppedByKernel = number(/(\d+) packets? dropped by kernel/);
    stats.droppedByInterface = number(/(\d+) packets? dropped by interface/);
  } else {
    stats.captured = number(/Packets captured: (\d+)/);
    // "Packets received/dropped on interface 'lo': 12/0 (pcap:0/dumpcap:0/flushed:0/ps_ifdrop:0)"
    const match = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(stderr);
    if (match) {
      stats.receivedByFilter = Number(match[1]);
      stats.droppedByKernel = Number(match[2]);
    }
  }
  return stats;
}

export async function captureLive(options: LiveCaptureOptions, sink: FrameSink): Promise<LiveCaptureResult> {
  options.signal.throwIfAborted();
  const known = listInterfaces();
  if (known.length > 0 && !known.includes(options.interface)) throw unknownInterface(options.interface);
  const found = findCaptureTool(options.tool);
  if (!found) {
    const wanted = options.tool ?? 'tcpdump';
    throw new FlowlensError(
      ERR.CAPTURE_TOOL_MISSING,
      `live capture needs ${wanted} (or dumpcap): install it, e.g. sudo apt-get install ${wanted === 'dumpcap' ? 'wireshark-common' : 'tcpdump'}`,
      2,
    );
  }
  const { tool } = found;
  const child: ChildProcess = spawn(found.path, toolArguments(tool, options), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    // Bounded: only the start-up lines and the exit report matter.
    stderr = (stderr + text).slice(-16_384);
    if (/listening on|Capturing on/.test(text)) options.onStarted?.(tool);
  });
  const exited = once(child, 'close') as Promise<[number | null, NodeJS.Signals | null]>;
  const spawnError = once(child, 'error').then(([error]) => error as Error);

  let stopping = false;
  const stop = () => {
    stopping = true;
    child.kill('SIGINT');
  };
  options.signal.addEventListener('abort', stop, { once: true });

  const parser = createCaptureParser(sink, `${tool}:${options.interface}`);
  let bytes = 0;
  try {
    const stdout = child.stdout;
    if (!stdout) throw new FlowlensError(ERR.CAPTURE_FAILED, `${tool} gave no output stream`, 2);
    const reading = (async () => {
      for await (const chunk of stdout as AsyncIterable<Buffer>) {
        parser.push(chunk);
        bytes += chunk.length;
        const wait = sink.backpressure?.();
        if (wait) {
          stdout.pause();
          await wait;
          stdout.resume();
        }
      }
    })();
    const first = await Promise.race([reading.then(() => 'done' as const), spawnError]);
    if (first instanceof Error) {
      throw new FlowlensError(ERR.CAPTURE_FAILED, `cannot start ${found.path}: ${first.message}`, 2);
    }
    const [code] = await exited;
    if (!stopping && bytes === 0 && code !== 0) throw startFailure(tool, found.path, options, stderr);
    return {
      info: bytes === 0 ? emptyInfo(options.interface) : parser.finish(),
      stats: parseToolStats(tool, stderr),
      ended: stopping ? 'stopped' : 'tool-exited',
    };
  } finally {
    options.signal.removeEventListener('abort', stop);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}

/** A capture stopped before the tool wrote its header: nothing was captured. */
function emptyInfo(name: string): CaptureFileInfo {
  return {
    file: name,
    format: 'pcap',
    compressed: false,
    sizeBytes: undefined,
    linkTypes: [],
    frames: 0,
    bytesParsed: 0,
    truncated: false,
  };
}
