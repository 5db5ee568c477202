import { applyEdit, useEditor } from '../modeling/store.ts';
import { profileOf } from '../../../src/engine/plan.ts';
import { setProfile } from '../../../src/modeling/plan-edits.ts';
import { PROFILE_LABEL, ProfileSwitch } from './ProfileSwitch.tsx';
import { ProfileDifferences } from './ProfileDifferences.tsx';

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
