import { useMemo } from 'react';
import { HistoryChart } from '../charts/HistoryChart.tsx';
import { Chip } from '../components/Chip.tsx';
import { applyEdit } from './store.ts';
import { openDetail } from './detail.ts';
import { fmtCount, fmtDate, fmtDollars, fmtShare, fmtUsd } from './format.ts';
import { setKeyCaps } from '../../../src/modeling/plan-edits.ts';
import { keyHistoryChart } from '../../../src/projection/key-history.ts';
import { rollingShown, showKeyAdvice } from '../../../src/views/key-advice.ts';
import type { KeyAdvice, ModelKey, ModelTrigger, TriggerAdvice, ModelView } from '../../../src/modeling/types.ts';
import type { Status } from '../../../src/views/status.ts';

/**
 * A key's detail: its history with the cap and the recommended cap, the percentiles the
 * recommendation stands on, the runaway days it leaves out, the forecast band, what each cap
 * would have blocked, and the sentence of reasoning; or "revoke?" for a key nobody uses.
 */
/** A detail panel's title with its status, and the button that closes it. */
function DetailHead({ id, name, status }: { id: string; name: string; status: Status }) {
  return (
    <div className="detail-head">
      <h2 id={`detail-${id}`}>
        {name} <Chip status={status} />
      </h2>
      <button type="button" className="button small" onClick={() => openDetail(null)}>
        Close
      </button>
    </div>
  );
}

export function KeyDetail({ k, advice, view, windowDays, headroom }: { k: ModelKey; advice: KeyAdvice | null; view: ModelView; windowDays: number; headroom: number }) {
  const shown = advice ? showKeyAdvice(advice, k.lastUsed, view.to, headroom) : null;
  const rolling = advice ? rollingShown(advice, fmtDollars) : null;
  const recommended = shown?.kind === 'cap' ? shown.capUsd : null;
  const chart = useMemo(
    () =>
      keyHistoryChart({
        from: view.from ?? 0,
        rolling: k.rolling,
        windowDays,
        capUsd: k.capUsd,
        recommendedUsd: recommended,
        band: advice?.projectedPeak ?? null,
        incidents: advice?.incidents.map((i) => i.date) ?? [],
        width: 900,
      }),
    [view.from, k.rolling, k.capUsd, windowDays, recommended, advice],
  );
  return (
    <section className="panel detail" role="region" aria-labelledby={`detail-${k.id}`} data-testid="key-detail">
      <DetailHead id={k.id} name={k.name} status={k.status} />
      <p className="muted small">
        {k.id} · {fmtCount(k.requests)} requests · last used {fmtDate(k.lastUsed)}
        {k.cappedUntil !== null && k.episodes > 0 && <> · capped out {k.episodes}×, last until {fmtDate(k.cappedUntil)}</>}
      </p>
      {shown?.kind === 'revoke' ? (
        <p className="advice revoke" data-testid="key-reasoning">
          <strong>Revoke?</strong> {shown.sentence}
        </p>
      ) : shown ? (
        <div className="advice" data-testid="key-reasoning">
          <p>
            <strong>Recommended cap {fmtDollars(shown.capUsd)}</strong>
            {k.capUsd !== null ? ` (now ${fmtDollars(k.capUsd)})` : ' (no cap now)'}: {shown.sentence}
          </p>
          {shown.caution && (
            <p className="warning" data-testid="key-caution">
              <strong>{advice?.capBasis === 'observed_spend' ? 'Provisional cap.' : 'Short history.'}</strong> {shown.caution}
            </p>
          )}
          {shown.explained && <p className="muted">{shown.explained}</p>}
          {advice?.blockedUntilIfSetNow && <p className="muted">Set now, it blocks the key until about {advice.blockedUntilIfSetNow}: the window already holds more.</p>}
        </div>
      ) : (
        <p className="muted">The recommendation is being computed…</p>
      )}
      <HistoryChart chart={chart} title={`${k.name}: rolling ${windowDays}-day spend`} testId="key-history-chart" />
      <dl className="figures detail-figures">
        {rolling?.kind === 'history' ? (
          // under 30 days of history there is no 30-day window: what it spent over its days
          <div data-testid="key-history-spend">
            <dt>Spent over its history</dt>
            <dd>{rolling.text}</dd>
          </div>
        ) : (
          <div>
            <dt>Ordinary rolling {windowDays}-day spend p50 · p90 · p99</dt>
            <dd>{rolling ? `${fmtDollars(rolling.p50)} · ${fmtDollars(rolling.p90)} · ${fmtDollars(rolling.p99)}` : '…'}</dd>
          </div>
        )}
        <div>
          <dt>Peak (whole history)</dt>
          <dd>
            {fmtDollars(k.peakUsd)}
            {k.peakShare !== null && <span className="muted small"> {fmtShare(k.peakShare)} of cap</span>}
          </dd>
        </div>
        <div>
          <dt>Forecast peak, next 30 days (P10–P90)</dt>
          <dd>{advice ? `${fmtDollars(advice.projectedPeak.p10)}–${fmtDollars(advice.projectedPeak.p90)}` : '…'}</dd>
        </div>
        <div data-testid="blocked-current">
          <dt>Blocked by the current cap</dt>
          <dd>
            {fmtCount(k.blockedByCap)} requests{k.blockedByCap > 0 && <span className="muted small"> {fmtUsd(k.blockedUsd)}</span>}
          </dd>
        </div>
        <div data-testid="blocked-recommended">
          <dt>Would the recommended cap block</dt>
          <dd>{advice ? `${fmtCount(advice.blockedIfRecommended)} requests` : '…'}</dd>
        </div>
      </dl>
      {advice && advice.incidents.length > 0 && (
        <div>
          <h3 className="small-h">Runaway days left out ({advice.incidents.length})</h3>
          <ul className="small incidents">
            {advice.incidents.slice(0, 8).map((i) => (
              <li key={i.date}>
                {i.date}: asked for {fmtDollars(i.requestedUsd)}, counted at the ordinary ceiling of {fmtDollars(i.ordinaryCeilingUsd)}
              </li>
            ))}
          </ul>
        </div>
      )}
      {shown?.kind === 'cap' && shown.capUsd !== k.capUsd && (
        <div className="actions">
          <button type="button" className="button primary" onClick={() => applyEdit((p) => setKeyCaps(p, [k.id], shown.capUsd), `recommended cap of ${k.name}`)}>
            Set the cap to {fmtDollars(shown.capUsd)}
          </button>
        </div>
      )}
    </section>
  );
}

/** A trigger's detail: its runs per day, what waited or was dropped, and what to do about it. */
export function TriggerDetail({ t, advice }: { t: ModelTrigger; advice: TriggerAdvice | null }) {
  return (
    <section className="panel detail" role="region" aria-labelledby={`detail-${t.id}`} data-testid="trigger-detail">
      <DetailHead id={t.id} name={t.name} status={t.status} />
      <p className="muted small">
        {t.id} · {t.kind} · {t.mode === 'fair_use' ? 'fair use' : 'programmatic'} · limit {t.limit === null ? 'none' : `${fmtCount(t.limit)} per 24 h`}
      </p>
      <p className="advice" data-testid="trigger-reasoning">
        {advice ? advice.reason : 'The recommendation is being computed…'}
      </p>
      {advice && advice.alternatives.length > 0 && (
        <ul className="small">
          {advice.alternatives.map((a) => (
            <li key={a}>{a}</li>
          ))}
        </ul>
      )}
      <dl className="figures detail-figures">
        <div>
          <dt>Runs per day (median · p95 · max, {t.runsPerDay.days} days)</dt>
          <dd>
            {fmtCount(t.runsPerDay.median)} · {fmtCount(t.runsPerDay.p95)} · {fmtCount(t.runsPerDay.max)}
          </dd>
        </div>
        <div>
          <dt>Delayed</dt>
          <dd>{fmtCount(t.delayed)}</dd>
        </div>
        <div>
          <dt>Dropped or skipped</dt>
          <dd>{fmtCount(t.dropped + t.skipped)}</dd>
        </div>
        <div>
          <dt>Requested limit</dt>
          <dd>{advice?.requestedLimit != null ? fmtCount(advice.requestedLimit) : '—'}</dd>
        </div>
      </dl>
    </section>
  );
}
