import { useMemo, useRef } from 'react';
import { historySvg } from '../../../src/projection/history-svg.ts';
import type { Palette } from '../../../src/projection/history-svg.ts';
import type { KeyHistoryChart } from '../../../src/projection/key-history.ts';
import { ChartActions } from './ChartActions.tsx';
import { useWidth } from './useWidth.ts';

/** The theme's colours: the same SVG as the report's, drawn with the page's variables. */
export const SCREEN_PALETTE: Palette = {
  text: 'var(--text)',
  muted: 'var(--muted)',
  grid: 'var(--grid)',
  line: 'var(--accent)',
  area: 'var(--accent)',
  cap: 'var(--bad)',
  recommended: 'var(--accent-2)',
  band: 'var(--band)',
  warm: 'var(--muted)',
  font: 'inherit',
};

const HEIGHT = 220;

/** A key's history chart (prepared in src/projection/key-history.ts), drawn at the width it has. */
export function HistoryChart({ chart, title, testId }: { chart: KeyHistoryChart; title: string; testId?: string }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const figure = useRef<HTMLElement>(null);
  const svg = useMemo(() => (width > 0 ? historySvg(chart, width, HEIGHT, SCREEN_PALETTE, title) : ''), [chart, width, title]);
  return (
    <figure className="chart detail-chart" ref={figure} data-testid={testId}>
      <figcaption>
        <strong>{title}</strong> <ChartActions figure={figure} name={title} />
      </figcaption>
      {/* the SVG is built from numbers and escaped text only (history-svg.ts) */}
      <div ref={ref} style={{ height: HEIGHT }} dangerouslySetInnerHTML={{ __html: svg }} />
    </figure>
  );
}
