/**
 * Everything Flowlens knows about an IP address, a MAC address or a domain name: the enrichment
 * databases (country, city, AS, special-range label, MAC vendor), the threat feeds when there
 * are any, and, with a flow store, what the stored flows say (flows, names an address served
 * under, the servers and clients of a domain, threat tags on those flows, the device of a MAC).
 * One answer for `flowlens lookup --format json` and `GET /api/v1/lookup/:value`.
 *
 * `createLookup` is created inert; the enricher's databases are read on the first lookup that
 * needs them (once, however many lookups ask at the same time) and kept until `stop()`.
 */
import type { Enricher, ReverseDns, ThreatMatcher } from '../enrich/index.js';
import { normalizeMac, OUI_ATTRIBUTION } from '../enrich/index.js';
import type { IpEnrichment, MacEnrichment } from '../model/index.js';
import { parseIpAddress } from '../model/index.js';
import { ERR, FlowlensError } from '../shared/index.js';
import type { FlowStore, StoredDevice } from '../store/index.js';
import { domainSightings, ipSightings, type Sightings } from '../store/query/index.js';

export type LookupKind = 'ip' | 'mac' | 'domain';

/**
 * `threatTags`: present when threat feeds were given (empty: no feed lists the value).
 * `seen`: present when a store was given (zero flows: the store never saw the value).
 * `device`: the store's device of that MAC, when it has one. `devices`: for a local address (one
 * in a special range), the store's devices that used it (several: DHCP reuse, spoofing). Public
 * addresses get none, since every outside address sits behind the gateway's MAC.
 */
export type LookupResult =
  | ({
      kind: 'ip';
      reverseName?: string | null;
      threatTags?: string[];
      seen?: Sightings;
      devices?: StoredDevice[];
    } & IpEnrichment)
  | ({ kind: 'mac'; device?: StoredDevice } & MacEnrichment)
  | { kind: 'domain'; domain: string; threatTags?: string[]; seen?: Sightings; note?: string };

export interface LookupAnswer {
  results: LookupResult[];
  /** Lines the data's licences require, for the databases the results came from. */
  attribution: string[];
}

export interface LookupSources {
  /** Created by the caller and stopped by `stop()`; started on first use. */
  enricher: Enricher;
  /** The current matcher of the threat feeds (read on each lookup, so reloads apply). */
  threat?: () => ThreatMatcher | undefined;
  /** A started store: what its flows and devices say. The caller starts and stops it. */
  store?: FlowStore;
  /** PTR names of addresses (the caller creates and closes it); none: no `reverseName`. */
  reverseDns?: ReverseDns;
  /** How long an address lookup waits for its PTR answer, milliseconds. Default 1500. */
  reverseDnsWaitMs?: number;
}

export interface Lookup {
  /** Throws FlowlensError (usage, exit 2) naming the first value that is none of the three kinds. */
  lookup(values: readonly string[], options?: { signal?: AbortSignal }): Promise<LookupAnswer>;
  stop(): Promise<void>;
}

export const NAMES_NEED_STORE =
  'names seen in traffic come from the flow store: give --data DIR (a directory flowlens ingest wrote)';

/** Devices read to find the ones that used a local address. */
const DEVICE_SCAN = 10_000;

const DOMAIN =
  /^(?=.{1,253}\.?$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?)*\.?$/i;

/** What a value is, or undefined when it is none of an IP address, a MAC address or a domain name. */
export function lookupKind(value: string): LookupKind | undefined {
  const zone = value.indexOf('%');
  if (parseIpAddress(zone < 0 ? value : value.slice(0, zone))) return 'ip';
  if (normalizeMac(value)) return 'mac';
  if (DOMAIN.test(value) && /[a-z]/i.test(value)) return 'domain';
  return undefined;
}

export function notLookupValue(value: string): string {
  return `not an IP address, MAC address or domain name: ${value}`;
}

function usedBy(device: StoredDevice, address: string): boolean {
  const wanted = address.toLowerCase();
  return device.addresses.some((a) => a.ip.toLowerCase() === wanted);
}

export function createLookup(sources: LookupSources): Lookup {
  const { enricher, store } = sources;
  let started: Promise<void> | undefined;
  const ready = () => {
    started ??= enricher.start().catch((error: unknown) => {
      started = undefined;
      throw error;
    });
    return started;
  };

  async function one(value: string, kind: LookupKind, signal?: AbortSignal): Promise<LookupResult> {
    const threat = sources.threat?.();
    const tags = (found: readonly string[] | undefined) => (found ? { threatTags: [...found] } : {});
    switch (kind) {
      case 'ip': {
        const zone = value.indexOf('%');
        const address = zone < 0 ? value : value.slice(0, zone);
        const known = enricher.lookupIp(value);
        // Asked first, so the PTR query runs while the store is read.
        const ptr = sources.reverseDns?.resolve(address, sources.reverseDnsWaitMs ?? 1500);
        const seen = store ? { seen: await ipSightings(store, address, { signal }) } : {};
        const devices =
          store && known.range
            ? (await store.listDevices(DEVICE_SCAN)).filter((d) => usedBy(d, address))
            : [];
        const reverseName = await ptr;
        return {
          kind: 'ip',
          ...known,
          ...(reverseName !== undefined ? { reverseName } : {}),
          ...tags(threat?.matchIp(value)),
          ...seen,
          ...(devices.length > 0 ? { devices } : {}),
        };
      }
      case 'mac': {
        const mac = enricher.lookupMac(value) as MacEnrichment;
        const device = store ? await store.getDevice(mac.mac) : undefined;
        return { kind: 'mac', ...mac, ...(device ? { device } : {}) };
      }
      default: {
        const domain = value.toLowerCase();
        const seen = store ? { seen: await domainSightings(store, domain, { signal }) } : {};
        return {
          kind: 'domain',
          domain,
          ...tags(threat?.matchDomain(value)),
          ...seen,
          ...(store ? {} : { note: NAMES_NEED_STORE }),
        };
      }
    }
  }

  return {
    async lookup(values, options = {}) {
      const kinds = values.map((value) => {
        const kind = lookupKind(value);
        if (kind === undefined) throw new FlowlensError(ERR.USAGE, notLookupValue(value), 2);
        return kind;
      });
      if (kinds.includes('ip')) await ready();
      const results: LookupResult[] = [];
      for (let i = 0; i < values.length; i++) {
        results.push(await one(values[i], kinds[i], options.signal));
      }
      // By the kinds looked up, so the answer does not depend on what earlier lookups loaded.
      const attribution = kinds.includes('ip')
        ? enricher.attribution()
        : kinds.includes('mac')
          ? [OUI_ATTRIBUTION]
          : [];
      return { results, attribution };
    },
    async stop() {
      await started?.catch(() => {});
      started = undefined;
      await enricher.stop();
    },
  };
}
