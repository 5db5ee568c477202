import { useState } from 'react';
import { Modeling } from '../modeling/parts.tsx';
import { applyEdit } from '../modeling/store.ts';
import { addSpendLimit, removeSpendLimit, setSpendLimit, setWorkspace } from '../../../src/modeling/plan-edits.ts';
import { allowanceOf, poolOf } from '../../../src/engine/plan.ts';
import type { Plan, SpendLimitWindow } from '../../../src/engine/plan.ts';
import { fmtCount, fmtShare, fmtUsd, parseMoney } from '../modeling/format.ts';
import type { ModelView } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';
import { Chip } from '../components/Chip.tsx';
import { limitStatus, shareOf } from '../../../src/views/status.ts';

const WINDOWS: { id: SpendLimitWindow; label: string }[] = [
  { id: 'utc-day', label: 'per UTC day' },
  { id: 'calendar-month', label: 'per calendar month' },
  { id: 'rolling-30d', label: 'per rolling 30 days' },
];

/**
 * A number field that records each change as an edit, typing in one field being one undo step.
 * Shows what was typed while it is not a valid value, and the plan's value otherwise.
 */
function NumberField({ label, value, field, parse, onValue, hint, hideLabel }: { label: string; value: number | null; field: string; parse: (t: string) => number | null | 'invalid'; onValue: (v: number | null) => void; hint?: string; hideLabel?: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const shown = text ?? (value === null ? '' : String(value));
  const bad = text !== null && parse(text) === 'invalid';
  return (
    <label>
      <span className={hideLabel ? 'visually-hidden' : undefined}>{label}</span>
      <input
        className={`num-input${bad ? ' invalid' : ''}`}
        inputMode="decimal"
        aria-invalid={bad}
        value={shown}
        data-field={field}
        onChange={(e) => {
          setText(e.target.value);
          const v = parse(e.target.value);
          if (v !== 'invalid') {
            try {
              onValue(v);
            } catch {
              // refused by the plan's rules: stays red until fixed
              setText(e.target.value);
            }
          }
        }}
        onBlur={() => setText(null)}
      />
      {hint && <span className="hint">{hint}</span>}
    </label>
  );
}

const wholeNumber = (t: string): number | null | 'invalid' => (t.trim() === '' ? null : /^\d+$/.test(t.trim()) ? Number(t.trim()) : 'invalid');
const required = (p: (t: string) => number | null | 'invalid') => (t: string) => {
  const v = p(t);
  return v === null ? 'invalid' : v;
};
const percent = (t: string): number | null | 'invalid' => {
  const v = parseMoney(t.replace('%', ''));
  return v === null || v === 'invalid' || v > 100 ? 'invalid' : v / 100;
};

function Figures({ plan, view }: { plan: Plan; view: ModelView }) {
  const allowance = allowanceOf(plan);
  const pool = poolOf(plan.workspace.fairUseShare, allowance);
  const fin = (n: number) => (Number.isFinite(n) ? fmtCount(n) : 'unlimited');
  const w = view.workspace;
  // the same words and threshold as the Overview's (src/views); a full pool held runs back
  const allowanceStatus = limitStatus(w.blockedMessages, shareOf(w.allowancePeak, w.allowance));
  const poolStatus = limitStatus(w.pool !== null && w.poolPeak >= w.pool ? 1 : 0, shareOf(w.poolPeak, w.pool));
  return (
    <div className="cards figure-row" aria-label="Allowance and pool">
      <div className={`card tone-${allowanceStatus}`} data-testid="allowance-figure">
        <div className="card-value">{fin(allowance)}</div>
        <div className="card-label">
          messages per 24 h (allowance) <Chip status={allowanceStatus} />
        </div>
        <div className="hint">
          peak {fmtCount(w.allowancePeak)} · {fmtCount(w.blockedMessages)} of people’s messages blocked
        </div>
      </div>
      <div className={`card tone-${poolStatus}`} data-testid="pool-figure">
        <div className="card-value">{fin(pool)}</div>
        <div className="card-label">
          fair-use trigger runs per 24 h (pool) <Chip status={poolStatus} />
        </div>
        <div className="hint">peak {fmtCount(w.poolPeak)}</div>
      </div>
      {w.spendLimits.map((l) => (
        <div key={l.id} className={`card tone-${limitStatus(l.blocked, shareOf(l.peakUsd, l.amountUsd))}`}>
          <div className="card-value">{fmtUsd(l.peakUsd)}</div>
          <div className="card-label">
            peak of the “{l.id}” limit ({fmtUsd(l.amountUsd)}) <Chip status={limitStatus(l.blocked, shareOf(l.peakUsd, l.amountUsd))} />
          </div>
          <div className="hint">
            {fmtCount(l.blocked)} blocked · {fmtCount(l.delayed)} delayed
          </div>
        </div>
      ))}
    </div>
  );
}

export function WorkspacePage() {
  return (
    <Modeling title="Workspace" subtitle="Seats, messages and workspace spend limits: the shared capacity every key and trigger draws on." testId="workspace-page">
      {({ history, view }) => {
        if (!history) return null;
        const plan = history.present;
        const ws = plan.workspace;
        return (
          <>
            <section className="panel" aria-labelledby="ws-seats">
              <h2 id="ws-seats">Seats and fair use</h2>
              <div className="form-grid">
                <NumberField label="Active seats" field="seats" value={ws.seats} parse={required(wholeNumber)} onValue={(v) => applyEdit((p) => setWorkspace(p, { seats: v ?? 0 }), 'seats', 'workspace.seats')} />
                <NumberField
                  label="Messages per seat per day"
                  field="messages"
                  value={ws.messagesPerSeatPerDay}
                  parse={wholeNumber}
                  hint="empty = unlimited"
                  onValue={(v) => applyEdit((p) => setWorkspace(p, { messagesPerSeatPerDay: v }), 'messages per seat', 'workspace.messages')}
                />
                <NumberField
                  label="Fair-use share (%)"
                  field="share"
                  value={Math.round(ws.fairUseShare * 1000) / 10}
                  parse={percent}
                  hint={`${fmtShare(ws.fairUseShare)} of the allowance for fair-use triggers`}
                  onValue={(v) => applyEdit((p) => setWorkspace(p, { fairUseShare: v ?? 0 }), 'fair-use share', 'workspace.share')}
                />
              </div>
              <Figures plan={plan} view={view} />
            </section>
            <section className="panel" aria-labelledby="ws-limits">
              <h2 id="ws-limits" tabIndex={-1}>
                Workspace spend limits
              </h2>
              <p className="muted small">Every API key and programmatic trigger counts against each limit.</p>
              {ws.spendLimits.length === 0 ? (
                <p className="muted">No workspace spend limit: only the keys’ own caps hold spend back.</p>
              ) : (
                <table className="compact" data-testid="spend-limits">
                  <thead>
                    <tr>
                      <th scope="col">Limit</th>
                      <th scope="col">Window</th>
                      <th scope="col">Amount ($)</th>
                      <th scope="col" className="num">Peak spend</th>
                      <th>
                        <span className="visually-hidden">Remove</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {ws.spendLimits.map((l, i) => {
                      const seen = view.workspace.spendLimits.find((x) => x.id === l.id);
                      return (
                        <tr key={l.id}>
                          <th>{l.id}</th>
                          <td>
                            <select aria-label={`Window of the ${l.id} limit`} value={l.window} onChange={(e) => applyEdit((p) => setSpendLimit(p, i, { window: e.target.value as SpendLimitWindow }), `window of ${l.id}`)}>
                              {WINDOWS.map((w) => (
                                <option key={w.id} value={w.id}>
                                  {w.label}
                                </option>
                              ))}
                            </select>
                          </td>
                          <td className="form-grid-inline">
                            <NumberField label={`Amount of the ${l.id} limit in dollars`} hideLabel field={`limit-${l.id}`} value={l.amountUsd} parse={required(parseMoney)} onValue={(v) => applyEdit((p) => setSpendLimit(p, i, { amountUsd: v ?? 0 }), `amount of ${l.id}`, `limit.${l.id}`)} />
                          </td>
                          <td className="num">{seen ? fmtUsd(seen.peakUsd) : '…'}</td>
                          <td>
                            <button type="button" className="button small" aria-label={`Remove the ${l.id} limit`} onClick={() => {
                                applyEdit((p) => removeSpendLimit(p, i), `remove ${l.id}`);
                                // its row, and the button with it, is gone: the section keeps the focus
                                document.getElementById('ws-limits')?.focus();
                              }}>
                              Remove
                            </button>
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              )}
              <div className="actions">
                {WINDOWS.map((w) => (
                  <button key={w.id} type="button" className="button small" onClick={() => applyEdit((p) => addSpendLimit(p, w.id, 1000), `add a limit ${w.label}`)}>
                    + Limit {w.label}
                  </button>
                ))}
              </div>
            </section>
          </>
        );
      }}
    </Modeling>
  );
}
