import { useEffect, useRef } from 'react';

/**
 * The report rendered as the document it is, inside the page. Not an iframe: the app's policy
 * forbids framing (frame-ancestors 'none'), which a srcdoc frame inherits. A shadow root keeps
 * the report's own styles from touching the app's, and the report holds no script (it is built
 * from escaped text by src/export), which innerHTML would not run anyway.
 */
export function ReportDocument({ html, label }: { html: string; label: string }) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const root = el.shadowRoot ?? el.attachShadow({ mode: 'open' });
    root.innerHTML = `<style>:host{display:block;background:#fff;color:#1c2230;padding:8px 20px;font-family:system-ui,sans-serif;line-height:1.45}
      table{border-collapse:collapse;max-width:100%;display:block;overflow-x:auto}td,th{border:1px solid #d5d9e0;padding:4px 8px;text-align:left}
      svg{max-width:100%;height:auto}</style>${html}`;
  }, [html]);
  return <div ref={host} className="report-doc" role="document" aria-label={label} tabIndex={0} data-testid="export-document" />;
}
