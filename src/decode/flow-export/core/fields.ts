/**
 * Information elements the decoders read, and where their values go. NetFlow v9 field types
 * 1–127 are the IPFIX information element ids (RFC 3954 §8, IANA "IPFIX Information Elements"),
 * so one table serves both. Everything else is skipped by length.
 */

/** Targets of template fields in the record scratch (see record.ts). */
export const SLOT = {
  SKIP: 0,
  BYTES: 1,
  PACKETS: 2,
  PROTOCOL: 3,
  TCP_FLAGS: 4,
  SRC_PORT: 5,
  DST_PORT: 6,
  SRC_V4: 7,
  DST_V4: 8,
  SRC_V6: 9,
  DST_V6: 10,
  INPUT_IF: 11,
  OUTPUT_IF: 12,
  FIRST_UPTIME: 13,
  LAST_UPTIME: 14,
  START_SEC: 15,
  END_SEC: 16,
  START_MS: 17,
  END_MS: 18,
  START_NTP: 19,
  END_NTP: 20,
  START_DELTA_US: 21,
  END_DELTA_US: 22,
  ICMP_TYPE_CODE: 23,
  VLAN: 24,
  SAMPLING_INTERVAL: 25,
  SAMPLER_ID: 26,
  SAMPLING_SIZE: 27,
  SAMPLING_POPULATION: 28,
  SAMPLING_PACKET_INTERVAL: 29,
  SAMPLING_PACKET_SPACE: 30,
  END_REASON: 31,
  SYSTEM_INIT_MS: 32,
  REV_BYTES: 33,
  REV_PACKETS: 34,
  REV_TCP_FLAGS: 35,
  TOTAL_BYTES: 36,
  TOTAL_PACKETS: 37,
  REV_TOTAL_BYTES: 38,
  REV_TOTAL_PACKETS: 39,
} as const;

/** RFC 5103 §6.1: reverse information elements are the forward ids under this enterprise number. */
export const REVERSE_PEN = 29305;

/** IANA element id → slot, for elements without an enterprise number. */
const FORWARD = new Uint8Array(512);
FORWARD[1] = SLOT.BYTES; // octetDeltaCount (v9 IN_BYTES)
FORWARD[2] = SLOT.PACKETS; // packetDeltaCount (v9 IN_PKTS)
FORWARD[4] = SLOT.PROTOCOL;
FORWARD[6] = SLOT.TCP_FLAGS;
FORWARD[7] = SLOT.SRC_PORT;
FORWARD[8] = SLOT.SRC_V4;
FORWARD[10] = SLOT.INPUT_IF;
FORWARD[11] = SLOT.DST_PORT;
FORWARD[12] = SLOT.DST_V4;
FORWARD[14] = SLOT.OUTPUT_IF;
FORWARD[21] = SLOT.LAST_UPTIME; // flowEndSysUpTime
FORWARD[22] = SLOT.FIRST_UPTIME; // flowStartSysUpTime
FORWARD[27] = SLOT.SRC_V6;
FORWARD[28] = SLOT.DST_V6;
FORWARD[32] = SLOT.ICMP_TYPE_CODE; // icmpTypeCodeIPv4
FORWARD[34] = SLOT.SAMPLING_INTERVAL; // samplingInterval (v9 SAMPLING_INTERVAL)
FORWARD[48] = SLOT.SAMPLER_ID; // samplerId (v9 FLOW_SAMPLER_ID)
FORWARD[50] = SLOT.SAMPLING_INTERVAL; // samplerRandomInterval (v9 FLOW_SAMPLER_RANDOM_INTERVAL)
FORWARD[58] = SLOT.VLAN; // vlanId
FORWARD[85] = SLOT.TOTAL_BYTES; // octetTotalCount
FORWARD[86] = SLOT.TOTAL_PACKETS; // packetTotalCount
FORWARD[136] = SLOT.END_REASON; // flowEndReason
FORWARD[139] = SLOT.ICMP_TYPE_CODE; // icmpTypeCodeIPv6
FORWARD[150] = SLOT.START_SEC;
FORWARD[151] = SLOT.END_SEC;
FORWARD[152] = SLOT.START_MS;
FORWARD[153] = SLOT.END_MS;
FORWARD[154] = SLOT.START_NTP; // flowStartMicroseconds, NTP format (RFC 7011 §6.1.9)
FORWARD[155] = SLOT.END_NTP;
FORWARD[156] = SLOT.START_NTP; // flowStartNanoseconds
FORWARD[157] = SLOT.END_NTP;
FORWARD[158] = SLOT.START_DELTA_US; // flowStartDeltaMicroseconds, before export time
FORWARD[159] = SLOT.END_DELTA_US;
FORWARD[160] = SLOT.SYSTEM_INIT_MS; // systemInitTimeMilliseconds
FORWARD[231] = SLOT.BYTES; // initiatorOctets
FORWARD[232] = SLOT.REV_BYTES; // responderOctets
FORWARD[243] = SLOT.VLAN; // dot1qVlanId
FORWARD[298] = SLOT.PACKETS; // initiatorPackets
FORWARD[299] = SLOT.REV_PACKETS; // responderPackets
FORWARD[302] = SLOT.SAMPLER_ID; // selectorId
FORWARD[305] = SLOT.SAMPLING_PACKET_INTERVAL;
FORWARD[306] = SLOT.SAMPLING_PACKET_SPACE;
FORWARD[309] = SLOT.SAMPLING_SIZE;
FORWARD[310] = SLOT.SAMPLING_POPULATION;

/** Field lengths each slot accepts; any other length makes the field skipped (SLOT.SKIP). */
function acceptsLength(slot: number, length: number): boolean {
  switch (slot) {
    case SLOT.SRC_V4:
    case SLOT.DST_V4:
      return length === 4;
    case SLOT.SRC_V6:
    case SLOT.DST_V6:
      return length === 16;
    case SLOT.START_NTP:
    case SLOT.END_NTP:
      return length === 8;
    default:
      // Unsigned integers, possibly in reduced-size encoding (RFC 7011 §6.2).
      return length >= 1 && length <= 8;
  }
}

/** Slot for element `id` of enterprise `pen` (0: IANA) with this field length. */
export function slotOf(id: number, pen: number, length: number): number {
  let slot = 0;
  if (pen === 0) slot = id < FORWARD.length ? FORWARD[id] : SLOT.SKIP;
  else if (pen === REVERSE_PEN) {
    if (id === 1) slot = SLOT.REV_BYTES;
    else if (id === 2) slot = SLOT.REV_PACKETS;
    else if (id === 6) slot = SLOT.REV_TCP_FLAGS;
    else if (id === 85) slot = SLOT.REV_TOTAL_BYTES;
    else if (id === 86) slot = SLOT.REV_TOTAL_PACKETS;
  }
  return slot !== SLOT.SKIP && acceptsLength(slot, length) ? slot : SLOT.SKIP;
}
