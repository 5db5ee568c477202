import { useEffect, useState } from 'react';
import { Modeling } from '../modeling/parts.tsx';
import { applyEdit, useEditor } from '../modeling/store.ts';
import { call, newJobId, toError } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { parsePlanJson } from '../../../src/engine/plan.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { ExportPreview } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';

const MIME: Record<string, string> = { json: 'application/json', yaml: 'text/yaml', csv: 'text/csv', md: 'text/markdown', html: 'text/html', txt: 'text/plain' };

/** Hands a file to the browser (or Electron's download handler) to save where the user picks. */
function saveFile(path: string, content: string): void {
  const ext = path.split('.').pop() ?? 'txt';
  const url = URL.createObjectURL(new Blob([content], { type: `${MIME[ext] ?? 'text/plain'};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = path.replace(/\//g, '-');
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const LABEL = (path: string): string => {
  if (path === 'plan.json') return 'Plan (JSON)';
  if (path === 'plan.yaml') return 'Plan (YAML)';
  if (path === 'keys.csv') return 'Keys (CSV)';
  if (path === 'report.md') return 'Report';
  if (path === 'report.html') return 'Report (HTML)';
  if (path.startsWith('support/')) return `Support: ${path.slice(8, -4)}`;
  return path;
};

function LoadPlan() {
  const [error, setError] = useState<ApiError | null>(null);
  const [loaded, setLoaded] = useState<string | null>(null);
  return (
    <section className="panel" aria-labelledby="ex-load">
      <h2 id="ex-load">Load a plan file</h2>
      <p className="muted small">A plan exported here or written by hand (JSON or YAML) replaces the plan being edited; Undo brings the previous one back.</p>
      <div className="toolbar">
        <input
          type="file"
          accept=".json,.yaml,.yml,application/json,text/yaml"
          aria-label="Choose a plan file to load"
          onChange={(e) => {
            const f = e.target.files?.[0];
            e.target.value = '';
            if (!f) return;
            setError(null);
            void f
              .text()
              .then((text) => call('model-load-plan', { name: f.name, text }))
              .then(({ plan }) => {
                applyEdit(() => plan, `load ${f.name}`);
                setLoaded(f.name);
              })
              .catch((err: unknown) => {
                setLoaded(null);
                setError(toError(err));
              });
          }}
        />
        {loaded && (
          <span className="chip chip-ok" role="status" data-testid="plan-loaded">
            Loaded {loaded}
          </span>
        )}
      </div>
      {error && <ErrorBox error={error} title="This plan file cannot be used" />}
    </section>
  );
}

function Preview({ plan }: { plan: Plan }) {
  const [data, setData] = useState<ExportPreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tab, setTab] = useState('plan.json');
  useEffect(() => {
    let live = true;
    setError(null);
    const jobId = newJobId('export');
    call('model-export', { plan, jobId })
      .then((d) => live && setData(d))
      .catch((err: unknown) => {
        const e = toError(err);
        if (live && e.code !== 'cancelled') setError(e);
      });
    return () => {
      live = false;
      void call('job-cancel', { jobId }).catch(() => {});
    };
  }, [plan]);
  if (error) return <ErrorBox error={error} title="Could not prepare the export" />;
  if (!data) return <p className="muted">Preparing the recommended plan and the report…</p>;
  const file = data.files.find((f) => f.path === tab) ?? data.files[0];
  const recommended = data.files.find((f) => f.path === 'plan.json');
  return (
    <section aria-labelledby="ex-preview">
      <h2 id="ex-preview">The recommended plan and what goes with it</h2>
      <div className="toolbar">
        <button type="button" className="button primary" onClick={() => file && saveFile(file.path, file.content)} disabled={!file}>
          Save {file ? LABEL(file.path) : ''} to a file…
        </button>
        <button type="button" className="button" onClick={() => data.files.forEach((f) => saveFile(f.path, f.content))}>
          Save all {data.files.length} files
        </button>
        <button
          type="button"
          className="button"
          disabled={!recommended}
          onClick={() => recommended && applyEdit(() => parsePlanJson(recommended.content, 'recommended plan'), 'use the recommended plan')}
        >
          Use the recommended plan
        </button>
      </div>
      <div className="tabs" role="tablist" aria-label="Export files">
        {data.files.map((f) => (
          <button key={f.path} type="button" role="tab" className="tab" aria-selected={f.path === file?.path} onClick={() => setTab(f.path)}>
            {LABEL(f.path)}
          </button>
        ))}
      </div>
      {file &&
        (file.path.endsWith('.html') ? (
          <iframe className="file" title="Report preview" sandbox="" srcDoc={file.content} style={{ width: '100%', height: 460, border: '1px solid var(--line)', borderRadius: 10, background: '#fff' }} />
        ) : (
          <pre className="file" role="tabpanel" aria-label={LABEL(file.path)} data-testid="export-file">
            {file.content}
          </pre>
        ))}
    </section>
  );
}

export function ExportPage() {
  const { history } = useEditor();
  return (
    <Modeling title="Export" subtitle="The recommended plan as JSON and YAML, the keys as CSV, support requests and the report, ready to save." testId="export-page">
      {() => (
        <>
          {history && <Preview plan={history.present} />}
          <LoadPlan />
        </>
      )}
    </Modeling>
  );
}
