import { useJob } from '../useCall.ts';
import { Chip, Meter } from '../components/Chip.tsx';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { ProfileDifferences } from '../components/ProfileDifferences.tsx';
import { duration, int, limitText, pct, usd, when } from '../format.ts';
import type { CapacityFigure, Overview } from '../../../src/api/types.ts';

function capValue(c: CapacityFigure, n: number | null): string {
  if (n === null) return 'unlimited';
  return c.unit === 'usd' ? usd(n) : int(n);
}

function Headline({ o }: { o: Overview }) {
  const cards = [
    { label: 'Keys capped out', value: o.headline.keysCapped, of: o.keys.length, tone: o.headline.keysCapped ? 'limited' : 'ok' },
    { label: 'Keys held by a spend limit', value: o.keys.filter((k) => k.blocked > k.blockedByCap).length, of: o.keys.length, tone: o.keys.some((k) => k.blocked > k.blockedByCap) ? 'limited' : 'ok' },
    { label: 'Keys near their cap', value: o.headline.keysNear, of: o.keys.length, tone: o.headline.keysNear ? 'near' : 'ok' },
    { label: 'Triggers that queue or drop', value: o.headline.triggersLimited, of: o.triggers.length, tone: o.headline.triggersLimited ? 'limited' : 'ok' },
    { label: 'People’s messages blocked', value: o.headline.blockedMessages, of: null, tone: o.headline.blockedMessages ? 'limited' : 'ok' },
  ];
  return (
    <section className="cards" aria-label="At a glance">
      {cards.map((c) => (
        <div key={c.label} className={`card tone-${c.tone}`}>
          <div className="card-value">
            {int(c.value)}
            {c.of !== null && <span className="card-of"> / {int(c.of)}</span>}
          </div>
          <div className="card-label">{c.label}</div>
        </div>
      ))}
    </section>
  );
}

export function OverviewPage({ version }: { version: number }) {
  const { data, error, loading, progress } = useJob('workspace-overview', {}, [version]);
  if (error) return <ErrorBox error={error} title="Could not simulate the plan" />;
  if (!data) {
    return (
      <div className="page">
        <h1>Overview</h1>
        {progress ? <ProgressBar done={progress.done} total={progress.total} label="Simulating" /> : <p className="muted">{loading ? 'Simulating…' : ''}</p>}
      </div>
    );
  }
  const o = data;
  const keys = [...o.keys].sort((a, b) => rank(b.status) - rank(a.status) || (b.peakShare ?? -1) - (a.peakShare ?? -1));
  const triggers = [...o.triggers].sort((a, b) => rank(b.status) - rank(a.status) || b.delayed + b.dropped - (a.delayed + a.dropped));
  return (
    <div className="page" data-testid="overview">
      <header className="page-head">
        <div>
          <h1>{o.planName}</h1>
          <p className="muted">
            {int(o.events)} events · {when(o.ledger.firstEvent)} → {when(o.ledger.lastEvent)} · <span title={o.ledger.path}>{o.ledger.path.split(/[\\/]/).pop()}</span>
          </p>
        </div>
        {loading && <span className="muted small">Updating…</span>}
      </header>
      <Headline o={o} />
      <ProfileDifferences version={version} />

      <section aria-labelledby="cap-h">
        <h2 id="cap-h">Pool and allowance</h2>
        <div className="capacity">
          {o.capacity.map((c) => (
            <div key={c.id} className="cap-row" data-testid={`capacity-${c.id}`}>
              <div className="cap-label">
                {c.label} {c.status !== 'ok' && <Chip status={c.status} />}
              </div>
              <Meter share={c.peakShare} status={c.status} />
              <div className="cap-figures num">
                peak {capValue(c, c.peak)} of {capValue(c, c.limit)} ({pct(c.peakShare)}){c.blocked > 0 && <> · {int(c.blocked)} held back</>}
              </div>
            </div>
          ))}
        </div>
      </section>

      <section aria-labelledby="keys-h">
        <h2 id="keys-h">API keys</h2>
        <div className="table-wrap">
          <table data-testid="keys-table">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col" className="num">Cap</th>
                <th scope="col" className="num">Peak rolling spend</th>
                <th scope="col">Of cap</th>
                <th scope="col" className="num">Requests</th>
                <th scope="col" className="num">Blocked</th>
                <th scope="col">First blocked</th>
                <th scope="col">Usable again</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">
                    {k.name}
                    {k.inferred && <span className="tag">inferred</span>}
                    {k.name !== k.id && <div className="muted small">{k.id}</div>}
                  </th>
                  <td className="num">{k.capUsd === null ? 'no cap' : usd(k.capUsd)}</td>
                  <td className="num">{usd(k.peakRollingUsd)}</td>
                  <td>
                    <Meter share={k.peakShare} status={k.status} /> <span className="num small">{pct(k.peakShare)}</span>
                  </td>
                  <td className="num">{int(k.requests)}</td>
                  <td className="num">
                    {k.blocked ? `${int(k.blocked)} (${usd(k.blockedUsd)})` : '0'}
                    {k.blocked > 0 && (
                      <div className="muted small">
                        {k.blockedByCap > 0 && `${int(k.blockedByCap)} by its cap`}
                        {k.blockedByCap > 0 && k.blocked > k.blockedByCap && ' · '}
                        {k.blocked > k.blockedByCap && `${int(k.blocked - k.blockedByCap)} by spend limit`}
                      </div>
                    )}
                  </td>
                  <td>{when(k.firstBlocked)}</td>
                  <td>{when(k.usableAgain)}</td>
                  <td>{k.status !== 'ok' ? <Chip status={k.status} /> : <Chip status="ok" label="Within cap" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>

      <section aria-labelledby="trig-h">
        <h2 id="trig-h">Triggers</h2>
        <div className="table-wrap">
          <table data-testid="triggers-table">
            <thead>
              <tr>
                <th scope="col">Trigger</th>
                <th scope="col">Mode</th>
                <th scope="col" className="num">Limit / 24 h</th>
                <th scope="col" className="num">Arrivals</th>
                <th scope="col" className="num">Delayed</th>
                <th scope="col" className="num">Dropped / skipped / pending</th>
                <th scope="col" className="num">Max / p95 delay</th>
                <th scope="col" className="num">Peak queue</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {triggers.map((t) => (
                <tr key={t.id}>
                  <th scope="row">
                    {t.name}
                    {t.inferred && <span className="tag">inferred</span>}
                    <div className="muted small">
                      {t.name !== t.id && `${t.id} · `}
                      {t.kind}
                    </div>
                  </th>
                  <td>{t.mode === 'fair_use' ? 'fair use' : 'programmatic'}</td>
                  <td className="num">{limitText(t.limit)}</td>
                  <td className="num">{int(t.arrivals)}</td>
                  <td className="num">{int(t.delayed)}</td>
                  <td className="num">
                    {int(t.dropped)} / {int(t.skipped)} / {int(t.pending)}
                  </td>
                  <td className="num">{t.maxDelayMs > 0 ? `${duration(t.maxDelayMs)} / ${duration(t.p95DelayMs)}` : '—'}</td>
                  <td className="num">{int(t.peakQueue)}</td>
                  <td>{t.status === 'limited' ? <Chip status="limited" /> : <Chip status="ok" label="Runs at once" />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function rank(s: 'ok' | 'near' | 'limited'): number {
  return s === 'limited' ? 2 : s === 'near' ? 1 : 0;
}
