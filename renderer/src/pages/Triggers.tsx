import { memo, useEffect, useMemo, useRef, useState } from 'react';
import { Empty, Modeling } from '../modeling/parts.tsx';
import { Chip } from '../components/Chip.tsx';
import { NoData } from '../components/FirstRun.tsx';
import { TriggerDetail } from '../modeling/KeyDetail.tsx';
import { openDetail, useDetail } from '../modeling/detail.ts';
import { STATUS_LABEL, STATUS_RANK } from '../../../src/views/status.ts';
import { applyEdit, useEditorSelect } from '../modeling/store.ts';
import { useVirtualRows } from '../modeling/virtual-rows.ts';
import { VirtualBody } from '../modeling/VirtualBody.tsx';
import { programmaticBlockedReason, setTriggerLimit, setTriggerMode } from '../../../src/modeling/plan-edits.ts';
import { fmtCount, fmtDelay, fmtUsd } from '../modeling/format.ts';
import type { ModelTrigger, TriggerAdvice } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';
import { EditedPlanProfile } from '../components/EditedPlanProfile.tsx';
import { RenameEntity, TriggerKindMenu } from '../import/EntityEdits.tsx';
import { otherReading } from '../components/limit-readings.ts';
import type { EnforcementProfile } from '../../../src/engine/plan.ts';

/** The limit override: empty = the default for the mode, "none" or -1 = no limit. */
function LimitInput({ t }: { t: ModelTrigger }) {
  const shown = t.limitPer24h === null ? '' : t.limitPer24h === -1 ? 'none' : String(t.limitPer24h);
  const [text, setText] = useState<string | null>(null);
  const value = text ?? shown;
  const parse = (v: string): number | null | 'invalid' => {
    const x = v.trim().toLowerCase();
    if (x === '') return null;
    if (x === 'none' || x === '-1') return -1;
    return /^\d+$/.test(x) ? Number(x) : 'invalid';
  };
  const parsed = parse(value);
  const commit = () => {
    if (text === null) return;
    setText(null);
    if (parsed !== 'invalid' && parsed !== t.limitPer24h) applyEdit((p) => setTriggerLimit(p, t.id, parsed, { kind: t.kind }), `limit of ${t.name}`);
  };
  return (
    <input
      className={`num-input${parsed === 'invalid' ? ' invalid' : ''}`}
      aria-label={`Runs per 24 h allowed for ${t.name} (empty for the default, none for no limit)`}
      aria-invalid={parsed === 'invalid'}
      // the default as applied under this plan's reading: 42 for a programmatic trigger too under the platform's code
      placeholder={t.limitPer24h === null && t.limit !== null ? `default ${t.limit}` : 'no limit'}
      data-nav="limit"
      value={value}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setText(null);
      }}
    />
  );
}

function Draft({ t, advice, onClose }: { t: ModelTrigger; advice: TriggerAdvice | null; onClose: () => void }) {
  const body =
    advice?.request?.body ??
    [
      "To: the platform's support address",
      `Subject: Raise the execution limit for trigger "${t.name}"`,
      '',
      `We would like a higher execution limit for the ${t.kind} trigger "${t.name}" (id ${t.id}).`,
      `Over ${t.runsPerDay.days} days it ran a median of ${t.runsPerDay.median}, a 95th percentile of ${t.runsPerDay.p95} and at most ${t.runsPerDay.max} times a day;`,
      `under this plan ${t.delayed} runs waited and ${t.dropped + t.skipped} were dropped or skipped.`,
      '',
      'Use case: [what the trigger does and why each run matters]',
    ].join('\n');
  const [copied, setCopied] = useState(false);
  const panel = useRef<HTMLDivElement | null>(null);
  const heading = useRef<HTMLHeadingElement | null>(null);
  // into view when opened for a trigger, not on each render (which would move the page under a click);
  // the focus comes along, so the keyboard reaches Copy without tabbing through the whole table
  useEffect(() => {
    panel.current?.scrollIntoView({ block: 'nearest' });
    heading.current?.focus({ preventScroll: true });
  }, [t.id]);
  const close = () => {
    onClose();
    // back to the button that opened it, when its row is drawn
    requestAnimationFrame(() => document.querySelector<HTMLElement>(`tr[data-trigger="${CSS.escape(t.id)}"] button[data-support]`)?.focus());
  };
  return (
    <div className="panel" role="region" aria-label={`Support request for ${t.name}`} data-testid="support-draft" ref={panel}>
      <h2 ref={heading} tabIndex={-1}>
        Support request for “{t.name}”
      </h2>
      {advice && <p className="muted small">{advice.reason}</p>}
      <textarea className="draft" aria-label="Support request text" readOnly value={body} />
      <div className="actions">
        <button
          type="button"
          className="button primary"
          onClick={() => {
            void navigator.clipboard?.writeText(body).then(() => setCopied(true), () => setCopied(false));
          }}
        >
          {copied ? 'Copied' : 'Copy the request'}
        </button>
        <button type="button" className="button" onClick={close}>
          Close
        </button>
      </div>
    </div>
  );
}

interface TriggerRowProps {
  t: ModelTrigger;
  advice: TriggerAdvice | null;
  /** why this trigger cannot be programmatic under the plan's profile, or null */
  why: string | null;
  /** the reading the plan is simulated under: the row says the other one's limit where it differs */
  profile: EnforcementProfile;
  index: number;
  open: boolean;
  onDraft: (id: string) => void;
  measure: (el: HTMLTableRowElement | null) => void;
}

/**
 * One trigger's row. Memoised: its props are the trigger's own objects (kept across projections
 * by store.ts's structural sharing), so an edit re-renders only the rows whose figures changed.
 */
const TriggerRow = memo(function TriggerRow({ t, advice, why, profile, index, open, onDraft, measure }: TriggerRowProps) {
  const other = otherReading(t, profile);
  return (
    <tr
      ref={measure}
      data-index={index}
      data-trigger={t.id}
      className={open ? 'clickable selected vrow-trigger' : 'clickable vrow-trigger'}
      onClick={(e) => {
        if ((e.target as HTMLElement).closest('input, button, select')) return;
        openDetail({ kind: 'trigger', id: t.id });
      }}
    >
      <th>
        <div className="cell-line">
          <button type="button" className="link" aria-label={`Details of ${t.name}`} aria-expanded={open} onClick={() => openDetail({ kind: 'trigger', id: t.id })}>
            {t.name}
          </button>
          {t.inferred && <span className="tag">from events</span>}
        </div>
        <div className="cell-line">
          <TriggerKindMenu id={t.id} name={t.name} kind={t.kind} />
          <RenameEntity type="trigger" id={t.id} name={t.name} />
          <span className="muted small">{t.id}</span>
        </div>
      </th>
      <td>
        <select
          aria-label={`Mode of ${t.name}`}
          value={t.mode}
          aria-describedby={why ? `why-${t.id}` : undefined}
          onChange={(e) => applyEdit((p) => setTriggerMode(p, t.id, e.target.value as ModelTrigger['mode'], { kind: t.kind }), `mode of ${t.name}`)}
        >
          <option value="fair_use">fair use</option>
          <option value="programmatic" disabled={why !== null}>
            programmatic
          </option>
        </select>
        {why && (
          <div className="why" id={`why-${t.id}`} title={why}>
            Fair use only: only webhook triggers can be programmatic.
          </div>
        )}
        {t.mode === 'programmatic' && t.programmaticUsd > 0 && <div className="muted small">{fmtUsd(t.programmaticUsd)} billed</div>}
      </td>
      <td>
        <LimitInput t={t} />
        <div className="muted small">{t.limit === null ? 'no limit' : `${fmtCount(t.limit)} applied`}</div>
        {other && (
          <div className="small other-reading" title={other.why} data-testid="other-reading">
            {other.text}
            <span className="visually-hidden">. {other.why}</span>
          </div>
        )}
      </td>
      <td className="num wide-only">
        {fmtCount(t.runsPerDay.median)} · {fmtCount(t.runsPerDay.p95)} · {fmtCount(t.runsPerDay.max)}
      </td>
      <td className="num">
        {fmtCount(t.delayed)} · {fmtCount(t.dropped + t.skipped)}
      </td>
      <td className="num wide-only">
        {fmtDelay(t.p95DelayMs)} · {fmtDelay(t.maxDelayMs)}
      </td>
      <td>
        <Chip status={t.status} />
        {(t.rateLimited || (advice !== null && advice.request !== null)) && (
          <div>
            <button type="button" className="button small nowrap" data-support aria-label={`Draft a support request for ${t.name}`} onClick={() => onDraft(t.id)}>
              Support request
            </button>
          </div>
        )}
      </td>
    </tr>
  );
});

const COLUMN_COUNT = 7;
/** a trigger's row, laid out at this height (modeling.css .vrow-trigger) */
const TRIGGER_ROW_PX = 84;
const triggerId = (t: ModelTrigger): string => t.id;
const byStatus = (a: ModelTrigger, b: ModelTrigger): number => STATUS_RANK[b.status] - STATUS_RANK[a.status] || b.delayed + b.dropped - (a.delayed + a.dropped) || a.name.localeCompare(b.name);

function TriggersTable({ triggers, advice }: { triggers: ModelTrigger[]; advice: TriggerAdvice[] | null }) {
  const [draftFor, setDraftFor] = useState<string | null>(null);
  const detail = useDetail();
  const profile = useEditorSelect((s) => s.history?.present.enforcement.profile);
  const [filter, setFilter] = useState('');
  const sorted = useMemo(() => {
    const q = filter.trim().toLowerCase();
    const shown = q === '' ? triggers : triggers.filter((t) => `${t.name} ${t.id} ${t.kind} ${t.mode} ${STATUS_LABEL[t.status]}`.toLowerCase().includes(q));
    return [...shown].sort(byStatus);
  }, [triggers, filter]);
  const adviceById = useMemo(() => new Map((advice ?? []).map((a) => [a.id, a])), [advice]);
  const whyWebhook = useMemo(() => programmaticBlockedReason('webhook', profile), [profile]);
  const whyScheduled = useMemo(() => programmaticBlockedReason('scheduled', profile), [profile]);
  const v = useVirtualRows(sorted, triggerId, TRIGGER_ROW_PX);
  if (triggers.length === 0) return <NoData why="No trigger appears in the history or the plan yet: the consumption export records each trigger run." />;
  const open = draftFor === null ? null : (triggers.find((t) => t.id === draftFor) ?? null);
  const shown = detail?.kind === 'trigger' ? (triggers.find((t) => t.id === detail.id) ?? null) : null;
  return (
    <>
      {shown && <TriggerDetail t={shown} advice={adviceById.get(shown.id) ?? null} />}
      <div className="toolbar">
        <input type="search" aria-label="Filter triggers" placeholder="Filter triggers" value={filter} onChange={(e) => setFilter(e.target.value)} />
      </div>
      <div className="table-wrap vtable" ref={v.scrollRef}>
        <table data-testid="model-triggers-table">
          <thead ref={v.headRef}>
            <tr>
              <th>Trigger</th>
              <th>Mode</th>
              <th>Limit per 24 h</th>
              <th className="num wide-only">Runs per day (median · p95 · max)</th>
              <th className="num">Delayed · dropped</th>
              <th className="num wide-only">Wait (p95 · max)</th>
              <th>Status</th>
            </tr>
          </thead>
          <VirtualBody
            v={v}
            columns={COLUMN_COUNT}
            row={(t, index) => (
              <TriggerRow
                key={t.id}
                t={t}
                advice={adviceById.get(t.id) ?? null}
                why={t.kind === 'webhook' ? whyWebhook : whyScheduled}
                profile={profile ?? 'documented'}
                index={index}
                open={shown?.id === t.id}
                onDraft={setDraftFor}
                measure={v.measure}
              />
            )}
          />
        </table>
        {sorted.length === 0 && <Empty>No trigger matches “{filter}”.</Empty>}
      </div>
      {open && <Draft t={open} advice={adviceById.get(open.id) ?? null} onClose={() => setDraftFor(null)} />}
    </>
  );
}

export function TriggersPage() {
  return (
    <Modeling title="Triggers" subtitle="Modes and limits of webhook and scheduled triggers: what waits, what is dropped, and what to ask support for." testId="triggers-page">
      {({ view, advice }) => (
        <>
          <EditedPlanProfile />
          <TriggersTable triggers={view.triggers} advice={advice?.triggers ?? null} />
        </>
      )}
    </Modeling>
  );
}
