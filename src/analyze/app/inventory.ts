/**
 * Capture-level inventory of the application analyzer: bounded counters of names (SNIs, HTTP
 * hosts, user agents, fingerprints), what each final flow adds to them, and the JSON shape
 * `finish()` returns.
 *
 * Contract: a counter holds at most `maxDistinct` names; occurrences of further new names are
 * counted in `dropped`, never stored.
 */
import type { AppMetadata } from '../../model/index.js';

export interface CountedName {
  value: string;
  flows: number;
}

export class CappedCounter {
  private readonly counts = new Map<string, number>();
  dropped = 0;

  constructor(private readonly maxDistinct: number) {}

  add(name: string): void {
    const count = this.counts.get(name);
    if (count !== undefined) this.counts.set(name, count + 1);
    else if (this.counts.size < this.maxDistinct) this.counts.set(name, 1);
    else this.dropped++;
  }

  /** The `n` most frequent names, ties by name. */
  top(n: number): CountedName[] {
    return [...this.counts]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
      .slice(0, n)
      .map(([value, flows]) => ({ value, flows }));
  }

  /** All names with their counts, most frequent first, as an object. */
  all(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const { value, flows } of this.top(this.counts.size)) out[value] = flows;
    return out;
  }
}

/** What `createAppAnalyzer().finish()` returns (documented in docs/app-metadata.md). */
export interface AppInventory {
  /** Final flow records seen (interim records are not counted again). */
  flows: number;
  identifiedBy: { payload: number; port: number; none: number };
  /** Flows per application, most frequent first. */
  applications: Record<string, number>;
  tlsVersions: Record<string, number>;
  quicVersions: Record<string, number>;
  topSni: CountedName[];
  topHttpHosts: CountedName[];
  topUserAgents: CountedName[];
  topJa4: CountedName[];
  topJa3: CountedName[];
  topSshBanners: CountedName[];
  topDhcpHostnames: CountedName[];
  /** Names not kept because a list reached `maxDistinctNames`, per list. */
  dropped: Record<string, number>;
  counters: AppCounters;
}

export interface AppCounters {
  tlsClientHellos: number;
  tlsServerHellos: number;
  /** TLS streams whose first handshake message could not be parsed. */
  tlsUnparsed: number;
  httpRequests: number;
  httpResponses: number;
  sshBanners: number;
  dhcpMessages: number;
  quicInitialsDecrypted: number;
  /** Client Initial packets that could not be decrypted (cut short, unknown version, bad tag). */
  quicInitialsFailed: number;
  quicClientHellos: number;
  /** TCP directions where a gap (lost or reordered segment) stopped reassembly. */
  tcpGaps: number;
  /** Directions that reached `maxBufferBytes` or `maxPacketsPerDirection` before a message completed. */
  limitReached: number;
}

export type IdentifiedBy = 'payload' | 'port' | 'none';

/** Accumulates final flows into the inventory. */
export function createInventory(maxDistinct: number, topN: number) {
  const counter = () => new CappedCounter(maxDistinct);
  const lists = {
    applications: counter(),
    tlsVersions: counter(),
    quicVersions: counter(),
    sni: counter(),
    httpHosts: counter(),
    userAgents: counter(),
    ja4: counter(),
    ja3: counter(),
    sshBanners: counter(),
    dhcpHostnames: counter(),
  };
  const identifiedBy = { payload: 0, port: 0, none: 0 };
  let flows = 0;

  return {
    /** One final flow record: its application ('' for none), how it was found, its metadata. */
    addFlow(app: string, by: IdentifiedBy, meta: AppMetadata | undefined): void {
      flows++;
      identifiedBy[by]++;
      if (app !== '') lists.applications.add(app);
      if (meta === undefined) return;
      const { tls, quic, http, ssh, dhcp } = meta;
      if (tls?.version !== undefined) lists.tlsVersions.add(tls.version);
      if (quic !== undefined) lists.quicVersions.add(quic.version);
      const sni = tls?.sni ?? quic?.sni;
      if (sni !== undefined) lists.sni.add(sni);
      if (http?.host !== undefined) lists.httpHosts.add(http.host);
      if (http?.userAgent !== undefined) lists.userAgents.add(http.userAgent);
      const fingerprint = tls?.ja4 ?? quic?.ja4;
      if (fingerprint !== undefined) lists.ja4.add(fingerprint);
      if (tls?.ja3 !== undefined) lists.ja3.add(tls.ja3);
      if (ssh?.clientBanner !== undefined) lists.sshBanners.add(ssh.clientBanner);
      if (ssh?.serverBanner !== undefined) lists.sshBanners.add(ssh.serverBanner);
      if (dhcp?.hostname !== undefined) lists.dhcpHostnames.add(dhcp.hostname);
    },

    result(counters: AppCounters): AppInventory {
      const dropped: Record<string, number> = {};
      for (const [name, list] of Object.entries(lists)) if (list.dropped > 0) dropped[name] = list.dropped;
      return {
        flows,
        identifiedBy,
        applications: lists.applications.all(),
        tlsVersions: lists.tlsVersions.all(),
        quicVersions: lists.quicVersions.all(),
        topSni: lists.sni.top(topN),
        topHttpHosts: lists.httpHosts.top(topN),
        topUserAgents: lists.userAgents.top(topN),
        topJa4: lists.ja4.top(topN),
        topJa3: lists.ja3.top(topN),
        topSshBanners: lists.sshBanners.top(topN),
        topDhcpHostnames: lists.dhcpHostnames.top(topN),
        dropped,
        counters,
      };
    },
  };
}
