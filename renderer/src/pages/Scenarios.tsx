import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Modeling, Empty } from '../modeling/parts.tsx';
import { applyEdit, editorFlags, getEditor, useEditor } from '../modeling/store.ts';
import { call, newJobId, toError } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { validatePlan } from '../../../src/engine/plan.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { CompareUnder, Comparison, PlanChange } from '../../../src/modeling/scenarios.ts';
import { CompareUnderSelect, ScenarioProfileRow } from '../components/ScenarioProfiles.tsx';
import { copyName } from '../../../src/modeling/names.ts';
import type { SavedScenario } from '../../../src/modeling/types.ts';
import { fmtCount, fmtDelta, fmtMetric } from '../modeling/format.ts';
import { timeWithYear } from '../format.ts';
import { changeWords } from '../components/plan-change-words.ts';
import type { NameOf } from '../components/plan-change-words.ts';
import '../modeling/modeling.css';

const CURRENT = -1;
/** The scenarios picked for comparison, kept while the admin visits other screens. */
let rememberedPicks = new Set<number>();

function Changes({ changes, nameOf }: { changes: PlanChange[]; nameOf: NameOf }) {
  if (changes.length === 0) return <span className="muted small">same plan as the baseline</span>;
  return (
    <ul className="small changes">
      {changes.slice(0, 12).map((c) => (
        // in the words of the screen that edits it; the plan's field on hover
        <li key={c.path} title={c.path} data-path={c.path}>
          {changeWords(c, nameOf)}
        </li>
      ))}
      {changes.length > 12 && <li className="muted">and {changes.length - 12} more</li>}
    </ul>
  );
}

/** Keys' and triggers' names from the plan being edited (a scenario's own names may be older). */
function useNameOf(): NameOf {
  const { history } = useEditor();
  const plan = history?.present;
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const x of [...(plan?.apiKeys ?? []), ...(plan?.triggers ?? [])]) if (x.name) names.set(x.id, x.name);
    return (id: string) => names.get(id) ?? id;
  }, [plan]);
}

function CompareTable({ c }: { c: Comparison }) {
  const nameOf = useNameOf();
  // the counts of what is refused, not the shares of a limit, which differ with any seat count
  const same = c.metrics.every((m) => m.unit === 'share' || !m.differs);
  return (
    <>
      {same && (
        // a table of equal numbers reads as "nothing computed": say what it means
        <p className="note" data-testid="comparison-same">
          These plans block, delay and drop exactly as much over this history. How close each comes to the allowance
          and the pool is in the last two rows: the plan nearer 100 % is the one a busier day would push over.
        </p>
      )}
      <div className="table-wrap">
        <table data-testid="comparison">
          <thead>
            <tr>
              <th>Figure</th>
              {c.scenarios.map((s, i) => (
                <th key={i} className="num">
                  {s.name}
                  {i === 0 && <span className="tag">baseline</span>}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            <ScenarioProfileRow c={c} />
            {c.metrics.map((m) => (
              <tr key={m.id} data-metric={m.id}>
                <th>{m.label}</th>
                {m.values.map((v, i) => {
                  const d = m.deltas[i] ?? 0;
                  const cls = [m.differs && d !== 0 ? 'differs' : '', m.differs && m.best.includes(i) ? 'best' : '', 'num'].filter(Boolean).join(' ');
                  return (
                    <td key={i} className={cls}>
                      {fmtMetric(v, m.unit)}
                      {i > 0 && d !== 0 && <div className={`small ${d > 0 ? 'delta-up' : 'delta-down'}`}>{fmtDelta(d, m.unit)}</div>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted small">Shaded: differs from the baseline. Bold green: the lowest of the scenarios.</p>
      <div className="panel">
        <h2>What each plan changes</h2>
        {c.scenarios.slice(1).map((s, i) => (
          <div key={i}>
            <strong>{s.name}</strong>
            <Changes changes={c.changes[i + 1] ?? []} nameOf={nameOf} />
          </div>
        ))}
      </div>
      {c.entities.length > 0 && (
        <div className="panel">
          <h2>Keys and triggers affected differently</h2>
          <table className="compact" data-testid="entity-differences">
            <thead>
              <tr>
                <th>Key or trigger</th>
                {c.scenarios.map((s, i) => (
                  <th key={i} className="num">
                    {s.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {c.entities.slice(0, 20).map((e) => (
                <tr key={`${e.kind}:${e.id}`}>
                  <th>
                    {nameOf(e.id)} <span className="tag">{e.kind === 'key' ? 'blocked requests' : 'held-back runs'}</span>
                  </th>
                  {e.values.map((v, i) => (
                    <td key={i} className={`num${v !== e.values[0] ? ' differs' : ''}`}>
                      {fmtCount(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function ScenarioItem({
  s,
  names,
  checked,
  onCheck,
  onChanged,
  onDeleted,
  onError,
}: {
  s: SavedScenario;
  names: string[];
  checked: boolean;
  onCheck: (v: boolean) => void;
  onChanged: () => void;
  onDeleted: () => void;
  onError: (e: ApiError) => void;
}) {
  const [renaming, setRenaming] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  // the rename form takes the Rename button's place: when it goes, the focus goes back to the button
  const renameButton = useRef<HTMLButtonElement>(null);
  const wasRenaming = useRef(false);
  useEffect(() => {
    if (wasRenaming.current && renaming === null) renameButton.current?.focus();
    wasRenaming.current = renaming !== null;
  }, [renaming]);
  const run = (p: Promise<unknown>) =>
    p.then(onChanged).catch((err: unknown) => onError(toError(err)));
  return (
    <div className="scenario-item" data-scenario={s.name}>
      <input type="checkbox" aria-label={`Compare ${s.name}`} checked={checked} onChange={(e) => onCheck(e.target.checked)} />
      {renaming === null ? (
        <span className="name">
          {s.name} <span className="muted small">saved {timeWithYear(s.savedAt)}</span>
        </span>
      ) : (
        <form
          className="name"
          onSubmit={(e) => {
            e.preventDefault();
            setRenaming(null);
            void run(call('scenario-rename', { id: s.id, name: renaming }));
          }}
        >
          <input className="text-input" aria-label={`New name for ${s.name}`} value={renaming} autoFocus onChange={(e) => setRenaming(e.target.value)} />{' '}
          <button type="submit" className="button small">
            Rename
          </button>{' '}
          <button type="button" className="button small" onClick={() => setRenaming(null)}>
            Cancel
          </button>
        </form>
      )}
      <button type="button" className="button small" aria-label={`Load ${s.name} into the editor`} onClick={() => {
        try {
          const plan = validatePlan(s.plan, s.name);
          applyEdit(() => plan, `load ${s.name}`);
        } catch (err) {
          onError(toError(err));
        }
      }}>
        Load
      </button>
      <button type="button" className="button small" aria-label={`Duplicate ${s.name}`} onClick={() => void run(call('scenario-save', { name: copyName(s.name, names), plan: s.plan }))}>
        Duplicate
      </button>
      <button ref={renameButton} type="button" className="button small" aria-label={`Rename ${s.name}`} onClick={() => setRenaming(s.name)}>
        Rename
      </button>
      {confirming ? (
        <button type="button" className="button small" aria-label={`Confirm deleting ${s.name}`} onClick={() => void run(call('scenario-delete', { id: s.id })).then(onDeleted)}>
          Really delete?
        </button>
      ) : (
        <button type="button" className="button small" aria-label={`Delete ${s.name}`} onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
    </div>
  );
}

function ScenariosBody() {
  const { dirty } = editorFlags(useEditor().history);
  const [list, setList] = useState<SavedScenario[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [name, setName] = useState('');
  // after a save the button is disabled (the name is cleared), after a delete the row is gone:
  // the focus goes to the name field and the list's heading, not to the page's body
  const nameField = useRef<HTMLInputElement>(null);
  const listHeading = useRef<HTMLHeadingElement>(null);
  const [picked, setPickedState] = useState<Set<number>>(rememberedPicks);
  const setPicked = useCallback((f: (p: Set<number>) => Set<number>) => {
    setPickedState((p) => {
      rememberedPicks = f(p);
      return rememberedPicks;
    });
  }, []);
  const [comparison, setComparison] = useState<Comparison | null>(null);
  const [comparing, setComparing] = useState(false);
  const [compareError, setCompareError] = useState<ApiError | null>(null);
  const [under, setUnder] = useState<CompareUnder>('own');

  const reload = useCallback(() => {
    call('scenario-list', {})
      .then((l) => {
        setList(l);
        setPicked((p) => new Set([...p].filter((id) => id === CURRENT || l.some((s) => s.id === id))));
      })
      .catch((err: unknown) => setError(toError(err)));
  }, [setPicked]);
  useEffect(reload, [reload]);

  const save = async () => {
    const plan = getEditor().history?.present;
    if (!plan) return;
    try {
      setError(null);
      const saved = await call('scenario-save', { name: name.trim(), plan });
      setName('');
      setPicked((p) => new Set([...p, saved.id]));
      reload();
      nameField.current?.focus();
    } catch (err) {
      setError(toError(err));
    }
  };

  const baselineName = picked.has(CURRENT) ? 'the current plan' : (list ?? []).find((x) => picked.has(x.id))?.name ?? '';
  // the answer lands below the fold: it is brought into view and its heading takes the focus
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const [showResult, setShowResult] = useState(0);
  useEffect(() => {
    if (showResult === 0) return;
    resultHeading.current?.scrollIntoView({ block: 'start' });
    resultHeading.current?.focus({ preventScroll: true });
  }, [showResult]);

  const compare = async () => {
    const plans: { name: string; plan: unknown }[] = [];
    if (picked.has(CURRENT)) plans.push({ name: 'Current plan', plan: getEditor().history?.present });
    for (const s of list ?? []) if (picked.has(s.id)) plans.push({ name: s.name, plan: s.plan });
    setComparing(true);
    setCompareError(null);
    try {
      setComparison(await call('scenario-compare', { plans, under, jobId: newJobId('compare') }));
      setShowResult((n) => n + 1);
    } catch (err) {
      setCompareError(toError(err));
    } finally {
      setComparing(false);
    }
  };

  const toggle = (id: number, on: boolean) =>
    setPicked((p) => {
      const n = new Set(p);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });

  return (
    <>
      <section className="panel" aria-labelledby="sc-save">
        <h2 id="sc-save">Save the current plan as a scenario</h2>
        <form
          className="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <label className="scenario-name">
            Name
            <input ref={nameField} className="text-input" aria-label="Scenario name" placeholder="e.g. Raise the pipeline cap" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <button type="submit" className="button primary" disabled={name.trim() === ''}>
            Save scenario
          </button>
          <span className="muted small">A scenario with the same name is replaced.</span>
        </form>
        {error && <ErrorBox error={error} title="The scenarios could not be changed" />}
      </section>
      <section aria-labelledby="sc-list">
        <h2 id="sc-list" ref={listHeading} tabIndex={-1}>
          Scenarios
        </h2>
        {list === null && !error && <p className="muted">Loading the saved scenarios…</p>}
        {list !== null && (
          <div className="scenario-list">
            <div className="scenario-item">
              <input type="checkbox" aria-label="Compare the current plan" checked={picked.has(CURRENT)} onChange={(e) => toggle(CURRENT, e.target.checked)} />
              <span className="name">
                Current plan <span className="muted small">{dirty ? 'with the edits not yet saved (as the bar above says)' : 'the saved plan, no edits since'}</span>
              </span>
            </div>
            {list.length === 0 && <Empty>No saved scenario yet: save the current plan above, edit it, and save again to compare.</Empty>}
            {list.map((s) => (
              <ScenarioItem key={s.id} s={s} names={list.map((x) => x.name)} checked={picked.has(s.id)} onCheck={(v) => toggle(s.id, v)} onChanged={reload} onDeleted={() => listHeading.current?.focus()} onError={setError} />
            ))}
          </div>
        )}
        <div className="actions">
          <CompareUnderSelect value={under} onChange={setUnder} />
          <button type="button" className="button primary" disabled={picked.size < 2 || comparing} onClick={() => void compare()}>
            {comparing ? 'Comparing…' : picked.size < 2 ? 'Compare side by side' : `Compare ${picked.size} side by side`}
          </button>
          <span className="muted small" data-testid="baseline-note">
            {picked.size < 2 ? 'Pick two or more; the first in the list is the baseline.' : `Baseline: ${baselineName}, the first picked in the list.`}
          </span>
        </div>
      </section>
      {compareError && <ErrorBox error={compareError} title="Could not compare the scenarios" />}
      {comparison && (
        <section aria-labelledby="sc-cmp">
          <h2 id="sc-cmp" ref={resultHeading} tabIndex={-1}>
            Side by side
          </h2>
          <CompareTable c={comparison} />
        </section>
      )}
    </>
  );
}

export function ScenariosPage() {
  return (
    <Modeling title="Scenarios" subtitle="Named versions of the plan, replayed over the same history and compared side by side." testId="scenarios-page">
      {() => <ScenariosBody />}
    </Modeling>
  );
}
