/**
 * A key's history chart as SVG text: the detail view shows it and the exported HTML report embeds
 * it, so both draw the same picture. Colours come from a palette: the app passes its theme's CSS
 * variables, the report plain colours (a file sent to finance has no stylesheet).
 */
import type { KeyHistoryChart } from './key-history.ts';
import { tickLabel } from './scale.ts';

export interface Palette {
  text: string;
  muted: string;
  grid: string;
  line: string;
  area: string;
  cap: string;
  recommended: string;
  band: string;
  warm: string;
  font: string;
}

export const PRINT_PALETTE: Palette = {
  text: '#1c2230',
  muted: '#5b6474',
  grid: '#e3e6ec',
  line: '#2f5bd8',
  area: '#2f5bd8',
  cap: '#b42318',
  recommended: '#0b7a6c',
  band: '#7a5af8',
  warm: '#8a94a6',
  font: 'system-ui, sans-serif',
};

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const day = (ms: number): string => new Date(ms).toISOString().slice(5, 10);
const f = (n: number): string => (Math.round(n * 10) / 10).toString();

export function historySvg(c: KeyHistoryChart, width: number, height: number, p: Palette, title: string): string {
  const m = { top: 14, right: 12, bottom: 22, left: 52 };
  const w = Math.max(60, width - m.left - m.right);
  const h = Math.max(40, height - m.top - m.bottom);
  const span = Math.max(1, c.end - c.start);
  const x = (t: number): number => m.left + ((t - c.start) / span) * w;
  const y = (v: number): number => m.top + h - (Math.min(v, c.scale.top) / c.scale.top) * h;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(`${title}: ${c.summary}`)}" font-family="${esc(p.font)}" font-size="11">`);
  out.push(`<title>${esc(title)}</title>`);
  // y grid and ticks
  for (const t of c.scale.ticks) {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${f(y(t))}" y2="${f(y(t))}" stroke="${p.grid}" stroke-dasharray="3 3"/>`);
    out.push(`<text x="${m.left - 6}" y="${f(y(t) + 4)}" text-anchor="end" fill="${p.muted}">${esc(tickLabel(t, 'usd'))}</text>`);
  }
  // warm-up: the rolling window is still filling, so the line climbs from zero whatever the use
  if (c.warmUntil !== null && c.warmUntil > c.start) {
    out.push(`<rect class="warmup" x="${m.left}" y="${m.top}" width="${f(x(c.warmUntil) - m.left)}" height="${h}" fill="${p.warm}" fill-opacity="0.12"/>`);
    out.push(`<text x="${m.left + 4}" y="${m.top + 11}" fill="${p.muted}">window filling</text>`);
  }
  // forecast band after the data's end
  if (c.band) {
    const bx = x(c.band.from);
    const bw = x(c.band.until) - bx;
    out.push(`<rect class="band" x="${f(bx)}" y="${f(y(c.band.p90))}" width="${f(bw)}" height="${f(Math.max(1, y(c.band.p10) - y(c.band.p90)))}" fill="${p.band}" fill-opacity="0.18"/>`);
    out.push(`<line x1="${f(bx)}" x2="${f(bx + bw)}" y1="${f(y(c.band.p50))}" y2="${f(y(c.band.p50))}" stroke="${p.band}" stroke-width="1.5"/>`);
    out.push(`<text x="${f(bx + 4)}" y="${f(y(c.band.p90) - 4)}" fill="${p.muted}">forecast P10–P90</text>`);
    out.push(`<line class="data-end" x1="${f(bx)}" x2="${f(bx)}" y1="${m.top}" y2="${m.top + h}" stroke="${p.muted}" stroke-dasharray="2 3"/>`);
  }
  // the rolling spend
  if (c.values.length > 0) {
    const pts = c.values.map((v, i) => `${f(x(c.start + i * c.dayMs))},${f(y(v))}`);
    const last = x(c.start + c.values.length * c.dayMs);
    out.push(`<path d="M${m.left},${m.top + h}L${pts.join('L')}L${f(last)},${f(y(c.values[c.values.length - 1] ?? 0))}L${f(last)},${m.top + h}Z" fill="${p.area}" fill-opacity="0.16"/>`);
    out.push(`<path d="M${pts.join('L')}" fill="none" stroke="${p.line}" stroke-width="1.5"/>`);
  }
  // runaway days left out of the recommendation
  for (const t of c.incidents) out.push(`<path class="incident" d="M${f(x(t) - 4)},${m.top}L${f(x(t) + 4)},${m.top}L${f(x(t))},${m.top + 7}Z" fill="${p.cap}"><title>runaway day ${day(t)}, left out</title></path>`);
  const hline = (v: number, color: string, label: string, dash: string, below: boolean) => {
    out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${f(y(v))}" y2="${f(y(v))}" stroke="${color}" stroke-dasharray="${dash}" stroke-width="1.5"/>`);
    out.push(`<text x="${m.left + w - 4}" y="${f(y(v) + (below ? 12 : -4))}" text-anchor="end" fill="${color}" font-weight="600">${esc(label)}</text>`);
  };
  const capIn = c.capUsd !== null && c.capUsd <= c.scale.top;
  const recIn = c.recommendedUsd !== null && c.recommendedUsd <= c.scale.top;
  const close = capIn && recIn && Math.abs(y(c.capUsd as number) - y(c.recommendedUsd as number)) < 14;
  if (capIn) hline(c.capUsd as number, p.cap, `cap ${tickLabel(c.capUsd as number, 'usd')}`, '6 3', false);
  if (recIn) hline(c.recommendedUsd as number, p.recommended, `recommended ${tickLabel(c.recommendedUsd as number, 'usd')}`, '2 2', close && (c.recommendedUsd as number) < (c.capUsd as number));
  // x ticks: about one per 90 px, on whole days
  const count = Math.max(2, Math.floor(w / 90));
  const step = Math.max(1, Math.ceil(span / 86_400_000 / count)) * 86_400_000;
  for (let t = Math.ceil(c.start / 86_400_000) * 86_400_000; t <= c.end; t += step) {
    // a label at either edge is anchored inside the chart rather than cut by it
    const anchor = x(t) > m.left + w - 18 ? 'end' : x(t) < m.left + 18 ? 'start' : 'middle';
    out.push(`<text x="${f(x(t))}" y="${height - 6}" text-anchor="${anchor}" fill="${p.muted}">${day(t)}</text>`);
  }
  out.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="${p.muted}"/>`);
  out.push('</svg>');
  return out.join('');
}
