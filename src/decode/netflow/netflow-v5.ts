/**
 * NetFlow v5 export datagrams (Cisco "NetFlow Export Datagram Format", version 5): a 24-byte
 * header and `count` fixed 48-byte records, IPv4 only, sampling in the header.
 */

import { ERR } from '../../shared/index.js';
import {
  checkSequence,
  domainOf,
  type ExportContext,
  emitFlow,
  exportError,
  type FlowExportError,
  type RecordScratch,
  readUint,
  resetScratch,
} from '../flow-export/core/index.js';

const HEADER = 24;
const RECORD = 48;
/** Cisco caps a v5 datagram at 30 records; allow some slack for other exporters. */
const MAX_COUNT = 1024;

/** Decodes one v5 datagram (`d` is exactly the UDP payload). Never throws. */
export function decodeNetflowV5(
  d: Uint8Array,
  ctx: ExportContext,
  s: RecordScratch,
): FlowExportError | undefined {
  if (d.length < HEADER)
    return exportError(ERR.FLOW_EXPORT_TRUNCATED, 'NetFlow v5 header cut short', d.length);
  const count = (d[2] << 8) | d[3];
  if (count === 0 || count > MAX_COUNT) {
    return exportError(ERR.FLOW_EXPORT_BAD_LENGTH, `NetFlow v5 record count ${count} out of range`, 2);
  }
  if (HEADER + count * RECORD > d.length) {
    return exportError(
      ERR.FLOW_EXPORT_TRUNCATED,
      `NetFlow v5 datagram of ${d.length} bytes cannot hold ${count} records`,
      d.length,
    );
  }
  const sysUptime = readUint(d, 4, 4);
  const sequence = readUint(d, 16, 4);
  const engine = (d[20] << 8) | d[21];
  // Sampling: top 2 bits mode, low 14 bits interval (0 = unsampled).
  const interval = ((d[22] << 8) | d[23]) & 0x3fff;
  const domain = domainOf(ctx.state, 5, engine);
  ctx.domain = domain;
  ctx.sourceKind = 'netflow';
  ctx.exportTimeSec = readUint(d, 8, 4) + readUint(d, 12, 4) / 1e9;
  ctx.sysUptimeMs = sysUptime;
  ctx.headerSamplingRate = interval > 1 ? interval : 0;
  checkSequence(ctx.state, domain, sequence, (sequence + count) >>> 0);
  s.addrData = d;
  for (let i = 0, o = HEADER; i < count; i++, o += RECORD) {
    resetScratch(s);
    s.ipVersion = 4;
    s.srcAddrOffset = o;
    s.dstAddrOffset = o + 4;
    s.inputIf = (d[o + 12] << 8) | d[o + 13];
    s.outputIf = (d[o + 14] << 8) | d[o + 15];
    s.packets = readUint(d, o + 16, 4);
    s.bytes = readUint(d, o + 20, 4);
    s.firstUptimeMs = readUint(d, o + 24, 4);
    s.lastUptimeMs = readUint(d, o + 28, 4);
    s.srcPort = (d[o + 32] << 8) | d[o + 33];
    s.dstPort = (d[o + 34] << 8) | d[o + 35];
    s.tcpFlags = d[o + 37];
    s.protocol = d[o + 38];
    emitFlow(s, ctx);
  }
  return undefined;
}
