/**
 * What enrichment knows about an address or a MAC: geography and AS from IP databases, the
 * special-purpose range an address falls in, and the vendor behind a MAC. Field names are a
 * public contract (`flowlens lookup --format json`); keep them stable.
 */

/**
 * Special-purpose ranges (IANA IPv4/IPv6 special-purpose registries, RFC 6890). An address in
 * one of them is labelled and never looked up in a geography or AS database.
 */
export type AddressRangeLabel =
  /** RFC 1918 IPv4, and IPv6 unique local fc00::/7 (RFC 4193). */
  | 'private'
  /** 100.64.0.0/10, carrier-grade NAT shared space (RFC 6598). */
  | 'cgnat'
  | 'loopback'
  | 'link-local'
  | 'multicast'
  /** 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20 (RFC 5737, 3849, 9637). */
  | 'documentation'
  /** 198.18.0.0/15 and 2001:2::/48 (RFC 2544, 5180). */
  | 'benchmarking'
  | 'broadcast'
  /** 0.0.0.0 and :: */
  | 'unspecified'
  /** Anything else not routable on the Internet: 0/8, 240/4, IETF protocol space, IPv6 outside 2000::/3. */
  | 'reserved';

export interface AddressRange {
  label: AddressRangeLabel;
  /** The registry block it matched, e.g. "10.0.0.0/8". */
  cidr: string;
  /** e.g. "RFC 1918 private network". */
  description: string;
}

export interface IpEnrichment {
  /** The address as given. */
  ip: string;
  /** Set for special-purpose addresses; then nothing else is. */
  range?: AddressRange;
  /** ISO 3166-1 alpha-2, upper case. */
  country?: string;
  /** City and first-level subdivision names (English), from city databases only. */
  city?: string;
  region?: string;
  latitude?: number;
  longitude?: number;
  asn?: number;
  asName?: string;
}

export interface MacEnrichment {
  /** Lower-case colon form, e.g. "00:0c:29:40:0e:ef". */
  mac: string;
  /** Organisation name from the IEEE registry (MA-L, MA-M, MA-S), first line only. */
  vendor?: string;
  /** The registry block that matched, e.g. "00:0c:29" (MA-L) or "70:b3:d5:1c:e" (MA-S). */
  prefix?: string;
  /** The I/G bit: a group (multicast or broadcast) address. */
  multicast: boolean;
  /** The U/L bit: locally administered, not from the IEEE registry. */
  locallyAdministered: boolean;
  /** Locally administered unicast: what phones and laptops use as private/random MACs. */
  randomized: boolean;
  /** Well-known group or special addresses: 'broadcast', 'ipv4-multicast', 'ipv6-multicast', 'null'. */
  label?: string;
}

/** The enrichment fields a flow record carries (FlowRecord extends it; so does the store's StoredFlow). */
export interface FlowEnrichment {
  /** ISO 3166-1 alpha-2, upper case. */
  srcCountry?: string;
  dstCountry?: string;
  srcAsn?: number;
  dstAsn?: number;
  srcAsName?: string;
  dstAsName?: string;
  /** Threat-intelligence tags of the flow's addresses and names: categories and feed names (enrich/threat). */
  threatTags?: string[];
}
