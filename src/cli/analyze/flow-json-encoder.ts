/**
 * A FlowRecord as one line of JSON: the document `JSON.stringify(record)` gives (same keys,
 * same order, same values), built with one template literal, which V8 runs about a third
 * faster than JSON.stringify on these records.
 *
 * Contract: every string field of a FlowRecord from the flow table is printable ASCII without
 * quotes or backslashes (IP text forms, base64, fixed words), so none needs escaping. The
 * optional fields that analyzers and enrichment add (text from the wire such as SNI or HTTP
 * host among them) go through JSON.stringify where they may need escaping, and are written in
 * `optionalJson`'s order: the order `declareAnalyzerFields` (model/flow.ts) gives every record
 * before the analyzers run, then enrichment's, which is JSON.stringify's order.
 */
import type {
  FlowRecord,
  FlowTunnel,
  TcpDirectionDiagnostics,
  TcpFlowDiagnostics,
  TcpHandshake,
} from '../../model/index.js';

function tunnelJson(t: FlowTunnel): string {
  const id = t.id === undefined ? '' : `,"id":${t.id}`;
  return `,"tunnel":{"type":"${t.type}","outerSrcIp":"${t.outerSrcIp}","outerDstIp":"${t.outerDstIp}"${id}}`;
}

/** A number as JSON.stringify writes it. */
function numberJson(n: number): string {
  return Number.isFinite(n) ? `${n}` : 'null';
}

/** A string as JSON.stringify writes it; text with nothing to escape skips the call. */
function textJson(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    // Control characters, quote, backslash, and surrogates (a lone one is escaped).
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(text);
  }
  return `"${text}"`;
}

/** `,"key":value` for each optional number that is set, in the order given. */
function directionJson(d: TcpDirectionDiagnostics): string {
  let json = `{"payloadBytes":${numberJson(d.payloadBytes)}`;
  if (d.throughput !== undefined) json += `,"throughput":${numberJson(d.throughput)}`;
  if (d.retransmissions !== undefined) {
    // The analyzer sets the counters below only on a direction with events, in this order.
    json += `,"retransmissions":${numberJson(d.retransmissions)}`;
  }
  if (d.rtoRetransmissions !== undefined) json += `,"rtoRetransmissions":${numberJson(d.rtoRetransmissions)}`;
  if (d.fastRetransmissions !== undefined)
    json += `,"fastRetransmissions":${numberJson(d.fastRetransmissions)}`;
  if (d.spuriousRetransmissions !== undefined)
    json += `,"spuriousRetransmissions":${numberJson(d.spuriousRetransmissions)}`;
  if (d.retransmittedBytes !== undefined) json += `,"retransmittedBytes":${numberJson(d.retransmittedBytes)}`;
  if (d.outOfOrder !== undefined) json += `,"outOfOrder":${numberJson(d.outOfOrder)}`;
  if (d.duplicateAcks !== undefined) json += `,"duplicateAcks":${numberJson(d.duplicateAcks)}`;
  if (d.lostSegments !== undefined) json += `,"lostSegments":${numberJson(d.lostSegments)}`;
  if (d.ackedUnseen !== undefined) json += `,"ackedUnseen":${numberJson(d.ackedUnseen)}`;
  if (d.keepAlives !== undefined) json += `,"keepAlives":${numberJson(d.keepAlives)}`;
  if (d.zeroWindows !== undefined) json += `,"zeroWindows":${numberJson(d.zeroWindows)}`;
  if (d.zeroWindowSeconds !== undefined) json += `,"zeroWindowSeconds":${numberJson(d.zeroWindowSeconds)}`;
  if (d.zeroWindowProbes !== undefined) json += `,"zeroWindowProbes":${numberJson(d.zeroWindowProbes)}`;
  if (d.lowWindows !== undefined) json += `,"lowWindows":${numberJson(d.lowWindows)}`;
  if (d.lowWindowSeconds !== undefined) json += `,"lowWindowSeconds":${numberJson(d.lowWindowSeconds)}`;
  if (d.windowFull !== undefined) json += `,"windowFull":${numberJson(d.windowFull)}`;
  if (d.resets !== undefined) json += `,"resets":${numberJson(d.resets)}`;
  return `${json}}`;
}

function handshakeJson(h: TcpHandshake): string {
  let json = `{"state":${textJson(h.state)},"synRetransmissions":${numberJson(h.synRetransmissions)}`;
  if (h.synToSynAck !== undefined) json += `,"synToSynAck":${numberJson(h.synToSynAck)}`;
  if (h.synAckToAck !== undefined) json += `,"synAckToAck":${numberJson(h.synAckToAck)}`;
  if (h.total !== undefined) json += `,"total":${numberJson(h.total)}`;
  return `${json}}`;
}

/**
 * The TCP analyzer's per-flow diagnostics in the key order it builds them (analyze/tcp's
 * onFlowEnd, direction and handshake), which is JSON.stringify's order for them.
 */
function tcpJson(t: TcpFlowDiagnostics): string {
  let json = `{"stream":${numberJson(t.stream)},"fwd":${directionJson(t.fwd)},"rev":${directionJson(t.rev)}`;
  if (t.handshake !== undefined) json += `,"handshake":${handshakeJson(t.handshake)}`;
  if (t.initialRtt !== undefined) json += `,"initialRtt":${numberJson(t.initialRtt)}`;
  if (t.rtt !== undefined) {
    const r = t.rtt;
    json += `,"rtt":{"samples":${numberJson(r.samples)},"min":${numberJson(r.min)},"mean":${numberJson(r.mean)},"max":${numberJson(r.max)}}`;
  }
  if (t.resetBy !== undefined) json += `,"resetBy":${textJson(t.resetBy)}`;
  return `${json}}`;
}

/**
 * The optional fields that analyzers and enrichment set after the flow table built the record,
 * in their key order: the analyzers' as `declareAnalyzerFields` declares them (application
 * metadata, TCP, DNS, jitter), then enrichment's (country, AS, threat tags).
 */
function optionalJson(r: FlowRecord): string {
  let json = '';
  if (r.application !== undefined) json += `,"application":${textJson(r.application)}`;
  if (r.app !== undefined) json += `,"app":${JSON.stringify(r.app)}`;
  if (r.sni !== undefined) json += `,"sni":${textJson(r.sni)}`;
  if (r.httpHost !== undefined) json += `,"httpHost":${textJson(r.httpHost)}`;
  if (r.tcp !== undefined) json += `,"tcp":${tcpJson(r.tcp)}`;
  if (r.dns !== undefined) json += `,"dns":${JSON.stringify(r.dns)}`;
  if (r.dnsName !== undefined) json += `,"dnsName":${textJson(r.dnsName)}`;
  if (r.jitter !== undefined) json += `,"jitter":${JSON.stringify(r.jitter)}`;
  if (r.srcCountry !== undefined) json += `,"srcCountry":${textJson(r.srcCountry)}`;
  if (r.dstCountry !== undefined) json += `,"dstCountry":${textJson(r.dstCountry)}`;
  if (r.srcAsn !== undefined) json += `,"srcAsn":${numberJson(r.srcAsn)}`;
  if (r.dstAsn !== undefined) json += `,"dstAsn":${numberJson(r.dstAsn)}`;
  if (r.srcAsName !== undefined) json += `,"srcAsName":${textJson(r.srcAsName)}`;
  if (r.dstAsName !== undefined) json += `,"dstAsName":${textJson(r.dstAsName)}`;
  if (r.threatTags !== undefined) json += `,"threatTags":${JSON.stringify(r.threatTags)}`;
  return json;
}

export function flowJson(r: FlowRecord): string {
  return `{"communityId":"${r.communityId}","protocol":${r.protocol},"ipVersion":${r.ipVersion},"srcIp":"${r.srcIp}","srcPort":${r.srcPort},"dstIp":"${r.dstIp}","dstPort":${r.dstPort},"vlan":${r.vlan},"firstTs":${r.firstTs},"lastTs":${r.lastTs},"packets":${r.packets},"bytes":${r.bytes},"frameBytes":${r.frameBytes},"fwdPackets":${r.fwdPackets},"fwdBytes":${r.fwdBytes},"revPackets":${r.revPackets},"revBytes":${r.revBytes},"tcpFlags":${r.tcpFlags},"fwdTcpFlags":${r.fwdTcpFlags},"revTcpFlags":${r.revTcpFlags},"state":"${r.state}","endReason":"${r.endReason}","fragments":${r.fragments}${r.tunnel === undefined ? '' : tunnelJson(r.tunnel)}${optionalJson(r)}}`;
}
