import type { RefObject } from 'react';
import { savePng, saveSvg } from './save-chart.ts';

/** "SVG" and "PNG" buttons for the chart inside `figure`. */
export function ChartActions({ figure, name }: { figure: RefObject<HTMLElement | null>; name: string }) {
  const svg = (): SVGSVGElement | null => figure.current?.querySelector('svg.chart-svg, .recharts-surface') ?? null;
  return (
    <span className="chart-actions">
      <button type="button" className="button small" aria-label={`Save the ${name} chart as SVG`} onClick={() => { const s = svg(); if (s) saveSvg(s, name); }}>
        SVG
      </button>
      <button type="button" className="button small" aria-label={`Save the ${name} chart as PNG`} onClick={() => { const s = svg(); if (s) void savePng(s, name); }}>
        PNG
      </button>
    </span>
  );
}
