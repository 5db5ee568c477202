import { applyEdit, useEditor } from '../modeling/store.ts';
import { profileOf } from '../../../src/engine/plan.ts';
import { setProfile } from '../../../src/modeling/plan-edits.ts';
import { PROFILE_LABEL, ProfileSwitch } from './ProfileSwitch.tsx';
import { ProfileDifferences } from './ProfileDifferences.tsx';

/**
 * The profile switch alone, for the screens whose figures depend on it but that do not show the
 * comparison (Forecast, Export): the admin sees which reading the figures are under, and can flip it.
 */
export function PlanProfileSwitch() {
  const { history } = useEditor();
  if (!history) return null;
  const profile = profileOf(history.present);
  return (
    <div className="plan-controls" aria-label="Enforcement profile" data-testid="plan-profile">
      <ProfileSwitch profile={profile} onChange={(next) => applyEdit((p) => setProfile(p, next), `limits as enforced by ${PROFILE_LABEL[next]}`)} />
      <span className="muted small">
        {profile === 'platform'
          ? 'Figures below follow what the platform’s code enforces, which differs from its docs.'
          : 'Figures below follow the platform’s docs; its code enforces some limits differently (Triggers shows where).'}
      </span>
    </div>
  );
}

/**
 * On the modeling screens: the profile of the plan being edited (an undoable edit that
 * re-projects, saved with the plan bar) and where the docs and the platform's code differ for
 * the version last projected.
 */
export function EditedPlanProfile() {
  const { history, viewPlan, projecting } = useEditor();
  if (!history) return null;
  const profile = profileOf(history.present);
  return (
    <>
      <div className="plan-controls" aria-label="Enforcement profile">
        <ProfileSwitch profile={profile} onChange={(next) => applyEdit((p) => setProfile(p, next), `limits as enforced by ${PROFILE_LABEL[next]}`)} />
      </div>
      <ProfileDifferences plan={viewPlan} paused={projecting} />
    </>
  );
}
