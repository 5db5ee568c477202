/**
 * The report as one self-contained HTML page with each key's history chart drawn in (inline SVG,
 * plain colours, no script, no external file), to send to someone without Headroom.
 */
import { historySvg, PRINT_PALETTE } from './history-svg.ts';
import { keyHistoryChart } from './key-history.ts';
import type { KeyHistoryInput } from './key-history.ts';

export interface ReportChart extends KeyHistoryInput {
  title: string;
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function reportWithCharts(reportHtml: string, charts: readonly ReportChart[], width = 900, height = 240): string {
  const figures = charts.map((c) => {
    const chart = keyHistoryChart({ ...c, width });
    return `<figure style="margin:1.2em 0;break-inside:avoid">${historySvg(chart, width, height, PRINT_PALETTE, c.title)}<figcaption style="color:#5b6474;font-size:0.85em">${esc(c.title)}: ${esc(chart.summary)}. Shaded at the start: the rolling window is still filling. Dashed red: the cap; dotted green: the recommended cap; violet: the forecast band.</figcaption></figure>`;
  });
  const section = `<section><h2>Charts: each key's rolling spend</h2>${figures.join('')}</section>`;
  const at = reportHtml.lastIndexOf('</body>');
  return at < 0 ? `${reportHtml}${section}` : `${reportHtml.slice(0, at)}${section}${reportHtml.slice(at)}`;
}
