import { useEffect, useRef, useState } from 'react';
import { Area, ComposedChart, CartesianGrid, Line, Tooltip, XAxis, YAxis } from 'recharts';
import { Modeling } from '../modeling/parts.tsx';
import { NoData } from '../components/FirstRun.tsx';
import { PlanProfileSwitch } from '../components/EditedPlanProfile.tsx';
import { MIN_HISTORY_DAYS } from '../../../src/forecast/series.ts';
import type { ModelView } from '../../../src/modeling/types.ts';
import { useEditor } from '../modeling/store.ts';
import { call, newJobId, onProgress, toError } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import type { ApiError } from '../../../src/api/errors.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import type { ForecastReport } from '../../../src/forecast/index.ts';
import { capOnCurve, RISK_RANGE } from '../../../src/forecast/cap-risk.ts';
import { PROFILE_WORDS, profileDifferences } from '../../../src/forecast/profile-differences.ts';
import { fmtCount, fmtDate, fmtDollars, fmtShare } from '../modeling/format.ts';
import { NOTHING, duration } from '../format.ts';
import { tickLabel, valueScale } from '../../../src/projection/scale.ts';
import { useWidth } from '../charts/useWidth.ts';
import '../modeling/modeling.css';

interface Knobs {
  days: number;
  paths: number;
  seats: string;
  keyGrowth: string;
  triggerGrowth: string;
}

/** The knobs move in bursts; forecasting takes seconds, so it waits for a pause. */
const FORECAST_DEBOUNCE_MS = 600;
const JOB = newJobId('forecast');
const CHART_H = 170;

const pctInput = (t: string): number | undefined => {
  const v = Number(t.replace('%', '').replace(',', '.'));
  return t.trim() === '' || !Number.isFinite(v) ? undefined : v / 100;
};

function useForecast(plan: Plan | null, knobs: Knobs) {
  // bumped by "Forecast again" after a cancel: the same plan and knobs, asked again
  const [attempt, setAttempt] = useState(0);
  const [data, setData] = useState<ForecastReport | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [cancelled, setCancelled] = useState(false);
  const seq = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(() => onProgress((e) => e.jobId === JOB && setProgress(e.total ? e.done / e.total : null)), []);
  useEffect(() => {
    if (!plan) return;
    const mine = ++seq.current;
    setBusy(true);
    setCancelled(false);
    const seats = knobs.seats.trim() === '' ? undefined : Number(knobs.seats);
    const t = (timer.current = setTimeout(() => {
      call('model-forecast', {
        plan,
        days: knobs.days,
        paths: knobs.paths,
        whatIf: {
          ...(seats !== undefined && Number.isInteger(seats) && seats >= 0 ? { seats } : {}),
          ...(pctInput(knobs.keyGrowth) !== undefined ? { keyGrowth: pctInput(knobs.keyGrowth) } : {}),
          ...(pctInput(knobs.triggerGrowth) !== undefined ? { triggerGrowth: pctInput(knobs.triggerGrowth) } : {}),
        },
        jobId: JOB,
      })
        .then((d) => {
          if (mine !== seq.current) return;
          setData(d);
          setError(null);
          setBusy(false);
          setProgress(null);
        })
        .catch((err: unknown) => {
          const e = toError(err);
          if (mine !== seq.current) return;
          if (e.code === 'cancelled') {
            setCancelled(true);
            setBusy(false);
            setProgress(null);
            return;
          }
          setError(e);
          setBusy(false);
          setProgress(null);
        });
    }, FORECAST_DEBOUNCE_MS));
    return () => clearTimeout(t);
  }, [plan, knobs.days, knobs.paths, knobs.seats, knobs.keyGrowth, knobs.triggerGrowth, attempt]);
  // whether it is still waiting out the debounce or already running, it stops and its answer is ignored
  const cancel = () => {
    seq.current++;
    if (timer.current) clearTimeout(timer.current);
    setBusy(false);
    setProgress(null);
    setCancelled(true);
    void call('job-cancel', { jobId: JOB }).catch(() => undefined);
  };
  const again = () => setAttempt((n) => n + 1);
  return { data, error, busy, progress, cancelled, cancel, again };
}

function BandChart({ title, days, unit, testId }: { title: string; days: { date: string; p10: number; p50: number; p90: number }[]; unit: 'usd' | 'count'; testId: string }) {
  const scale = unit === 'usd' ? 1e-6 : 1;
  const points = days.map((d) => ({ t: Date.parse(d.date), band: [d.p10 * scale, d.p90 * scale] as [number, number], p50: d.p50 * scale }));
  const fmt = (v: number) => (unit === 'usd' ? fmtDollars(v) : fmtCount(Math.round(v)));
  // round steps ($10, $20, not $9, $18, $27), as the projection's charts have
  const y = valueScale(points.reduce((m, p) => Math.max(m, p.band[1], p.p50), 0));
  // as wide as its card, as the other charts are: a fixed width left half a wide card empty
  const [ref, width] = useWidth<HTMLDivElement>();
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong> <span className="muted">per day, median with the P10–P90 band</span>
      </figcaption>
      <div ref={ref} style={{ height: CHART_H }}>
        {width > 0 && (
          <ComposedChart width={width} height={CHART_H} data={points} margin={{ top: 8, right: 24, bottom: 0, left: 8 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" vertical={false} />
            <XAxis dataKey="t" type="number" scale="time" domain={['dataMin', 'dataMax']} tickFormatter={(t: number) => fmtDate(t)} minTickGap={40} stroke="var(--muted)" fontSize={11} />
            <YAxis width={60} stroke="var(--muted)" fontSize={11} domain={[0, y.top]} ticks={y.ticks} tickFormatter={(v: number) => tickLabel(v, unit)} />
            <Area dataKey="band" stroke="none" fill="var(--accent)" fillOpacity={0.18} isAnimationActive={false} />
            <Line dataKey="p50" stroke="var(--accent)" dot={false} strokeWidth={1.5} isAnimationActive={false} />
            <Tooltip
              labelFormatter={(t) => fmtDate(Number(t))}
              formatter={(v, name) => (Array.isArray(v) ? [`${fmt(Number(v[0]))} – ${fmt(Number(v[1]))}`, 'P10–P90'] : [fmt(Number(v)), name === 'p50' ? 'median' : String(name)])}
            />
          </ComposedChart>
        )}
      </div>
    </figure>
  );
}

/** Each model in an admin's words, with the statistician's name and what it means for a tooltip (docs/forecast.md). */
const MODELS: Record<string, { words: string; detail: string }> = {
  level: { words: 'steady level', detail: 'local level: no trend; the level follows the latest days and the band widens with the horizon' },
  trend: { words: 'straight-line trend', detail: 'linear trend: the same amount more (or less) each day' },
  growth: { words: 'growth by a share', detail: 'compounding growth: the same percentage more each day (a log-linear trend)' },
  flat: { words: 'short history', detail: 'under 14 days of history: its average, with a wide band' },
};
const modelWords = (m: string): string => MODELS[m]?.words ?? m;

/** The model chosen for a series, in words, the technical name on hover. */
function ModelName({ model }: { model: string }) {
  return <span title={MODELS[model]?.detail}>{modelWords(model)}</span>;
}
/** charts drawn at most; every key's band is in the table */
const MAX_CHARTS = 12;

function KeyBands({ f, names, risk }: { f: ForecastReport; names: Map<string, string>; risk: number }) {
  const keySeries = [...f.series.filter((s) => s.kind === 'key_spend')].sort((a, b) => b.total.p50 - a.total.p50);
  const caps = new Map(f.keyCaps.map((k) => [k.id, k]));
  return (
    <section aria-labelledby="fc-key-bands">
      <h2 id="fc-key-bands">Every key: the next {f.horizon.days} days and the cap at {fmtShare(risk)} risk</h2>
      <p className="muted small">
        Each series' model is the one that best forecast its own last days. On days a limit held a key down (its spend at its cap, nothing refused beyond it in the export),
        the export shows only what the limit let through: those days count as &ldquo;at least this much&rdquo; and the band is widened (&ldquo;censored&rdquo; days in the JSON report). The cap is the smallest round cap ordinary use reaches in at most {fmtShare(risk)} of the simulated futures.
      </p>
      <div className="table-wrap">
        <table data-testid="forecast-key-bands">
          <thead>
            <tr>
              <th>Key</th>
              <th>Model</th>
              <th>History</th>
              <th className="num">Spend in {f.horizon.days} days, P10 – P90 (P50)</th>
              <th className="num">Cap at this risk</th>
              <th className="num">Capped-out chance</th>
              <th className="num wide-only">Ordinary use blocked</th>
              <th className="num wide-only">Runaway spend stopped</th>
            </tr>
          </thead>
          <tbody>
            {keySeries.map((s) => {
              // read off the key's risk curve: the risk moves continuously, no new simulation
              const c = capOnCurve(caps.get(s.id)?.curve ?? [], risk);
              // a history too thin to forecast: its cap is the provisional one, its band drawn as that cap reads the history
              const provisional = caps.get(s.id)?.provisional ?? null;
              const history = [
                ...(provisional ? [provisional.warning] : []),
                ...(s.thinNote ? [s.thinNote] : []),
                ...(s.batchNote ? [s.batchNote] : []),
                s.censoredDays > 0 ? `held at its cap on ${fmtCount(s.censoredDays)} day${s.censoredDays === 1 ? '' : 's'}: read as at least that` : 'demand seen in full',
                ...(s.levelShift ? [`level shift ${fmtDate(Date.parse(s.levelShift))}`] : []),
                ...(s.runawayRate > 0 ? [`runaways on ${fmtShare(s.runawayRate)} of days`] : []),
                // a thin key's own note says what its band is
                ...(s.short && !s.thinNote ? ['short history: wider band'] : []),
                ...(s.censorNote !== null ? [s.censorNote] : []),
              ];
              return (
                <tr key={s.id} data-key={s.id}>
                  <th>{names.get(s.id) ?? s.id}</th>
                  <td data-testid="model">
                    <ModelName model={s.model} />
                  </td>
                  <td className="wrap" data-testid="censored">{history.join('; ')}</td>
                  <td className="num wrap">
                    {fmtDollars(s.total.p10 / 1e6)} – {fmtDollars(s.total.p90 / 1e6)} ({fmtDollars(s.total.p50 / 1e6)})
                  </td>
                  {provisional ? (
                    <>
                      <td className="num" data-testid="risk-cap" title={provisional.warning}>
                        {fmtDollars(provisional.capUsd)} <small className="warning">provisional</small>
                      </td>
                      <td className="num" title="too thin a history to state a chance">{NOTHING}</td>
                      <td className="num wide-only">{NOTHING}</td>
                      <td className="num wide-only">{NOTHING}</td>
                    </>
                  ) : (
                    <>
                      <td className="num" data-testid="risk-cap">{c ? fmtDollars(c.capUsd) : NOTHING}</td>
                      <td className="num">{c ? fmtShare(c.cappedOutChance) : NOTHING}</td>
                      <td className="num wide-only">{c ? fmtDollars(c.ordinaryBlockedUsd) : NOTHING}</td>
                      <td className="num wide-only">{c ? fmtDollars(c.runawayStoppedUsd) : NOTHING}</td>
                    </>
                  )}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Results({ f, plan, risk }: { f: ForecastReport; plan: Plan; risk: number }) {
  const names = new Map(plan.apiKeys.map((k) => [k.id, k.name ?? k.id]));
  const triggerNames = new Map(plan.triggers.map((t) => [t.id, t.name ?? t.id]));
  const mc = f.monteCarlo;
  const keySeries = [...f.series.filter((s) => s.kind === 'key_spend')].sort((a, b) => b.total.p50 - a.total.p50);
  const messages = f.series.find((s) => s.kind === 'messages');
  const heldNotes = f.series.filter((s) => s.kind !== 'key_spend' && s.censorNote !== null);
  const models = new Map<string, number>();
  for (const s of f.series) models.set(s.model, (models.get(s.model) ?? 0) + 1);
  return (
    <>
      <p className="muted">
        {fmtCount(f.horizon.days)} days from {fmtDate(Date.parse(f.horizon.from))} to {fmtDate(Date.parse(f.horizon.to))}, from {fmtCount(f.history.days)} days of history
        {mc && <>, {fmtCount(mc.paths)} simulated futures</>}.
      </p>
      <p className="muted" data-testid="forecast-models">
        How each series is forecast: {[...models].map(([k, v]) => `${modelWords(k)} (${fmtCount(v)})`).join(', ')}.{' '}
        {f.censored.length > 0
          ? `A limit held down the history of ${fmtCount(f.censored.length)} series (${f.censored
              .slice(0, 5)
              .map((c) => (c.kind === 'messages' ? 'people’s messages' : ((c.kind === 'key_spend' ? names : triggerNames).get(c.id) ?? c.id)))
              .join(', ')}${f.censored.length > 5 ? ', …' : ''}): on the days it was at its limit, demand is read as at least what went through, and the band widened.`
          : 'No limit held the history down: it shows the demand.'}
      </p>
      {heldNotes.length > 0 && (
        // the keys' own notes are in their table; a trigger's or the messages' only here
        <ul className="small" data-testid="forecast-held">
          {heldNotes.slice(0, 10).map((s) => (
            <li key={`${s.kind}:${s.id}`}>
              <strong>{s.kind === 'messages' ? 'People’s messages' : `Trigger ${triggerNames.get(s.id) ?? s.id}`}</strong>: {s.censorNote}
            </li>
          ))}
          {heldNotes.length > 10 && <li className="muted">and {fmtCount(heldNotes.length - 10)} more triggers (the notes below list them)</li>}
        </ul>
      )}
      <KeyBands f={f} names={names} risk={risk} />
      {mc && (
        <section aria-labelledby="fc-keys">
          <h2 id="fc-keys">When each key is likely to cap out</h2>
          <div className="table-wrap">
            <table data-testid="forecast-keys">
              <thead>
                <tr>
                  <th>Key</th>
                  <th className="num">Cap</th>
                  <th className="num">Chance within the horizon</th>
                  <th>Likely capped-out date (P10 · P50 · P90)</th>
                  <th className="num">Days capped out (P50)</th>
                  <th className="num">Denied spend (P10–P90)</th>
                </tr>
              </thead>
              <tbody>
                {[...mc.keys]
                  .sort((a, b) => b.firstCappedOut.probability - a.firstCappedOut.probability)
                  .map((k) => (
                    <tr key={k.id} data-key={k.id}>
                      <th>{names.get(k.id) ?? k.id}</th>
                      <td className="num">{k.cap === null ? 'no cap' : fmtDollars(k.cap)}</td>
                      <td className="num" title={k.thinHistory?.note}>
                        {fmtShare(k.firstCappedOut.probability)}
                        {k.thinHistory && (
                          // its cap is provisional: the chance rests on a few days, said beside it
                          <>
                            {' '}
                            <small className="warning" data-testid="thin-chance">
                              thin history: spend on {fmtCount(k.thinHistory.activeDays)} day{k.thinHistory.activeDays === 1 ? '' : 's'}
                            </small>
                          </>
                        )}
                      </td>
                      <td data-testid="capped-date">
                        {k.firstCappedOut.probability === 0 ? (
                          <span className="muted">does not cap out</span>
                        ) : (
                          <CappedDates d={k.firstCappedOut} horizonEnd={f.horizon.to} />
                        )}
                      </td>
                      <td className="num">{fmtCount(Math.round(k.daysCappedOut.p50 * 10) / 10)}</td>
                      <td className="num">
                        {fmtDollars(k.blockedUsd.p10)} – {fmtDollars(k.blockedUsd.p90)}
                      </td>
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </section>
      )}
      {mc && <TriggerOdds f={f} names={triggerNames} />}
      {mc && f.otherProfile && <OtherProfile f={f} other={f.otherProfile} names={triggerNames} keyNames={names} />}
      <section aria-labelledby="fc-bands">
        <h2 id="fc-bands">Expected demand</h2>
        {keySeries.length > MAX_CHARTS && (
          <p className="muted small" data-testid="charts-left-out">
            Charts for the {MAX_CHARTS} busiest keys; the other {fmtCount(keySeries.length - MAX_CHARTS)} keys' bands are in the table above.
          </p>
        )}
        <div className="band-grid">
          {keySeries.slice(0, MAX_CHARTS).map((s) => (
            <BandChart key={s.id} title={`${names.get(s.id) ?? s.id} spend`} days={s.days} unit="usd" testId={`band-${s.id}`} />
          ))}
          {messages && <BandChart title="People’s messages" days={messages.days} unit="count" testId="band-messages" />}
        </div>
      </section>
      {f.notes.length > 0 && (
        <ul className="muted small">
          {f.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </>
  );
}

/**
 * When a key first caps out, P10 · P50 · P90; a percentile whose futures do not cap out within the
 * horizon is said once ("not by Dec 1 in half the futures"), not repeated per column.
 */
function CappedDates({ d, horizonEnd }: { d: { p10: string | null; p50: string | null; p90: string | null }; horizonEnd: string }) {
  const at = (s: string) => fmtDate(Date.parse(s));
  const end = fmtDate(Date.parse(horizonEnd));
  if (d.p10 !== null && d.p50 !== null && d.p90 !== null) {
    return (
      <>
        {at(d.p10)} · <strong>{at(d.p50)}</strong> · {at(d.p90)}
      </>
    );
  }
  if (d.p10 !== null && d.p50 !== null) {
    return (
      <>
        {at(d.p10)} · <strong>{at(d.p50)}</strong> · <span className="muted">over 1 in 10 futures not by {end}</span>
      </>
    );
  }
  if (d.p10 !== null) {
    return (
      <>
        <strong>{at(d.p10)}</strong> at the earliest <span className="muted">· half the futures or more not by {end}</span>
      </>
    );
  }
  return <span className="muted">not by {end} in 9 futures of 10 or more</span>;
}

/** Triggers whose runs some path delays, drops or skips: the chance, then how many runs. */
function TriggerOdds({ f, names }: { f: ForecastReport; names: Map<string, string> }) {
  const mc = f.monteCarlo;
  if (!mc) return null;
  const rows = mc.triggers.filter((t) => t.delayChance + t.dropChance > 0).sort((a, b) => Math.max(b.delayChance, b.dropChance) - Math.max(a.delayChance, a.dropChance));
  return (
    <section aria-labelledby="fc-triggers">
      <h2 id="fc-triggers">Triggers whose runs may be held back</h2>
      {rows.length === 0 ? (
        <p className="muted" data-testid="forecast-trigger-odds-none">
          No trigger's runs are delayed, dropped or skipped in any of the {fmtCount(mc.paths)} simulated futures.
        </p>
      ) : (
        <div className="table-wrap">
          <table data-testid="forecast-trigger-odds" className="wrap-heads">
            <thead>
              <tr>
                <th>Trigger</th>
                <th className="num">Delayed: chance</th>
                <th className="num">Dropped or skipped: chance</th>
                <th>Held back by</th>
                <th className="num">Runs delayed, P50 · P90</th>
                <th className="num">Runs dropped, P50 · P90</th>
                <th className="num wide-only">Longest wait, P90</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.id} data-trigger={t.id}>
                  {/* an id has no spaces to wrap at: kept whole ("t_hoo" over "k" at 1024 px) */}
                  <th className={(names.get(t.id) ?? t.id) === t.id ? 'nowrap' : undefined}>
                    {names.get(t.id) ?? t.id}
                    {names.has(t.id) && names.get(t.id) !== t.id && <div className="muted small id-line">{t.id}</div>}
                  </th>
                  <td className="num" data-testid="delay-chance">{fmtShare(t.delayChance)}</td>
                  <td className="num" data-testid="drop-chance">{fmtShare(t.dropChance)}</td>
                  <td className="wrap" data-testid="trigger-causes">
                    <HeldBackBy causes={t.causes} />
                  </td>
                  <td className="num">
                    {fmtCount(Math.round(t.delayed.p50))} · {fmtCount(Math.round(t.delayed.p90))}
                  </td>
                  <td className="num">
                    {fmtCount(Math.round(t.dropped.p50 + t.skipped.p50))} · {fmtCount(Math.round(t.dropped.p90 + t.skipped.p90))}
                  </td>
                  <td className="num wide-only">{duration(t.maxDelayHours.p90 * 3_600_000)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p className="muted small">
        Chances are the share of simulated futures in which some of the trigger's runs within the horizon wait, or are dropped or skipped. "Held back by" names the limit that
        did it in each future (the trigger's own 24 h limit, the fair-use pool, the message allowance or a workspace spend limit) and in how many of them: one future can meet
        more than one.
      </p>
    </section>
  );
}


/**
 * The same futures decided under the other enforcement profile, where they fare differently
 * (src/forecast/profile-differences.ts): where the docs and the platform's code disagree, both.
 */
function OtherProfile({ f, other, names, keyNames }: { f: ForecastReport; other: NonNullable<ForecastReport['otherProfile']>; names: Map<string, string>; keyNames: Map<string, string> }) {
  const { triggers, keys } = profileDifferences(other);
  const here = PROFILE_WORDS[f.profile];
  const there = PROFILE_WORDS[other.profile];
  const band = (b: { p50: number; p90: number }) => `${fmtCount(Math.round(b.p50))} · ${fmtCount(Math.round(b.p90))}`;
  return (
    <section aria-labelledby="fc-other-profile" data-testid="forecast-other-profile">
      <h2 id="fc-other-profile">Under {there} instead</h2>
      <p className="muted small">
        The first {fmtCount(other.paths)} of the same simulated futures, decided as {there} decides them rather than as {here} (this plan's reading), each side over those futures.
        {other.notes.map((n) => ` ${n}.`).join('')}
      </p>
      {triggers.length === 0 && keys.length === 0 ? (
        <p className="muted" data-testid="forecast-other-profile-same">
          The same: no trigger's runs and no key's blocking by its cap fare differently under {there}.
        </p>
      ) : (
        <div className="table-wrap">
          <table className="wrap-heads" data-testid="forecast-other-profile-table">
            <thead>
              <tr>
                <th>Trigger or key</th>
                <th className="num">Runs delayed, P50 · P90: {here}</th>
                <th className="num">{there}</th>
                <th className="num">Dropped or skipped, P50 · P90: {here}</th>
                <th className="num">{there}</th>
              </tr>
            </thead>
            <tbody>
              {triggers.map((t) => (
                <tr key={t.id} data-trigger={t.id}>
                  <th>{names.get(t.id) ?? t.id}</th>
                  <td className="num">{band(t.here.delayed)}</td>
                  <td className="num">{band(t.there.delayed)}</td>
                  <td className="num">{band({ p50: t.here.dropped.p50 + t.here.skipped.p50, p90: t.here.dropped.p90 + t.here.skipped.p90 })}</td>
                  <td className="num">{band({ p50: t.there.dropped.p50 + t.there.skipped.p50, p90: t.there.dropped.p90 + t.there.skipped.p90 })}</td>
                </tr>
              ))}
              {keys.map((k) => (
                <tr key={`key:${k.id}`} data-key={k.id}>
                  <th>{keyNames.get(k.id) ?? k.id}</th>
                  <td className="num" colSpan={4}>
                    blocked by its cap in {fmtShare(k.there)} of futures under {there}, {fmtShare(k.here)} under {here}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type TriggerRow = NonNullable<ForecastReport['monteCarlo']>['triggers'][number];

/** Which limits delayed or dropped a trigger's runs, each with the share of futures it did. */
function HeldBackBy({ causes }: { causes: TriggerRow['causes'] }) {
  const lines: { key: string; text: string }[] = [];
  for (const c of causes) {
    if (c.delayChance > 0) lines.push({ key: `${c.cause}:d`, text: `delayed in ${fmtShare(c.delayChance)} of futures by ${c.label}` });
    if (c.dropChance > 0) lines.push({ key: `${c.cause}:x`, text: `dropped or skipped in ${fmtShare(c.dropChance)} by ${c.label}` });
  }
  if (lines.length === 0) return <span className="muted">–</span>;
  return (
    <>
      {lines.map((l, i) => (
        <span key={l.key} data-testid="trigger-cause">
          {i > 0 && <br />}
          {l.text}
        </span>
      ))}
    </>
  );
}

/** The cap risk as a percentage, 0.5–50 %: a slider and a number moving together. */
function RiskControl({ risk, onChange }: { risk: number; onChange: (r: number) => void }) {
  const [text, setText] = useState(String(Math.round(risk * 1000) / 10));
  const clamp = (r: number) => Math.min(RISK_RANGE.max, Math.max(RISK_RANGE.min, r));
  const fromSlider = (v: number) => {
    const r = clamp(v / 100);
    setText(String(Math.round(r * 1000) / 10));
    onChange(r);
  };
  const fromText = (t: string) => {
    setText(t);
    const v = Number(t.replace('%', '').replace(',', '.').trim());
    if (t.trim() !== '' && Number.isFinite(v)) onChange(clamp(v / 100));
  };
  return (
    <div className="risk-control">
      <label>
        Cap risk
        <input
          type="range"
          aria-label="Cap risk"
          aria-valuetext={`${fmtShare(risk)} chance of capping out`}
          min={RISK_RANGE.min * 100}
          max={RISK_RANGE.max * 100}
          step={0.5}
          value={risk * 100}
          onChange={(e) => fromSlider(Number(e.target.value))}
          data-testid="risk-slider"
        />
      </label>
      <label>
        <input
          className="num-input"
          aria-label="Cap risk (%)"
          inputMode="decimal"
          value={text}
          onChange={(e) => fromText(e.target.value)}
          onBlur={() => setText(String(Math.round(risk * 1000) / 10))}
          data-testid="risk-input"
        />{' '}
        % chance of capping out
      </label>
    </div>
  );
}

/** Whole UTC days from the first event's day to the last's: the forecast's own count is never more. */
function spanDays(from: number | null, to: number | null): number {
  if (from === null || to === null) return 0;
  return Math.floor(to / DAY_MS) - Math.floor(from / DAY_MS) + 1;
}
const DAY_MS = 86_400_000;

/** Too little history to forecast from: said as what to do, not as a failure. */
function ShortHistory({ days, from, to }: { days: number; from: number | null; to: number | null }) {
  return (
    <NoData
      why={`A forecast needs at least ${MIN_HISTORY_DAYS} days of history to learn each key’s weekly rhythm and trend; this ledger holds ${days} day${days === 1 ? '' : 's'} (${fmtDate(from)} to ${fmtDate(to)}). Import a longer export to forecast.`}
      action="Import more history"
    />
  );
}

function ForecastBody({ plan, view }: { plan: Plan; view: ModelView }) {
  const days = spanDays(view.from, view.to);
  if (days < MIN_HISTORY_DAYS) return <ShortHistory days={days} from={view.from} to={view.to} />;
  return <ForecastRun plan={plan} />;
}

function ForecastRun({ plan }: { plan: Plan }) {
  const [knobs, setKnobs] = useState<Knobs>({ days: 30, paths: 50, seats: '', keyGrowth: '', triggerGrowth: '' });
  const [risk, setRisk] = useState(0.05);
  const { data, error, busy, progress, cancelled, cancel: stop, again: retry } = useForecast(plan, knobs);
  // Cancel and "Forecast again" replace each other: the focus moves to the one that appears
  // instead of falling to the page's body (a keyboard user would start over from the top)
  const focusAfter = useRef<'again' | 'cancel' | null>(null);
  const againRef = useRef<HTMLButtonElement | null>(null);
  const cancelRef = useRef<HTMLButtonElement | null>(null);
  useEffect(() => {
    const target = focusAfter.current === 'again' ? againRef.current : focusAfter.current === 'cancel' ? cancelRef.current : null;
    if (target) {
      target.focus();
      focusAfter.current = null;
    }
  });
  const cancel = () => {
    focusAfter.current = 'again';
    stop();
  };
  const again = () => {
    focusAfter.current = 'cancel';
    retry();
  };
  const set = (patch: Partial<Knobs>) => setKnobs((k) => ({ ...k, ...patch }));
  return (
    <>
      <section className="panel" aria-labelledby="fc-knobs">
        <h2 id="fc-knobs">Horizon and what-if</h2>
        <div className="form-grid">
          <label>
            Horizon
            <select aria-label="Horizon" value={knobs.days} onChange={(e) => set({ days: Number(e.target.value) })}>
              {[14, 30, 60, 90].map((d) => (
                <option key={d} value={d}>
                  {d} days
                </option>
              ))}
            </select>
          </label>
          <label>
            Simulated futures
            <select aria-label="Simulated futures" value={knobs.paths} onChange={(e) => set({ paths: Number(e.target.value) })}>
              {[20, 50, 100, 200].map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </label>
          <RiskControl risk={risk} onChange={setRisk} />
          <label>
            Seats (what if)
            <input className="num-input" aria-label="Seats (what if)" inputMode="numeric" placeholder={String(plan.workspace.seats)} value={knobs.seats} onChange={(e) => set({ seats: e.target.value })} />
          </label>
          <label>
            API spend growth per month (%)
            <input className="num-input" aria-label="API spend growth per month (%)" inputMode="decimal" placeholder="0" value={knobs.keyGrowth} onChange={(e) => set({ keyGrowth: e.target.value })} />
          </label>
          <label>
            Trigger runs growth per month (%)
            <input className="num-input" aria-label="Trigger runs growth per month (%)" inputMode="decimal" placeholder="0" value={knobs.triggerGrowth} onChange={(e) => set({ triggerGrowth: e.target.value })} />
          </label>
        </div>
        {/* one progress while it runs: the bar says what runs and carries its Cancel; the status
            line says only what the figures below are, so "forecasting" is said once */}
        <p className="hint" role="status" data-testid="forecast-status">
          {busy
            ? data
              ? 'The figures below are from the last forecast until this one ends'
              : ''
            : cancelled
              ? data
                ? 'Cancelled: the figures below are from the last forecast, not these knobs'
                : 'Forecast cancelled'
              : data
                ? 'Up to date with the plan and the knobs'
                : ''}
        </p>
        {busy && (
          <div className="actions" data-testid="forecast-running">
            <ProgressBar
              done={(progress ?? 0) * 100}
              total={100}
              label={progress === null ? `Preparing the forecast of the next ${knobs.days} days` : `Forecasting the next ${knobs.days} days`}
            />
            <button type="button" className="button" onClick={cancel} data-testid="forecast-cancel" ref={cancelRef}>
              Cancel
            </button>
          </div>
        )}
        {cancelled && !busy && (
          <div className="actions">
            <button type="button" className="button primary" onClick={again} data-testid="forecast-again" ref={againRef}>
              Forecast again
            </button>
          </div>
        )}
      </section>
      {error && <ErrorBox error={error} title="Could not forecast" />}
      {data && <Results f={data} plan={plan} risk={risk} />}
    </>
  );
}

export function ForecastPage() {
  const { history } = useEditor();
  return (
    <Modeling title="Forecast" subtitle="The coming weeks under the plan: seeded simulated futures from the history’s trend and weekly rhythm." testId="forecast-page">
      {(s) =>
        history ? (
          <>
            <PlanProfileSwitch />
            <ForecastBody plan={history.present} view={s.view} />
          </>
        ) : null
      }
    </Modeling>
  );
}
