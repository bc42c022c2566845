/**
 * Time series chart on uPlot (small and fast for dense series). Dragging across the plot zooms:
 * `onZoom(from, to)` gets the selected span in epoch seconds (pages put it into the URL range).
 * New data with the same series labels, format, height and theme is drawn into the same plot
 * (`setData`), so a chart fed every second keeps its cursor and legend.
 */
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface TimeSeries {
  label: string;
  values: (number | null)[];
}

const PALETTE = [
  '#1f6feb',
  '#e8590c',
  '#2f9e44',
  '#ae3ec9',
  '#f08c00',
  '#0c8599',
  '#d6336c',
  '#5c7cfa',
  '#868e96',
];

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** The theme attribute of <html>, so charts redraw with the new axis and grid colours. */
function useThemeName(): string | undefined {
  const [theme, setTheme] = useState(document.documentElement.dataset.theme);
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(document.documentElement.dataset.theme));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}

export function TimeChart(props: {
  times: number[];
  series: TimeSeries[];
  format: (value: number) => string;
  height?: number;
  onZoom?: (from: number, to: number) => void;
  testId?: string;
}) {
  const holder = useRef<HTMLDivElement>(null);
  const zoom = useRef(props.onZoom);
  zoom.current = props.onZoom;
  const { times, series, format, height = 240 } = props;
  const theme = useThemeName();
  const plotRef = useRef<uPlot | undefined>(undefined);
  const data = useRef<uPlot.AlignedData>([]);
  data.current = [times, ...series.map((s) => s.values)] as uPlot.AlignedData;
  const labels = series.map((s) => s.label).join('\u0000');

  // biome-ignore lint/correctness/useExhaustiveDependencies: theme changes the colours read from CSS; labels stand for series.
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const styles = getComputedStyle(document.documentElement);
    const axisColor = styles.getPropertyValue('--muted').trim() || '#888';
    const gridColor = styles.getPropertyValue('--grid').trim() || '#8883';
    const axis = { stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor } };
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      cursor: { drag: { x: true, y: false, setScale: false } },
      legend: { show: true, live: true },
      scales: { x: { time: true } },
      // UTC, like every time the dashboard prints.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      axes: [axis, { ...axis, size: 70, values: (_u, ticks) => ticks.map((t) => format(t)) }],
      series: [
        {},
        ...series.map((s, i) => ({
          label: s.label,
          stroke: seriesColor(i),
          fill: `${seriesColor(i)}22`,
          width: 1.5,
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)),
        })),
      ],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width < 4 || !zoom.current) return;
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            zoom.current(Math.floor(from), Math.ceil(to));
          },
        ],
      },
    };
    const plot = new uPlot(options, data.current, element);
    plotRef.current = plot;
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plotRef.current = undefined;
      plot.destroy();
    };
  }, [labels, format, height, theme]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: data.current follows times and series.
  useEffect(() => {
    plotRef.current?.setData(data.current);
  }, [times, series]);

  return <div ref={holder} className="chart" data-testid={props.testId} />;
}
