/**
 * Layer names of the protocol hierarchy and the small integer codes the analyzer counts them by,
 * plus the well-known-port table that names the application layer when nothing better is known.
 *
 * Contract: names follow tshark's `io,phs` where the two agree. Codes are interned once per
 * distinct name (a handful per run); the hot path only reads the fixed codes and port tables.
 */

export interface LayerNames {
  /** The code of `name`, interning it on first use. */
  code(name: string): number;
  name(code: number): string;
}

export function createLayerNames(): LayerNames {
  const names: string[] = [];
  const codes = new Map<string, number>();
  return {
    code(name) {
      let code = codes.get(name);
      if (code === undefined) {
        code = names.length;
        names.push(name);
        codes.set(name, code);
      }
      return code;
    },
    name: (code) => names[code] ?? `layer_${code}`,
  };
}

/** IP protocol numbers → tshark names (others are `ip.proto_N`-style `ip_proto_N`). */
export const IP_PROTOCOL_NAMES: Record<number, string> = {
  1: 'icmp',
  2: 'igmp',
  6: 'tcp',
  17: 'udp',
  47: 'gre',
  50: 'esp',
  51: 'ah',
  58: 'icmpv6',
  89: 'ospf',
  103: 'pim',
  112: 'vrrp',
  132: 'sctp',
};

/** Our non-IP labels (decode/) → tshark names, where they differ. */
export const NON_IP_NAMES: Record<string, string> = {
  pppoe_discovery: 'pppoed',
  rarp: 'arp',
  ppp_lcp: 'lcp',
  ppp_ipcp: 'ipcp',
  ppp_ipv6cp: 'ipv6cp',
  ppp_pap: 'pap',
  ppp_chap: 'chap',
  ppp_ccp: 'ccp',
  ieee802_11_mgmt: 'wlan.mgt',
};

/** Well-known TCP ports → application name (tshark's names). */
export const TCP_PORT_NAMES: Record<number, string> = {
  20: 'ftp-data',
  21: 'ftp',
  22: 'ssh',
  23: 'telnet',
  25: 'smtp',
  53: 'dns',
  80: 'http',
  110: 'pop',
  119: 'nntp',
  139: 'nbss',
  143: 'imap',
  179: 'bgp',
  389: 'ldap',
  443: 'tls',
  445: 'smb2',
  465: 'tls',
  514: 'rsh',
  587: 'smtp',
  636: 'tls',
  853: 'tls',
  993: 'tls',
  995: 'tls',
  1433: 'tds',
  1723: 'pptp',
  3306: 'mysql',
  3389: 'tpkt',
  5060: 'sip',
  5432: 'pgsql',
  6379: 'resp',
  8080: 'http',
  8443: 'tls',
};

/** Well-known UDP ports → application name (tshark's names). */
export const UDP_PORT_NAMES: Record<number, string> = {
  53: 'dns',
  67: 'dhcp',
  68: 'dhcp',
  69: 'tftp',
  123: 'ntp',
  137: 'nbns',
  138: 'nbdgm',
  161: 'snmp',
  162: 'snmp',
  443: 'quic',
  500: 'isakmp',
  514: 'syslog',
  546: 'dhcpv6',
  547: 'dhcpv6',
  1812: 'radius',
  1900: 'ssdp',
  3478: 'stun',
  4500: 'udpencap',
  5060: 'sip',
  5353: 'mdns',
  5355: 'llmnr',
  47808: 'bvlc',
};

/** A 65536-entry port → code table (0 = no name) for one transport. */
export function portTable(names: LayerNames, byPort: Record<number, string>): Uint16Array {
  const table = new Uint16Array(65536);
  for (const [port, name] of Object.entries(byPort)) table[Number(port)] = names.code(name);
  return table;
}
