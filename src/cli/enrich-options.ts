/**
 * The enrichment options shared by `analyze`, `ingest` and `collect`, and the enrichment they
 * start: country and AS (bundled data or the user's .mmdb files), passive names, threat feeds.
 *
 *   --no-enrich            no enrichment at all
 *   --geoip-db FILE        country/city .mmdb ($FLOWLENS_GEOIP_DB)
 *   --asn-db FILE          ASN .mmdb ($FLOWLENS_ASN_DB)
 *   --threat-feeds FILE    threat feeds config, JSON ($FLOWLENS_THREAT_FEEDS; docs/enrichment.md)
 *   --no-feeds             leave out the feeds, watchlist and allowlist of the data directory
 *                          (`flowlens feeds`; used by default, from their cached copies: no network)
 *   --data DIR             analyze only (ingest and collect have theirs): whose feeds and lists
 *   --no-names             do not learn names from DNS answers, SNI and HTTP Host
 *   --reverse-dns [LIST]   analyze and serve: PTR names of public server addresses (off by
 *                          default, for privacy); LIST: resolvers, comma-separated (default:
 *                          the system's). serve's lookups (/api/v1/lookup, the host page) show them.
 */
import type { Command } from 'commander';
import {
  createEnricher,
  createPassiveNames,
  createReverseDns,
  createThreatIntel,
  type Enricher,
  loadThreatFeedsConfig,
  type ReverseDns,
  type ThreatIntel,
} from '../enrich/index.js';
import { createFlowEnrichment, type EnrichmentSummary, type FlowEnrichment } from '../pipeline/index.js';
import { ERR, FlowlensError } from '../shared/index.js';

/** How long the end of a run waits for reverse DNS answers still in flight. */
const REVERSE_DNS_DRAIN_MS = 3000;

export interface EnrichFlags {
  enrich: boolean;
  geoipDb?: string;
  asnDb?: string;
  threatFeeds?: string;
  /** False with --no-feeds. */
  feeds?: boolean;
  /** The data directory whose configured feeds and lists are used. */
  data?: string;
  names: boolean;
  reverseDns?: boolean | string;
}

/**
 * `reverseDns`: offer --reverse-dns (analyze, and serve, whose lookups answer with the names;
 * ingest and collect store no names, so they do not offer it).
 * `dataOption`: offer --data (for commands without a store of their own).
 */
export function addEnrichOptions(
  command: Command,
  offer: { reverseDns?: boolean; dataOption?: boolean; names?: boolean } = {},
): Command {
  if (offer.dataOption) {
    command.option(
      '--data <dir>',
      'data directory whose threat feeds and lists to use (default: $FLOWLENS_DATA, else ./data)',
    );
  }
  if (offer.reverseDns) {
    command.option(
      '--reverse-dns [servers]',
      'look up PTR names of public server addresses (off by default); servers: comma-separated resolvers',
    );
  }
  command
    .option('--no-enrich', 'no enrichment (country, AS, names, threat tags)')
    .option('--geoip-db <file>', 'country or city .mmdb (default: $FLOWLENS_GEOIP_DB, else the bundled data)')
    .option('--asn-db <file>', 'ASN .mmdb (default: $FLOWLENS_ASN_DB, else the bundled data)')
    .option('--threat-feeds <file>', 'threat feeds config, JSON (default: $FLOWLENS_THREAT_FEEDS, else none)')
    .option(
      '--no-feeds',
      'leave out the feeds, watchlist and allowlist of the data directory (flowlens feeds)',
    );
  if (offer.names !== false)
    command.option('--no-names', 'do not learn host names from DNS answers, TLS SNI and HTTP Host');
  return command;
}

export interface EnrichmentRun {
  enrichment: FlowEnrichment;
  enricher: Enricher;
  /** All threat matching: --threat-feeds and the data directory's feeds and lists. */
  intel: ThreatIntel;
  reverseDns?: ReverseDns;
  /** Waits (at most a few seconds) for reverse DNS answers, then summarises the run. */
  finish(): Promise<EnrichmentSummary>;
  stop(): Promise<void>;
}

export interface StartEnrichmentOptions {
  summarize?: boolean;
  /**
   * A running ThreatIntel to match with (serve's, which refreshes in the background) instead of
   * one loaded from the flags; its matcher is read on every flow, even while it is empty.
   */
  intel?: ThreatIntel;
}

/** The resolver `--reverse-dns [servers]` asks for (servers comma-separated), or none without it. */
export function reverseDnsFor(flag: boolean | string | undefined): ReverseDns | undefined {
  if (!flag) return undefined;
  return createReverseDns({
    servers: typeof flag === 'string' ? flag.split(',').map((s) => s.trim()) : undefined,
  });
}

/** Loads the threat feeds the flags name: --threat-feeds and the data directory's (unless --no-feeds). */
export async function loadThreatIntel(
  flags: Pick<EnrichFlags, 'threatFeeds' | 'feeds' | 'data'>,
  log?: (message: string) => void,
): Promise<ThreatIntel> {
  const feedsFile = flags.threatFeeds ?? (process.env.FLOWLENS_THREAT_FEEDS || undefined);
  return createThreatIntel({
    dataDir: flags.feeds === false ? undefined : (flags.data ?? (process.env.FLOWLENS_DATA || './data')),
    fileFeeds: feedsFile ? await loadThreatFeedsConfig(feedsFile) : undefined,
    log,
  });
}

/** Starts the enrichment the flags ask for (reads the databases and feeds); undefined with --no-enrich. */
export async function startEnrichment(
  flags: EnrichFlags,
  options: StartEnrichmentOptions = {},
): Promise<EnrichmentRun | undefined> {
  if (!flags.enrich) {
    if (flags.reverseDns)
      throw new FlowlensError(
        ERR.USAGE,
        '--reverse-dns is part of enrichment: drop --no-enrich to use it',
        2,
      );
    return undefined;
  }
  const enricher = createEnricher({
    geoipDb: flags.geoipDb ?? (process.env.FLOWLENS_GEOIP_DB || undefined),
    asnDb: flags.asnDb ?? (process.env.FLOWLENS_ASN_DB || undefined),
  });
  const [intel] = await Promise.all([options.intel ?? loadThreatIntel(flags), enricher.start()]);
  if (!options.intel)
    for (const warning of intel.warnings()) process.stderr.write(`flowlens: warning: ${warning}\n`);
  const reverseDns = reverseDnsFor(flags.reverseDns);
  const enrichment = createFlowEnrichment({
    enricher,
    names: flags.names ? createPassiveNames() : undefined,
    threat: intel.active || options.intel ? () => intel.matcher : undefined,
    reverseDns,
    summarize: options.summarize,
  });
  return {
    enrichment,
    enricher,
    intel,
    reverseDns,
    async finish() {
      await reverseDns?.drain(REVERSE_DNS_DRAIN_MS);
      return enrichment.summary();
    },
    async stop() {
      reverseDns?.close();
      await enricher.stop();
    },
  };
}
