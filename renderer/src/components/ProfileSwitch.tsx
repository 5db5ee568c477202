import type { EnforcementProfile } from '../../../src/engine/plan.ts';
import './profiles.css';

export const PROFILE_LABEL: Record<EnforcementProfile, string> = {
  documented: 'the docs',
  platform: "the platform's code",
};

/**
 * Which reading of the limits the plan is simulated under (SPEC section 9): the docs, or what the
 * platform's code enforces. The caller makes the change a plan edit (setProfile).
 */
export function ProfileSwitch({ profile, onChange, disabled = false }: { profile: EnforcementProfile; onChange: (next: EnforcementProfile) => void; disabled?: boolean }) {
  return (
    <label className="field profile-switch" title="The platform's code differs from its docs: it drops limited webhooks, keeps 42 runs a day on programmatic triggers, throttles people and keys per minute and hour. Switch to see this plan as each enforces it.">
      Limits as enforced by
      <select data-testid="profile-switch" value={profile} disabled={disabled} onChange={(e) => onChange(e.target.value === 'platform' ? 'platform' : 'documented')}>
        <option value="documented">{PROFILE_LABEL.documented} (documented)</option>
        <option value="platform">{PROFILE_LABEL.platform} (platform)</option>
      </select>
    </label>
  );
}
