/**
 * Test-only: the structural promises of `decodeFrame`, checked after every decoded frame in the
 * corpus and property tests. Throws an Error naming the broken promise.
 */
import type { Frame } from '../../model/frame.js';
import { type DecodedPacket, PACKET_KIND, TUNNEL } from '../../model/packet.js';

function fail(frame: Frame, message: string): never {
  throw new Error(`frame ${frame.index} (link type ${frame.linkType}): ${message}`);
}

function within(frame: Frame, offset: number, length: number): boolean {
  return (
    Number.isInteger(offset) &&
    Number.isInteger(length) &&
    offset >= 0 &&
    length >= 0 &&
    offset + length <= frame.data.length
  );
}

export function checkInvariants(frame: Frame, p: DecodedPacket): void {
  if (p.data !== frame.data) fail(frame, 'data is not the frame buffer');
  if (p.kind !== PACKET_KIND.IP && p.kind !== PACKET_KIND.NON_IP && p.kind !== PACKET_KIND.UNDECODABLE) {
    fail(frame, `kind ${p.kind}`);
  }
  if (p.kind === PACKET_KIND.NON_IP && p.nonIpProtocol === '') fail(frame, 'NON_IP without a label');
  if (p.kind !== PACKET_KIND.NON_IP && p.nonIpProtocol !== '') fail(frame, 'label on a non-NON_IP packet');
  if (p.kind === PACKET_KIND.UNDECODABLE && !p.errorCode.startsWith('FLOWLENS_ERR_')) {
    fail(frame, 'UNDECODABLE without an error code');
  }
  if (p.errorCode !== '' && !(p.errorOffset >= 0 && p.errorOffset <= frame.capturedLength)) {
    fail(frame, `error offset ${p.errorOffset} outside the frame`);
  }
  if (p.kind === PACKET_KIND.IP) {
    const size = p.ipVersion === 4 ? 4 : p.ipVersion === 6 ? 16 : -1;
    if (size < 0) fail(frame, `ip version ${p.ipVersion}`);
    if (!within(frame, p.srcAddrOffset, size) || !within(frame, p.dstAddrOffset, size))
      fail(frame, 'address offsets');
    if (!(p.protocol >= 0 && p.protocol <= 255)) fail(frame, `protocol ${p.protocol}`);
    if (!(p.ipBytes >= 0)) fail(frame, `ip bytes ${p.ipBytes}`);
  } else if (p.ipVersion !== 0 || p.hasPorts || p.tunnel !== TUNNEL.NONE) {
    fail(frame, 'IP fields set on a non-IP packet');
  }
  if (!within(frame, p.payloadOffset, p.payloadLength)) fail(frame, 'payload outside the buffer');
  if (
    p.payloadLength > 0 &&
    (p.payloadOffset < frame.offset ||
      p.payloadOffset + p.payloadLength > frame.offset + frame.capturedLength)
  ) {
    fail(frame, 'payload outside the frame');
  }
  if (!p.hasPorts && (p.srcPort !== 0 || p.dstPort !== 0)) fail(frame, 'ports without hasPorts');
  if (p.tunnel !== TUNNEL.NONE) {
    const size = p.outerIpVersion === 4 ? 4 : 16;
    if (!within(frame, p.outerSrcAddrOffset, size) || !within(frame, p.outerDstAddrOffset, size)) {
      fail(frame, 'outer address offsets');
    }
  }
}
