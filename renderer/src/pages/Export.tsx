import { useEffect, useMemo, useState } from 'react';
import { Modeling } from '../modeling/parts.tsx';
import { applyEdit, useEditor } from '../modeling/store.ts';
import { call, newJobId, toError, transportName } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ReportDocument } from '../components/ReportDocument.tsx';
import { NoData } from '../components/FirstRun.tsx';
import { PlanProfileSwitch } from '../components/EditedPlanProfile.tsx';
import { MIN_HISTORY_DAYS } from '../../../src/forecast/series.ts';
import { parsePlanJson, profileOf, resolveTriggerLimit } from '../../../src/engine/plan.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { Advice, ExportPreview, ModelView } from '../../../src/modeling/types.ts';
import { reportWithCharts } from '../../../src/projection/report-html.ts';
import { showKeyAdvice } from '../../../src/views/key-advice.ts';
import { fmtDollars } from '../modeling/format.ts';
import { changeParts } from '../components/plan-change-words.ts';
import '../modeling/modeling.css';

const MIME: Record<string, string> = { json: 'application/json', yaml: 'text/yaml', csv: 'text/csv', md: 'text/markdown', html: 'text/html', txt: 'text/plain' };

/** The name a file is saved under: the export's folders flattened ("support/t_x.txt" → "support-t_x.txt"). */
const savedName = (path: string): string => path.replace(/\//g, '-');

/** Hands a file to the browser (or Electron's download handler) to save where the user picks. */
function saveFile(path: string, content: string): void {
  const ext = path.split('.').pop() ?? 'txt';
  const url = URL.createObjectURL(new Blob([content], { type: `${MIME[ext] ?? 'text/plain'};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = savedName(path);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const REPORT_WITH_CHARTS = 'report-with-charts.html';
/** Support drafts each get a tab up to this many; more share one tab with a list to pick from. */
const FEW_DRAFT_TABS = 4;

const LABEL = (path: string, names?: Map<string, string>): string => {
  if (path === 'plan.json') return 'Plan (JSON)';
  if (path === 'plan.yaml') return 'Plan (YAML)';
  if (path === 'keys.csv') return 'Keys (CSV)';
  if (path === 'report.md') return 'Report (Markdown)';
  if (path === 'report.html') return 'Report';
  if (path === REPORT_WITH_CHARTS) return 'Report with charts';
  if (path.startsWith('support/')) {
    const id = path.slice(8, -4);
    return `Support: ${names?.get(id) ?? id}`;
  }
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
          id="plan-file-input"
          className="visually-hidden"
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
        {/* the app's own button, as on Import, rather than the browser's unstyled "Choose File / No file chosen" */}
        <label className="button" htmlFor="plan-file-input">
          Choose a plan file…
        </label>
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

/** A changed row's mark in words: the row's shade is not the only sign of it. */
function ChangedTag() {
  return (
    <>
      {' '}
      <span className="tag">changed</span>
    </>
  );
}

/** The recommended plan against the current one: every key cap and trigger setting, changes marked. */
/** Settings listed in full up to this many; beyond it the unchanged ones wait behind a button. */
const ALL_SETTINGS_UP_TO = 40;

function PlanDiff({ current, recommended, notes }: { current: Plan; recommended: Plan; notes: Map<string, string> }) {
  const [showUnchanged, setShowUnchanged] = useState(false);
  const ids = [...new Set([...current.apiKeys.map((k) => k.id), ...recommended.apiKeys.map((k) => k.id)])];
  // rows say what the admin calls a key or trigger, with its id beneath (the files use the ids)
  const names = new Map([...recommended.apiKeys, ...recommended.triggers, ...current.apiKeys, ...current.triggers].map((x) => [x.id, x.name ?? x.id]));
  const nameCell = (id: string, what: string, changed: boolean) => (
    <>
      {what} {names.get(id) ?? id}
      {changed && <ChangedTag />}
      {(names.get(id) ?? id) !== id && <div className="muted small">{id}</div>}
    </>
  );
  const cap = (p: Plan, id: string) => {
    const k = p.apiKeys.find((x) => x.id === id);
    return k === undefined || k.capUsd === null ? 'no cap' : fmtDollars(k.capUsd);
  };
  const trig = (p: Plan, id: string) => {
    const t = p.triggers.find((x) => x.id === id);
    if (!t) return '—';
    // the same figure the engine applies (resolveTriggerLimit), not "default", which an admin cannot read
    const n = resolveTriggerLimit(t.limitPer24h, t.mode, profileOf(p));
    const limit = Number.isFinite(n) ? `${n.toLocaleString('en-US')} runs / 24 h${t.limitPer24h === null ? ' (default)' : ''}` : 'no run limit';
    return `${t.mode === 'fair_use' ? 'fair use' : 'programmatic'}, ${limit}`;
  };
  const tids = [...new Set([...current.triggers.map((t) => t.id), ...recommended.triggers.map((t) => t.id)])];
  const keyChanged = (id: string) => cap(current, id) !== cap(recommended, id);
  const trigChanged = (id: string) => trig(current, id) !== trig(recommended, id);
  // the rest of the plan, compared section by section (the seats, the spend limits, enforcement)
  const other = (['workspace', 'enforcement'] as const).flatMap((section) =>
    Object.keys({ ...current[section], ...recommended[section] })
      .map((f) => ({ path: `${section}.${f}`, from: (current[section] as Record<string, unknown>)[f], to: (recommended[section] as Record<string, unknown>)[f] }))
      .filter((c) => JSON.stringify(c.from) !== JSON.stringify(c.to)),
  );
  const changes = ids.filter(keyChanged).length + tids.filter(trigChanged).length + other.length;
  const unchanged = ids.length + tids.length + other.length - changes;
  // hundreds of keys and triggers: the changes are what the admin reviews, the rest on demand
  const collapse = ids.length + tids.length > ALL_SETTINGS_UP_TO && !showUnchanged;
  const shownIds = collapse ? ids.filter(keyChanged) : ids;
  const shownTids = collapse ? tids.filter(trigChanged) : tids;
  return (
    <section aria-labelledby="ex-diff" data-testid="plan-diff">
      <h2 id="ex-diff">The recommended plan</h2>
      <p className="muted small">
        {changes === 0 ? 'The recommended plan is the current plan: nothing to change.' : `${changes} change${changes === 1 ? '' : 's'} from the current plan, highlighted and marked “changed”.`}
      </p>
      <div className="table-wrap">
        <table className="compact diff">
          <thead>
            <tr>
              <th scope="col">Setting</th>
              <th scope="col">Now</th>
              <th scope="col">Recommended</th>
            </tr>
          </thead>
          <tbody>
            {shownIds.map((id) => {
              const d = keyChanged(id);
              return (
                <tr key={`k-${id}`} className={d ? 'changed' : undefined} data-changed={d || undefined}>
                  <th scope="row">
                    {nameCell(id, 'Cap of', d)}
                  </th>
                  <td>{cap(current, id)}</td>
                  <td>
                    {d ? <strong>{cap(recommended, id)}</strong> : cap(recommended, id)}
                    {notes.has(id) && <div className="muted small">{notes.get(id)}</div>}
                  </td>
                </tr>
              );
            })}
            {shownTids.map((id) => {
              const d = trigChanged(id);
              return (
                <tr key={`t-${id}`} className={d ? 'changed' : undefined} data-changed={d || undefined}>
                  <th scope="row">
                    {nameCell(id, 'Trigger', d)}
                  </th>
                  <td>{trig(current, id)}</td>
                  <td>{d ? <strong>{trig(recommended, id)}</strong> : trig(recommended, id)}</td>
                </tr>
              );
            })}
            {other.map((c) => {
              const words = changeParts(c);
              return (
                <tr key={c.path} className="changed" data-changed>
                  <th scope="row" title={c.path}>
                    {words.what} <span className="tag">changed</span>
                  </th>
                  <td>{words.from}</td>
                  <td>
                    <strong>{words.to}</strong>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {ids.length + tids.length > ALL_SETTINGS_UP_TO && unchanged > 0 && (
        <button type="button" className="button small" onClick={() => setShowUnchanged(!showUnchanged)} data-testid="diff-unchanged">
          {showUnchanged ? 'Show only the changes' : `Show the ${unchanged.toLocaleString('en-US')} unchanged settings too`}
        </button>
      )}
    </section>
  );
}

/** The report with each key's chart drawn in, from the projection and advice on screen. */
function withCharts(reportHtml: string, view: ModelView | null, advice: Advice | null, plan: Plan): string {
  if (!view) return reportHtml;
  const charts = view.keys
    .filter((k) => k.rolling.length > 1)
    .map((k) => {
      const a = advice?.keys.find((x) => x.id === k.id) ?? null;
      const shown = a ? showKeyAdvice(a, k.lastUsed, view.to, advice?.headroom ?? 0.25) : null;
      return {
        title: `${k.name} (${k.id})`,
        from: view.from ?? 0,
        rolling: k.rolling,
        windowDays: plan.enforcement.keyCapWindowDays,
        capUsd: k.capUsd,
        recommendedUsd: shown?.kind === 'cap' ? shown.capUsd : null,
        band: a?.projectedPeak ?? null,
        incidents: a?.incidents.map((i) => i.date) ?? [],
      };
    });
  return reportWithCharts(reportHtml, charts);
}

/** Where the screens' advice (src/views/key-advice.ts) reads differently from the exported figure. */
function screenNotes(view: ModelView | null, advice: Advice | null): Map<string, string> {
  const out = new Map<string, string>();
  if (!view || !advice) return out;
  for (const a of advice.keys) {
    const k = view.keys.find((x) => x.id === a.id);
    if (!k) continue;
    const shown = showKeyAdvice(a, k.lastUsed, view.to, advice.headroom);
    if (shown.kind === 'revoke') out.set(a.id, 'unused for 60 days: consider revoking it instead');
    else if (shown.caution !== null) out.set(a.id, a.capBasis === 'observed_spend' ? `provisional cap: ${shown.caution}` : shown.caution);
    else if (shown.replaced !== null) out.set(a.id, `far above ordinary use; API keys suggests ${fmtDollars(shown.capUsd)} (see the key’s detail)`);
    else if (shown.explained) out.set(a.id, 'well above ordinary use because spend is rising (see the key’s detail)');
  }
  return out;
}

function Preview({ plan }: { plan: Plan }) {
  const { view, advice } = useEditor();
  const [data, setData] = useState<ExportPreview | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tab, setTab] = useState('plan.json');
  const [saved, setSaved] = useState<string[] | null>(null);
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
  const files = useMemo(() => {
    if (!data) return [];
    const html = data.files.find((f) => f.path === 'report.html');
    return html ? [...data.files, { path: REPORT_WITH_CHARTS, content: withCharts(html.content, view, advice, plan) }] : data.files;
  }, [data, view, advice, plan]);
  if (error) return <ErrorBox error={error} title="Could not prepare the export" />;
  if (!data) return <p className="muted">Preparing the recommended plan and the report…</p>;
  const file = files.find((f) => f.path === tab) ?? files[0];
  const recommended = files.find((f) => f.path === 'plan.json');
  const html = files.find((f) => f.path === 'report.html');
  // The Markdown report is shown as the document it is (its HTML twin), not as raw text.
  const shownAsDocument = file && (file.path.endsWith('.html') || file.path === 'report.md');
  const documentHtml = file?.path === 'report.md' ? html?.content : file?.content;
  const drafts = files.filter((f) => f.path.startsWith('support/')).length;
  const triggerNames = new Map(plan.triggers.map((t) => [t.id, t.name ?? t.id]));
  const label = (path: string) => LABEL(path, triggerNames);
  return (
    <>
      {recommended && <PlanDiff current={plan} recommended={parsePlanJson(recommended.content, 'recommended plan')} notes={screenNotes(view, advice)} />}
      <section aria-labelledby="ex-preview">
        <h2 id="ex-preview">Files to save</h2>
        <p className="muted small">
          The recommended plan (JSON and YAML, both load back), the keys with their reasoning (CSV), {drafts} support request draft{drafts === 1 ? '' : 's'}, and the report (HTML, with charts, and Markdown).
        </p>
        <div className="toolbar">
          <button type="button" className="button primary" onClick={() => file && (saveFile(file.path, file.content), setSaved([savedName(file.path)]))} disabled={!file}>
            Save {file ? label(file.path) : ''} to a file…
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              files.forEach((f) => saveFile(f.path, f.content));
              setSaved(files.map((f) => savedName(f.path)));
            }}
          >
            Save all {files.length} files
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
        {saved && (
          <div className="saved-note" role="status" data-testid="saved-note">
            Saved {saved.length === 1 ? 'one file' : `${saved.length} files`} to your downloads folder (where this {transportName === 'electron' ? 'app' : 'browser'} saves downloads;
            it may ask where): {saved.join(', ')}.
          </div>
        )}
        <div className="tabs" role="tablist" aria-label="Export files">
          {files
            .filter((f) => !f.path.startsWith('support/') || drafts <= FEW_DRAFT_TABS)
            .map((f) => (
              <button key={f.path} type="button" role="tab" className="tab" aria-selected={f.path === file?.path} onClick={() => setTab(f.path)}>
                {label(f.path)}
              </button>
            ))}
          {drafts > FEW_DRAFT_TABS && (
            <button type="button" role="tab" className="tab" aria-selected={file?.path.startsWith('support/') ?? false} onClick={() => setTab(files.find((f) => f.path.startsWith('support/'))?.path ?? tab)}>
              Support requests ({drafts.toLocaleString('en-US')})
            </button>
          )}
        </div>
        {drafts > FEW_DRAFT_TABS && file?.path.startsWith('support/') && (
          <label className="field draft-pick">
            Request for
            <select value={file.path} onChange={(e) => setTab(e.target.value)} data-testid="draft-pick">
              {files
                .filter((f) => f.path.startsWith('support/'))
                .map((f) => (
                  <option key={f.path} value={f.path}>
                    {label(f.path).slice('Support: '.length)}
                  </option>
                ))}
            </select>
          </label>
        )}
        {file &&
          (shownAsDocument ? (
            <ReportDocument html={documentHtml ?? ''} label={`${label(file.path)} preview`} />
          ) : (
            <pre className="file" role="tabpanel" tabIndex={0} aria-label={label(file.path)} data-testid="export-file">
              {file.content}
            </pre>
          ))}
      </section>
    </>
  );
}

/** Whole UTC days from the first event's day to the last's (the recommendation's own count is never more). */
function historyDays(view: ModelView): number {
  if (view.from === null || view.to === null) return 0;
  return Math.floor(view.to / 86_400_000) - Math.floor(view.from / 86_400_000) + 1;
}

/** Recommendations need a forecast, and a forecast needs two weeks: said as what to do. */
function ShortHistoryExport({ days }: { days: number }) {
  return (
    <NoData
      why={`The recommended plan and the report come from a forecast, which needs at least ${MIN_HISTORY_DAYS} days of history; this ledger holds ${days} day${days === 1 ? '' : 's'}. Import a longer export, or load a plan file below.`}
      action="Import more history"
    />
  );
}

export function ExportPage() {
  const { history } = useEditor();
  return (
    <Modeling title="Export" subtitle="The recommended plan as JSON and YAML, the keys as CSV, support requests and the report, ready to save." testId="export-page">
      {(s) => (
        <>
          <PlanProfileSwitch />
          {history && (historyDays(s.view) < MIN_HISTORY_DAYS ? <ShortHistoryExport days={historyDays(s.view)} /> : <Preview plan={history.present} />)}
          <LoadPlan />
        </>
      )}
    </Modeling>
  );
}
