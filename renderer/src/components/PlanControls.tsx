import { useEffect, useState } from 'react';
import { call, toError } from '../api/client.ts';
import { ErrorBox } from './ErrorBox.tsx';
import type { ApiError } from '../../../src/api/errors.ts';
import type { Plan } from '../../../src/engine/plan.ts';
import { profileOf } from '../../../src/engine/plan.ts';
import { setProfile } from '../../../src/modeling/plan-edits.ts';
import { ProfileSwitch } from './ProfileSwitch.tsx';

/**
 * The plan's main levers, changed in place: each change is saved to the ledger and every page
 * recomputes. Invalid values come back as the plan's own errors, with their paths.
 */
export function PlanControls({ version, onChanged }: { version: number; onChanged: () => void }) {
  const [plan, setPlan] = useState<Plan | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [seats, setSeats] = useState('');

  useEffect(() => {
    call('plan-get', {})
      .then(({ plan: p }) => {
        setPlan(p);
        setSeats(String(p.workspace.seats));
      })
      .catch((e: unknown) => setError(toError(e)));
  }, [version]);

  const save = async (next: Plan) => {
    try {
      const { plan: saved } = await call('plan-save', { plan: next });
      setPlan(saved);
      setError(null);
      onChanged();
    } catch (e) {
      setError(toError(e));
    }
  };

  if (!plan) return error ? <ErrorBox error={error} /> : null;
  return (
    <form
      className="plan-controls"
      aria-label="Plan"
      onSubmit={(e) => {
        e.preventDefault();
        void save({ ...plan, workspace: { ...plan.workspace, seats: Number(seats) } });
      }}
    >
      <label className="field">
        Seats
        <input
          type="number"
          min={0}
          step={1}
          value={seats}
          onChange={(e) => setSeats(e.target.value)}
          onBlur={() => {
            if (seats !== String(plan.workspace.seats)) void save({ ...plan, workspace: { ...plan.workspace, seats: Number(seats) } });
          }}
        />
      </label>
      <label className="field">
        Webhooks when limited
        <select
          value={plan.enforcement.webhookWhenLimited}
          onChange={(e) => void save({ ...plan, enforcement: { ...plan.enforcement, webhookWhenLimited: e.target.value as 'queue' | 'drop' } })}
        >
          <option value="queue">queue (the docs)</option>
          <option value="drop">drop (the platform's code)</option>
        </select>
      </label>
      <label className="field">
        Key cap check
        <select value={plan.enforcement.capCheck} onChange={(e) => void save({ ...plan, enforcement: { ...plan.enforcement, capCheck: e.target.value as 'spent' | 'spent_plus_cost' } })}>
          <option value="spent">spent ≥ cap</option>
          <option value="spent_plus_cost">spent + cost &gt; cap</option>
        </select>
      </label>
      <ProfileSwitch profile={profileOf(plan)} onChange={(next) => void save(setProfile(plan, next))} />
      {error && <ErrorBox error={error} title="The plan was not changed" />}
    </form>
  );
}
