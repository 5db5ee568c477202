import { memo, useEffect } from 'react';
import type { ReactNode } from 'react';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { cancelProjection, discardEdits, editorFlags, loadEditor, redoEdit, reproject, savePlan, undoEdit, useEditor } from './store.ts';
import { NoData } from '../components/FirstRun.tsx';
import { useLedger } from '../nav.ts';
import type { EditorState } from './store.ts';
import type { ModelView } from '../../../src/modeling/types.ts';

/** Undo, redo, save and the live projection's state: the same bar on every modeling screen. */
export function PlanBar() {
  const s = useEditor();
  const f = editorFlags(s.history);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement | null;
      // Text fields keep their own undo.
      if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT')) return;
      if (!(e.ctrlKey || e.metaKey) || e.key.toLowerCase() !== 'z' && e.key.toLowerCase() !== 'y') return;
      e.preventDefault();
      if (e.key.toLowerCase() === 'y' || e.shiftKey) redoEdit();
      else undoEdit();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="plan-bar" role="toolbar" aria-label="Plan edits">
      <button type="button" className="button small" onClick={undoEdit} disabled={!f.canUndo} aria-label={f.undoLabel ? `Undo ${f.undoLabel}` : 'Undo'} title="Undo (Ctrl+Z)">
        ↶ Undo
      </button>
      <button type="button" className="button small" onClick={redoEdit} disabled={!f.canRedo} aria-label={f.redoLabel ? `Redo ${f.redoLabel}` : 'Redo'} title="Redo (Ctrl+Shift+Z)">
        ↷ Redo
      </button>
      <span className="plan-bar-status" role="status" aria-live="polite" data-testid="plan-status">
        {s.projecting ? 'Re-projecting…' : s.cancelled ? 'Projection cancelled' : f.dirty ? 'Unsaved changes' : 'Saved plan'}
      </span>
      {s.projecting && s.view && (
        <button type="button" className="button small" onClick={cancelProjection}>
          Cancel
        </button>
      )}
      <button type="button" className="button small" onClick={discardEdits} disabled={!f.dirty}>
        Discard changes
      </button>
      <button type="button" className="button small primary" onClick={() => void savePlan()} disabled={!f.dirty || s.saving}>
        {s.saving ? 'Saving…' : 'Save plan'}
      </button>
    </div>
  );
}

/** Loads the plan and its projection, and shows loading and error states until both exist. */
export function Modeling({ title, subtitle, testId, children }: { title: string; subtitle: string; testId: string; children: (s: EditorState & { view: ModelView }) => ReactNode }) {
  const s = useEditor();
  const { events } = useLedger();
  useEffect(() => {
    void loadEditor();
  }, []);
  let body: ReactNode;
  if (s.loadError) body = <ErrorBox error={s.loadError} title="Could not load the plan" />;
  else if (events === 0 || (!s.view && s.viewError?.code === 'not_found'))
    body = <NoData why={`This ledger holds no usage yet, so there is nothing to model on ${title}. Import the platform’s programmatic cost export and consumption export first, or look around the demo workspace.`} />;
  else if (!s.view && s.viewError) body = <ErrorBox error={s.viewError} title="Could not project the plan" />;
  else if (!s.view && s.cancelled)
    body = (
      <p className="muted">
        Projection cancelled.{' '}
        <button type="button" className="button small" onClick={reproject}>
          Project again
        </button>
      </p>
    );
  else if (!s.view) body = <ProgressBar done={s.progress?.done ?? 0} total={s.progress?.total ?? 0} label="Projecting the plan over the history" onCancel={cancelProjection} />;
  else body = children({ ...s, view: s.view });
  return (
    <div className="page" data-testid={testId}>
      <header className="page-head">
        <div>
          <h1>{title}</h1>
          <p className="muted">{subtitle}</p>
        </div>
        {/* no undo, save or discard to offer while there is no history to model */}
        {events !== 0 && <PlanBar />}
      </header>
      {s.saveError && <ErrorBox error={s.saveError} title="Could not save the plan" />}
      {s.view && s.viewError && <ErrorBox error={s.viewError} title="This version of the plan cannot be projected" />}
      {body}
    </div>
  );
}

/**
 * A rolling-spend sparkline with the cap as a dashed line: one path for the line and one for its
 * area, built once per series (memoised on the values array, which structural sharing keeps).
 */
export const Sparkline = memo(function Sparkline({ values, cap, label }: { values: number[]; cap: number | null; label: string }) {
  const w = 120;
  const h = 28;
  if (values.length < 2) return <span className="muted small">no history</span>;
  let high = 0;
  for (const v of values) if (v > high) high = v;
  // A cap far above the spend would flatten the line: it is left out of the scale then.
  const showCap = cap !== null && cap <= high * 1.5;
  const top = Math.max(high, showCap ? (cap ?? 0) : 0) * 1.08 || 1;
  const step = w / (values.length - 1);
  let line = '';
  for (let i = 0; i < values.length; i++) line += `${i ? 'L' : 'M'}${(i * step).toFixed(1)},${(h - ((values[i] ?? 0) / top) * h).toFixed(1)}`;
  const capY = showCap && cap !== null ? h - (cap / top) * h : null;
  return (
    <svg className="spark" width={w} height={h} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={label}>
      <path d={`${line}L${w},${h}L0,${h}Z`} className="spark-area" />
      <path d={line} className="spark-line" />
      {capY !== null && <line x1={0} x2={w} y1={capY} y2={capY} className="spark-cap" />}
    </svg>
  );
});

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}
