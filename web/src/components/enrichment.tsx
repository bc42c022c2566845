/**
 * Enrichment shown in the dashboard: threat tags as badges, and the host page's "What Flowlens
 * knows" panel, from `GET /api/v1/lookup/:ip` (country, city, AS, special range, names the
 * address served under, threat tags, the local devices that used it, data attribution).
 */
import type { LookupAnswer, LookupResult } from '../../../src/server/api-types';
import { withParams } from '../api';
import { count, time } from '../format';
import { Empty, ErrorNote, Link, Loading, Panel } from './common';

export function ThreatTags({ tags }: { tags: readonly string[] | null | undefined }) {
  if (!tags || tags.length === 0) return <span className="muted">–</span>;
  return (
    <span className="threat-tags">
      {tags.map((tag) => (
        <span key={tag} className="threat-tag">
          {tag}
        </span>
      ))}
    </span>
  );
}

type IpResult = Extract<LookupResult, { kind: 'ip' }>;

/** "US · AS15169 Google LLC", "private network (RFC 1918)", or undefined while unknown. */
export function enrichmentSummary(result: IpResult | undefined): string | undefined {
  if (!result) return undefined;
  if (result.range) return result.range.description;
  const as =
    result.asn === undefined ? undefined : `AS${result.asn}${result.asName ? ` ${result.asName}` : ''}`;
  return [result.country, as].filter(Boolean).join(' · ') || 'unknown';
}

export function HostEnrichment(props: {
  answer: LookupAnswer | undefined;
  error: Parameters<typeof ErrorNote>[0]['error'];
  loading: boolean;
  range: string;
}) {
  const result = props.answer?.results[0];
  const ip = result?.kind === 'ip' ? result : undefined;
  const flows = (filter: string) => withParams('/flows', { range: props.range, filter });
  const tags = [...new Set([...(ip?.threatTags ?? []), ...(ip?.seen?.threatTags ?? [])])].sort();
  return (
    <Panel className="wide" title="What Flowlens knows" testId="host-enrichment">
      <ErrorNote error={props.error} />
      {!ip && props.loading && <Loading />}
      {ip && (
        <dl className="keys enrichment">
          {ip.range ? (
            <>
              <dt>Range</dt>
              <dd data-testid="host-range">
                <span className="range-label">{ip.range.label}</span> {ip.range.description}{' '}
                <span className="muted">({ip.range.cidr})</span>
              </dd>
            </>
          ) : (
            <>
              <dt>Country</dt>
              <dd data-testid="host-country">
                {ip.country ? (
                  <Link href={flows(`country ${ip.country}`)}>{ip.country}</Link>
                ) : (
                  <span className="muted">unknown</span>
                )}
                {ip.city && ` · ${[ip.city, ip.region].filter(Boolean).join(', ')}`}
              </dd>
              <dt>Network</dt>
              <dd data-testid="host-asn">
                {ip.asn === undefined ? (
                  <span className="muted">unknown</span>
                ) : (
                  <>
                    <Link href={flows(`asn ${ip.asn}`)}>AS{ip.asn}</Link> {ip.asName}
                  </>
                )}
              </dd>
            </>
          )}
          <dt>Names</dt>
          <dd data-testid="host-names">
            {ip.seen && ip.seen.names.length > 0 ? (
              <ul className="inline-list">
                {ip.seen.names.map((n) => (
                  <li key={`${n.source} ${n.name}`}>
                    <span className="mono">{n.name}</span>{' '}
                    <span className="muted">
                      ({n.source === 'sni' ? 'TLS SNI' : 'HTTP Host'}, {count(n.flows)} flows)
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <span className="muted">none seen (TLS SNI and HTTP Host of flows it answered)</span>
            )}
          </dd>
          {ip.reverseName !== undefined && (
            <>
              <dt>Reverse DNS</dt>
              <dd data-testid="host-reverse-name">
                {ip.reverseName === null ? (
                  <span className="muted">no PTR name</span>
                ) : (
                  <span className="mono">{ip.reverseName}</span>
                )}
              </dd>
            </>
          )}
          <dt>Threat tags</dt>
          <dd data-testid="host-threat">
            {tags.length > 0 ? (
              <Link href={flows(`host ${ip.ip} and threat`)}>
                <ThreatTags tags={tags} />
              </Link>
            ) : (
              <span className="muted">
                {ip.threatTags === undefined ? 'no threat feeds loaded; none on its flows' : 'none'}
              </span>
            )}
          </dd>
          {ip.devices && ip.devices.length > 0 && (
            <>
              <dt>Device</dt>
              <dd data-testid="host-device">
                {ip.devices.map((d) => (
                  <div key={d.mac}>
                    <span className="mono">{d.mac}</span>{' '}
                    {d.vendor ?? <span className="muted">unknown vendor</span>}
                    {d.name && ` · ${d.name}`}
                    {d.randomizedMac && <span className="muted"> (randomized MAC)</span>}
                  </div>
                ))}
              </dd>
            </>
          )}
          {ip.seen && ip.seen.flows > 0 && (
            <>
              <dt>Stored flows</dt>
              <dd>
                {count(ip.seen.flows)}{' '}
                <span className="muted">
                  (all time, {time(ip.seen.firstSeen)} – {time(ip.seen.lastSeen)})
                </span>
              </dd>
            </>
          )}
        </dl>
      )}
      {props.answer && props.answer.attribution.length > 0 && (
        <details className="attribution">
          <summary>Data sources</summary>
          <ul>
            {props.answer.attribution.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
        </details>
      )}
      {props.answer && !ip && <Empty>No answer.</Empty>}
    </Panel>
  );
}
