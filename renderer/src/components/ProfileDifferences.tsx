import { useEffect, useMemo, useState } from 'react';
import { call, newJobId, onProgress, toError } from '../api/client.ts';
import { ErrorBox } from './ErrorBox.tsx';
import { afterNextPaint } from '../after-paint.ts';
import { ProgressBar } from './Progress.tsx';
import type { ApiError } from '../../../src/api/errors.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import type { ProfileComparison, ProfileDifference, SentencePart } from '../../../src/compare/profiles.ts';
import './profiles.css';

/** An edited plan is compared once edits pause this long after its projection was painted. */
const COMPARE_SETTLE_MS = 300;

/** Sentences shown before "show all": the block stays compact on every page. */
const FEW = 5;

function tagOf(d: ProfileDifference): { cls: string; text: string } {
  const extra = d.lostPlatform - d.lostDocumented;
  if (extra > 0) return { cls: 'worse', text: `${extra.toLocaleString('en-US')} more lost` };
  if (extra < 0) return { cls: 'better', text: `${(-extra).toLocaleString('en-US')} fewer lost` };
  return { cls: 'other', text: 'decided differently' };
}

/** A difference's sentence; each reason count keeps its engine code (as in exported decisions) in a tooltip. */
function Sentence({ parts }: { parts: readonly SentencePart[] }) {
  return (
    <>
      {parts.map((p, k) =>
        p.reason === undefined ? (
          p.text
        ) : (
          <span key={k} className="profile-diff-reason" title={`reason "${p.reason}" in the simulated decisions`} data-reason={p.reason}>
            {p.text}
          </span>
        ),
      )}
    </>
  );
}

/**
 * Where the platform's code would decide the plan differently from its docs, per trigger, key and
 * people's messages, most significant first; or that the two agree. Computed in the compute
 * worker ('profile-compare'): for the saved plan, or for `plan` (an edited one) when given.
 * `plan` null: nothing to compare yet. `paused` (an edit is being projected): the comparison
 * under way is cancelled and none starts, so that two simulations of the whole history do not
 * compete with the edit's own for the CPU; the last comparison stays on screen meanwhile.
 */
export function ProfileDifferences({ version = 0, plan, paused = false }: { version?: number; plan?: Plan | null; paused?: boolean }) {
  const planKey = useMemo(() => (plan === undefined ? '' : JSON.stringify(plan)), [plan]);
  const [data, setData] = useState<ProfileComparison | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const [showAll, setShowAll] = useState(false);

  useEffect(() => {
    if (plan === null) return;
    if (paused) {
      setLoading(true);
      return;
    }
    const jobId = newJobId('profile-compare');
    let live = true;
    let asked = false;
    // a superseded comparison gives up its connection at once (client.ts)
    const abandon = new AbortController();
    setLoading(true);
    setProgress(null);
    const off = onProgress((e) => {
      if (live && e.jobId === jobId) setProgress({ done: e.done, total: e.total });
    });
    const ask = () => {
      asked = true;
      call('profile-compare', plan === undefined ? { jobId } : { plan, jobId }, abandon.signal)
        .then((c) => {
          if (!live) return;
          setData(c);
          setError(null);
          setLoading(false);
        })
        .catch((err: unknown) => {
          const e = toError(err);
          if (live && e.code !== 'cancelled') {
            setError(e);
            setLoading(false);
          }
        });
    };
    // Not in the frame that shows an edit's projection, nor between edits in quick succession:
    // the comparison simulates the whole history twice, and on two cores it would take the
    // core the page paints with and the next edit's projection computes on.
    let timer: ReturnType<typeof setTimeout> | null = null;
    const stopPaint = afterNextPaint(() => {
      timer = setTimeout(ask, plan === undefined ? 0 : COMPARE_SETTLE_MS);
    });
    return () => {
      live = false;
      off();
      stopPaint();
      if (timer !== null) clearTimeout(timer);
      abandon.abort();
      if (asked) void call('job-cancel', { jobId }).catch(() => {});
    };
    // the plan is compared by value (planKey): a re-render with an equal plan asks nothing again
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version, planKey, paused]);

  if (plan === null) return null;
  const head = (
    <div className="profile-diff-head">
      <h2 id="profile-diff-h">Docs vs the platform&rsquo;s code</h2>
      {loading && data && <span className="muted small">Updating…</span>}
    </div>
  );
  if (error) {
    return (
      <section className="profile-diff" aria-labelledby="profile-diff-h" data-testid="profile-differences">
        {head}
        <ErrorBox error={error} title="Could not compare the docs with the platform's code" />
      </section>
    );
  }
  if (!data) {
    return (
      <section className="profile-diff" aria-labelledby="profile-diff-h" data-testid="profile-differences" aria-busy="true">
        {head}
        {progress ? <ProgressBar done={progress.done} total={progress.total} label="Comparing" /> : <p className="muted">Simulating the plan under the other reading…</p>}
      </section>
    );
  }
  const agree = data.changed === 0;
  const shown = showAll ? data.differences : data.differences.slice(0, FEW);
  return (
    <section className={`profile-diff${agree ? ' agree' : ''}`} aria-labelledby="profile-diff-h" data-testid="profile-differences" aria-busy={loading}>
      {head}
      <p className="profile-diff-headline" data-testid="profile-headline">
        {data.headline}
      </p>
      {!agree && (
        <ul>
          {shown.map((d) => {
            const tag = tagOf(d);
            return (
              <li key={`${d.kind}:${d.id ?? ''}`} data-testid="profile-difference" data-id={d.id ?? 'messages'}>
                <span className={`profile-diff-tag ${tag.cls}`}>{tag.text}</span>
                <span>
                  <Sentence parts={d.parts} />.
                  {d.why.length > 0 && (
                    <span className="profile-diff-why" data-testid="profile-difference-why">
                      Why: {d.why.join('; ')}.
                    </span>
                  )}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {data.differences.length > FEW && (
        <button type="button" className="button small profile-diff-more" onClick={() => setShowAll(!showAll)}>
          {showAll ? 'Show fewer' : `Show all ${data.differences.length.toLocaleString('en-US')}`}
        </button>
      )}
      {data.notes.map((n) => (
        <p key={n} className="muted small">
          Note: {n}.
        </p>
      ))}
    </section>
  );
}
