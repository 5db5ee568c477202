/**
 * A chart on screen as a file an admin can take away: SVG with the theme's colours written in
 * (the page's CSS variables mean nothing outside it), or PNG drawn from that SVG at twice the size.
 */

const PAINT = ['fill', 'stroke', 'stop-color', 'color'] as const;

/** A standalone copy of `svg`: colours, opacity and fonts resolved from the page's styles. */
export function standaloneSvg(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  const from = [svg, ...Array.from(svg.querySelectorAll('*'))];
  const to = [copy, ...Array.from(copy.querySelectorAll('*'))];
  from.forEach((el, i) => {
    const target = to[i] as Element;
    const cs = getComputedStyle(el);
    for (const prop of PAINT) {
      const v = cs.getPropertyValue(prop);
      if (v && (target.getAttribute(prop)?.includes('var(') || el instanceof SVGTextElement || el.getAttribute('class'))) target.setAttribute(prop, v);
    }
    for (const prop of ['fill-opacity', 'stroke-opacity', 'opacity', 'stroke-dasharray', 'stroke-width', 'font-size', 'font-family', 'font-weight']) {
      const v = cs.getPropertyValue(prop);
      if (v && v !== 'normal' && v !== 'none') target.setAttribute(prop, v);
    }
  });
  const { width, height } = svg.getBoundingClientRect();
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('width', String(Math.round(width)));
  copy.setAttribute('height', String(Math.round(height)));
  if (!copy.getAttribute('viewBox')) copy.setAttribute('viewBox', `0 0 ${Math.round(width)} ${Math.round(height)}`);
  // a background, so the chart reads the same on any page it is pasted into
  const bg = document.createElementNS('http://www.w3.org/2000/svg', 'rect');
  bg.setAttribute('width', '100%');
  bg.setAttribute('height', '100%');
  bg.setAttribute('fill', getComputedStyle(svg.closest('.chart') ?? document.body).backgroundColor || '#fff');
  copy.insertBefore(bg, copy.firstChild);
  return new XMLSerializer().serializeToString(copy);
}

function download(name: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export const fileSafe = (s: string): string => s.replace(/[^a-z0-9._-]+/gi, '-').replace(/^-+|-+$/g, '').toLowerCase() || 'chart';

export function saveSvg(svg: SVGSVGElement, name: string): void {
  download(`${fileSafe(name)}.svg`, new Blob([standaloneSvg(svg)], { type: 'image/svg+xml;charset=utf-8' }));
}

export async function savePng(svg: SVGSVGElement, name: string): Promise<void> {
  const text = standaloneSvg(svg);
  const { width, height } = svg.getBoundingClientRect();
  const img = new Image();
  img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * 2);
  canvas.height = Math.round(height * 2);
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('no canvas');
  ctx.scale(2, 2);
  ctx.drawImage(img, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob) download(`${fileSafe(name)}.png`, blob);
}
