#!/usr/bin/env node
/**
 * Writes web/src/world-map/countries-110m.json: one SVG path per country, keyed by ISO 3166-1
 * alpha-2 (the code GeoIP gives flows), for the dashboard's world map. Source: Natural Earth
 * 1:110m admin-0 countries (public domain) as TopoJSON from the `world-atlas` npm package (ISC),
 * turned into GeoJSON by `topojson-client` (ISC); numeric → alpha-2 codes from
 * `i18n-iso-countries` (MIT). Projection: Natural Earth I (Šavrič et al. 2011, as d3-geo's
 * geoNaturalEarth1), Antarctica left out. Countries too small for 1:110m (Singapore, Hong Kong,
 * Malta, island states…) become markers at the centre of their largest 1:50m polygon. The data
 * is not cut at the antimeridian: a ring that crosses it (Russia, Fiji) is drawn twice, shifted
 * by ±360°, and the map clips both to the outline of the globe (`sphere`). Coordinates are rounded to 0.1 px and written as
 * relative moves, so the file stays small (≈93 KB, ≈29 KB gzipped) and is loaded only with the
 * map's lazy chunk.
 * usage: node scripts/world-map.mjs
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import countries from 'i18n-iso-countries';
import { feature } from 'topojson-client';

const require = createRequire(import.meta.url);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'web', 'src', 'world-map', 'countries-110m.json');
const topology = JSON.parse(readFileSync(require.resolve('world-atlas/countries-110m.json'), 'utf8'));

/** Features without a numeric code in Natural Earth 110m that GeoIP data does name. */
const BY_NAME = { Kosovo: 'XK' };
const LEFT_OUT = new Set(['AQ']);

const WIDTH = 960;
const SCALE = WIDTH / (2 * Math.PI * 0.8707);

function project([lon, lat]) {
  const lambda = (lon * Math.PI) / 180;
  const phi = (lat * Math.PI) / 180;
  const phi2 = phi * phi;
  const phi4 = phi2 * phi2;
  const x =
    lambda * (0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4)));
  const y = phi * (1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4)));
  return [x * SCALE + WIDTH / 2, -y * SCALE];
}

const tenth = (v) => Math.round(v * 10);
const text = (v) => String(v / 10);

/** A ring with a step of more than 180° in longitude crosses the antimeridian. */
function crosses(ring) {
  return ring.some((point, i) => i > 0 && Math.abs(point[0] - ring[i - 1][0]) > 180);
}

/** The rings to draw: a crossing ring as two continuous copies, east and west of the map. */
function drawnRings(polygons) {
  const rings = [];
  for (const polygon of polygons) {
    for (const ring of polygon) {
      if (!crosses(ring)) {
        rings.push(ring);
        continue;
      }
      const east = ring.map(([lon, lat]) => [lon < 0 ? lon + 360 : lon, lat]);
      rings.push(
        east,
        east.map(([lon, lat]) => [lon - 360, lat]),
      );
    }
  }
  return rings;
}

/** Rings → "M x y l dx dy … z", in tenths of a pixel, repeated points dropped. */
function pathOf(rings, offsetY) {
  let d = '';
  for (const ring of rings) {
    let previous;
    const steps = [];
    for (const point of ring) {
      const [x, y] = project(point);
      const p = [tenth(x), tenth(y + offsetY)];
      if (previous === undefined) d += `M${text(p[0])} ${text(p[1])}`;
      else if (p[0] !== previous[0] || p[1] !== previous[1]) {
        steps.push(`${text(p[0] - previous[0])} ${text(p[1] - previous[1])}`);
      } else continue;
      previous = p;
    }
    if (steps.length >= 2) d += `l${steps.join(' ')}z`;
    else d = d.replace(/M[^M]*$/, '');
  }
  return d.replace(/ -/g, '-');
}

const fine = JSON.parse(readFileSync(require.resolve('world-atlas/countries-50m.json'), 'utf8'));

const codeOf = (f) => (f.id === undefined ? BY_NAME[f.properties.name] : countries.numericToAlpha2(f.id));
const polygonsOf = (f) => (f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates);

/** The centre of the bounding box of the largest polygon's outer ring, in degrees. */
function centreOf(polygons) {
  let best;
  for (const [outer] of polygons) {
    const lons = outer.map((p) => p[0]);
    const lats = outer.map((p) => p[1]);
    const box = [Math.min(...lons), Math.min(...lats), Math.max(...lons), Math.max(...lats)];
    const area = (box[2] - box[0]) * (box[3] - box[1]);
    if (best === undefined || area > best.area) best = { area, box };
  }
  return [(best.box[0] + best.box[2]) / 2, (best.box[1] + best.box[3]) / 2];
}

const collection = feature(topology, topology.objects.countries);
const shapes = [];
let top = Number.POSITIVE_INFINITY;
let bottom = Number.NEGATIVE_INFINITY;
for (const f of collection.features) {
  const name = f.properties.name;
  const code = codeOf(f);
  if (code === undefined || LEFT_OUT.has(code)) continue;
  const polygons = polygonsOf(f);
  for (const ring of drawnRings(polygons)) {
    for (const point of ring) {
      const [, y] = project(point);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  shapes.push({ code, name, polygons });
}
const margin = 4;
const offsetY = -top + margin;
const height = Math.ceil(bottom - top + 2 * margin);
const merged = new Map();
for (const { code, name, polygons } of shapes) {
  const entry = merged.get(code) ?? { code, name, d: '' };
  entry.d += pathOf(drawnRings(polygons), offsetY);
  merged.set(code, entry);
}
const list = [...merged.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
const markers = [];
for (const f of feature(fine, fine.objects.countries).features) {
  const code = codeOf(f);
  if (code === undefined || LEFT_OUT.has(code) || merged.has(code) || markers.some((m) => m.code === code)) {
    continue;
  }
  const [x, y] = project(centreOf(polygonsOf(f)));
  markers.push({ code, name: f.properties.name, x: tenth(x) / 10, y: tenth(y + offsetY) / 10 });
}
markers.sort((a, b) => (a.code < b.code ? -1 : 1));
/** The globe's outline: the meridians ±180° from pole to pole. */
const edge = [];
for (let lat = -90; lat <= 90; lat += 2) edge.push([180, lat]);
for (let lat = 90; lat >= -90; lat -= 2) edge.push([-180, lat]);
const sphere = pathOf([edge], offsetY);
const body = list.map((c) => `  ${JSON.stringify(c)}`).join(',\n');
const markerBody = markers.map((m) => `  ${JSON.stringify(m)}`).join(',\n');
mkdirSync(path.dirname(out), { recursive: true });
writeFileSync(
  out,
  `{\n"source": "Natural Earth 1:110m admin-0 (public domain) via world-atlas 2.0.2 (ISC); scripts/world-map.mjs",\n"width": ${WIDTH},\n"height": ${height},\n"sphere": ${JSON.stringify(sphere)},\n"countries": [\n${body}\n],\n"markers": [\n${markerBody}\n]\n}\n`,
);
console.log(
  `${path.relative(root, out)}: ${list.length} countries, ${markers.length} markers, ${WIDTH}×${height}`,
);
