/**
 * Zeek-style connection state (conn.log `conn_state`) from what a flow saw in each direction.
 * Pure function of the flags: the flow table keeps per-direction flag unions plus whether the
 * handshake's SYN and SYN-ACK were seen as such.
 */
import type { ConnState } from '../model/index.js';
import { TCP_FLAG } from '../model/index.js';

/**
 * `fwdFlags`/`revFlags`: union of TCP flags per direction; `sawSyn`: the originator sent a SYN
 * without ACK; `sawSynAck`: the responder sent a SYN with ACK.
 */
export function tcpConnState(
  fwdFlags: number,
  revFlags: number,
  sawSyn: boolean,
  sawSynAck: boolean,
): ConnState {
  const origRst = (fwdFlags & TCP_FLAG.RST) !== 0;
  const respRst = (revFlags & TCP_FLAG.RST) !== 0;
  const origFin = (fwdFlags & TCP_FLAG.FIN) !== 0;
  const respFin = (revFlags & TCP_FLAG.FIN) !== 0;
  if (sawSyn && sawSynAck) {
    if (origRst) return 'RSTO';
    if (respRst) return 'RSTR';
    if (origFin && respFin) return 'SF';
    if (origFin) return 'S2';
    if (respFin) return 'S3';
    return 'S1';
  }
  if (sawSyn) {
    if (respRst) return 'REJ';
    if (origRst) return 'RSTOS0';
    if (origFin) return 'SH';
    return 'S0';
  }
  if (sawSynAck) {
    if (respRst) return 'RSTRH';
    if (respFin) return 'SHR';
  }
  return 'OTH';
}

/** Non-TCP flows: S0 when only the originator sent, SF when both sides did (as Zeek does). */
export function datagramConnState(revPackets: number): ConnState {
  return revPackets > 0 ? 'SF' : 'S0';
}
