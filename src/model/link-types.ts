/** LINKTYPE_* values this project decodes (https://www.tcpdump.org/linktypes.html). */
export const LINKTYPE = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_OLD: 12,
  RAW_OLD_14: 14,
  RAW: 101,
  IEEE802_11: 105,
  LOOP: 108,
  LINUX_SLL: 113,
  IEEE802_11_RADIOTAP: 127,
  PPP_ETHER: 51,
  NFLOG: 239,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
} as const;

const NAMES: Record<number, string> = {
  0: 'null',
  1: 'ethernet',
  9: 'ppp',
  12: 'raw',
  14: 'raw',
  51: 'pppoe',
  101: 'raw',
  105: 'ieee802_11',
  108: 'loop',
  113: 'linux_sll',
  127: 'ieee802_11_radiotap',
  228: 'ipv4',
  229: 'ipv6',
  239: 'nflog',
  276: 'linux_sll2',
};

export function linkTypeName(linkType: number): string {
  return NAMES[linkType] ?? `linktype_${linkType}`;
}
