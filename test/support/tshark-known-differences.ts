/**
 * Where `flowlens analyze` differs from tshark/capinfos on the corpus on purpose: each entry
 * names the file, the reasons, and the exact lines `compare` prints in test/oracle-tshark.test.ts
 * (`5-TUPLE: ours P/F/B, tshark P/F/B`, packets/frame bytes/IP bytes per direction-free
 * 5-tuple). Reviewed by hand; docs/differences-from-tshark.md explains each reason.
 */

export const REASON = {
  FRAGMENTS_OUT_OF_ORDER:
    'a non-first IP fragment whose first fragment never arrives (within 30 s) counts in a flow with ports 0; ' +
    'tshark reassembles what it can and gives such fragments no stream, or the stream of a later datagram',
  FRAGMENTS_INCOMPLETE:
    'fragments of a datagram that never completes count in the flow of their first fragment; ' +
    'tshark, which cannot reassemble them, gives them no stream',
  TCP_MALFORMED_OPTIONS:
    'a TCP segment whose options overrun the header counts in its flow; tshark stops at the malformed ' +
    'options before it assigns a tcp.stream',
  RECORD_LENGTH_IMPLAUSIBLE:
    'we read standard pcap: record 1 is a 188-byte Ethernet/IPv4/TCP frame and record 2 claims ' +
    '1409179648 captured bytes, so reading stops; Wireshark, failing on record 2, re-reads the file as a ' +
    'patched-pcap variant with 24-byte record headers: record 1 shifted by 8 bytes (no IP in it) and a ' +
    'garbage record 2 (1 byte captured, 1048576 on the wire)',
  TCP_VLAN_SPLIT:
    'one TCP connection seen on two VLANs is two flows (the flow key holds the VLAN id); tshark has one stream',
  TCP_AFTER_CLOSE:
    'a segment arriving after a closed connection’s grace period (a late RST or ACK) starts a new flow; ' +
    'tshark keeps it in the stream until a new SYN',
} as const;

export interface KnownDifference {
  reasons: string[];
  /** Both sides' packet and byte totals, when they differ. */
  summary?: { ours: { packets: number; bytes: number }; capinfos: { packets: number; bytes: number } };
  /** The differing lines, sorted. */
  lines: string[];
}

export const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
  'encap_teredo_mixed.pcap': {
    reasons: [REASON.TCP_AFTER_CLOSE],
    lines: [
      '6 192.168.2.16/1576 75.126.130.163/80: connections ours 2, tshark 1',
      '6 192.168.2.16/1577 75.126.203.78/80: connections ours 2, tshark 1',
      '6 192.168.2.16/1578 75.126.203.78/80: connections ours 2, tshark 1',
    ],
  },
  'fmt_pcapng_126if_shbcomment_ldap.pcapng': {
    reasons: [REASON.TCP_VLAN_SPLIT],
    lines: [
      '6 2a00:6020:ad0b:8380::10/389 2a00:6020:ad0b:8381:c8c2:18f1:4b9d:7524/49695: connections ours 2, tshark 1',
    ],
  },
  'atk_dns_amp_rrsig_fragmented.pcap': {
    reasons: [REASON.FRAGMENTS_OUT_OF_ORDER, REASON.FRAGMENTS_INCOMPLETE],
    lines: [
      '17 10.10.10.10/0 188.14.127.103/0: ours 1/1020/1006, tshark none',
      '17 10.10.10.10/0 190.230.21.206/0: ours 16/20774/20550, tshark none',
      '17 10.10.10.10/0 31.173.10.129/0: ours 3/3156/3114, tshark none',
      '17 10.10.10.10/0 31.173.67.22/0: ours 4/5036/4980, tshark none',
      '17 10.10.10.10/0 36.67.199.213/0: ours 6/8064/7980, tshark none',
      '17 10.10.10.10/0 36.89.97.41/0: ours 2/3028/3000, tshark none',
      '17 10.10.10.10/0 36.89.97.43/0: ours 1/1004/990, tshark none',
      '17 10.10.10.10/0 36.91.142.137/0: ours 1/1514/1500, tshark none',
      '17 10.10.10.10/0 36.92.120.241/0: ours 4/5036/4980, tshark none',
      '17 10.10.10.10/0 89.237.147.26/0: ours 8/10582/10470, tshark none',
      '17 10.10.10.10/22 188.14.127.103/53: ours 23/34638/34316, tshark none',
      '17 10.10.10.10/22 190.230.21.206/53: ours 83/112720/111558, tshark 72/96768/95760',
      '17 10.10.10.10/22 36.67.199.213/53: ours 6/9084/9000, tshark none',
      '17 10.10.10.10/22 36.89.97.41/53: ours 1/1514/1500, tshark none',
      '17 10.10.10.10/22 36.89.97.42/53: ours 2/3028/3000, tshark none',
      '17 10.10.10.10/22 36.89.97.43/53: ours 2/3028/3000, tshark none',
      '17 10.10.10.10/22 36.91.124.58/53: ours 10/14630/14490, tshark 3/4032/3990',
      '17 10.10.10.10/22 36.91.127.18/53: ours 6/9084/9000, tshark none',
      '17 10.10.10.10/22 36.91.140.93/53: ours 2/3028/3000, tshark none',
      '17 10.10.10.10/22 36.91.142.137/53: ours 6/9084/9000, tshark none',
      '17 10.10.10.10/22 36.91.151.137/53: ours 4/6056/6000, tshark none',
      '17 10.10.10.10/22 36.91.157.217/53: ours 10/15140/15000, tshark none',
      '17 10.10.10.10/22 36.92.120.241/53: ours 8/12112/12000, tshark none',
      '17 10.10.10.10/22 36.92.82.121/53: ours 36/53994/53490, tshark 3/4032/3990',
      '17 10.10.10.10/22 94.26.102.30/53: ours 28/42392/42000, tshark none',
    ],
  },
  'bad_corrupt_record_length.pcap': {
    reasons: [REASON.RECORD_LENGTH_IMPLAUSIBLE],
    summary: { ours: { packets: 1, bytes: 188 }, capinfos: { packets: 2, bytes: 1048764 } },
    lines: ['6 0.0.16.64/0 192.168.0.0/256: ours 1/188/174, tshark none'],
  },
  'bad_fuzzed_be_mixed.pcap': {
    reasons: [REASON.FRAGMENTS_OUT_OF_ORDER, REASON.FRAGMENTS_INCOMPLETE, REASON.TCP_MALFORMED_OPTIONS],
    lines: [
      '17 13.168.1.2/0 212.242.33.35/0: ours 1/47/33, tshark none',
      '17 133.168.1.2/0 192.168.1.1/0: ours 1/105/75, tshark none',
      '17 170.170.170.170/0 170.170.170.170/0: ours 1/86/72, tshark none',
      '17 192.168.1.1/0 192.168.1.2/0: ours 10/897/757, tshark none',
      '17 192.168.1.1/0 88.168.1.2/0: ours 1/86/72, tshark none',
      '17 192.168.1.1/53 192.168.1.2/2823: ours 4/344/288, tshark 3/258/216',
      '17 192.168.1.2/0 212.242.33.35/0: ours 2/875/847, tshark none',
      '6 147.234.1.253/0 192.168.1.2/0: ours 1/54/40, tshark none',
      '6 147.234.1.253/47645 192.168.1.2/58657: ours 1/54/40, tshark none',
    ],
  },
  'ip_v4_fragments.pcap': {
    reasons: [REASON.FRAGMENTS_INCOMPLETE],
    lines: ['6 131.243.1.10/21 210.54.213.247/1265: ours 5/7570/7500, tshark none'],
  },
  'ip_v6_fragmented_dns.pcap': {
    reasons: [REASON.FRAGMENTS_OUT_OF_ORDER],
    lines: ['17 2001:470:1f11:81f:d138:5f55:6d4:1fe2/0 2607:f740:b::f93/0: ours 1/404/390, tshark none'],
  },
};
