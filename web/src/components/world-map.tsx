/**
 * World map of traffic by country: an SVG choropleth over the bundled Natural Earth 1:110m
 * outlines (world-map/countries-110m.json, made by scripts/world-map.mjs; no network) with
 * markers for countries too small to draw at that scale (shown when they have traffic), five
 * classes on a log scale of bytes with a legend. A country with traffic opens the explorer
 * filtered to it. Loaded lazily (its own chunk with the outlines), so the first page stays small.
 */
import { useEffect, useMemo } from 'react';
import type { TopRow } from '../../../src/server/api-types';
import { withParams } from '../api';
import { bytes } from '../format';
import { navigate } from '../router';
import world from '../world-map/countries-110m.json';

const CLASSES = 5;

interface Scale {
  /** Lower bounds of the classes, bytes, ascending. */
  bounds: number[];
  classOf(value: number): number;
}

/** Classes of equal width in log10(bytes) between the smallest and largest country. */
function logScale(values: number[]): Scale | undefined {
  const positive = values.filter((v) => v > 0);
  if (positive.length === 0) return undefined;
  const lo = Math.log10(Math.min(...positive));
  const hi = Math.log10(Math.max(...positive));
  const step = (hi - lo) / CLASSES || 1;
  const bounds = Array.from({ length: CLASSES }, (_, i) => 10 ** (lo + i * step));
  return {
    bounds,
    classOf: (value) => Math.min(CLASSES - 1, Math.max(0, Math.floor((Math.log10(value) - lo) / step))),
  };
}

function CountryLink(props: { href: string; label: string; children: React.ReactNode }) {
  return (
    <a
      href={props.href}
      aria-label={props.label}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

export default function WorldMap({
  rows,
  range,
  onRendered,
}: {
  rows: TopRow[];
  range: string;
  /** Called after the map has been committed to the page (the overview's completeness mark waits for it). */
  onRendered?: () => void;
}) {
  useEffect(() => onRendered?.(), [onRendered]);
  const traffic = useMemo(() => new Map(rows.map((r) => [String(r.key), r.bytes])), [rows]);
  const scale = useMemo(() => logScale(rows.map((r) => r.bytes)), [rows]);
  const unmapped = rows.filter(
    (r) => !world.countries.some((c) => c.code === r.key) && !world.markers.some((m) => m.code === r.key),
  );
  const flowsOf = (code: string) => withParams('/flows', { range, filter: `country ${code}` });
  return (
    <div className="world-map" data-testid="world-map">
      <svg viewBox={`0 0 ${world.width} ${world.height}`} role="img" aria-label="traffic by country">
        <defs>
          <clipPath id="world-map-globe">
            <path d={world.sphere} />
          </clipPath>
        </defs>
        <g clipPath="url(#world-map-globe)">
          {world.countries.map((country) => {
            const value = traffic.get(country.code);
            const level = value !== undefined && scale ? scale.classOf(value) : undefined;
            const label = `${country.name} (${country.code})${value === undefined ? '' : `: ${bytes(value)}`}`;
            return level === undefined ? (
              <path key={country.code} d={country.d} className="country">
                <title>{label}</title>
              </path>
            ) : (
              <CountryLink key={country.code} href={flowsOf(country.code)} label={label}>
                <path d={country.d} className={`country level-${level}`} data-country={country.code}>
                  <title>{label}</title>
                </path>
              </CountryLink>
            );
          })}
          {world.markers.map((marker) => {
            const value = traffic.get(marker.code);
            if (value === undefined || !scale) return null;
            const label = `${marker.name} (${marker.code}): ${bytes(value)}`;
            return (
              <CountryLink key={marker.code} href={flowsOf(marker.code)} label={label}>
                <circle
                  cx={marker.x}
                  cy={marker.y}
                  r={4}
                  className={`country marker level-${scale.classOf(value)}`}
                  data-country={marker.code}
                >
                  <title>{label}</title>
                </circle>
              </CountryLink>
            );
          })}
        </g>
      </svg>
      {scale && (
        <ul className="legend map-legend" aria-label="bytes per country">
          {scale.bounds.map((bound, i) => (
            <li key={bound}>
              <i className={`level-${i}`} /> {i === 0 ? '' : '≥ '}
              {bytes(i === 0 ? Math.min(...rows.map((r) => r.bytes).filter((b) => b > 0)) : bound)}
            </li>
          ))}
        </ul>
      )}
      {unmapped.length > 0 && (
        <p className="hint">
          Not on the map: {unmapped.map((r) => `${r.key} (${bytes(r.bytes)})`).join(', ')}.
        </p>
      )}
    </div>
  );
}
