import type { CompareUnder, Comparison } from '../../../src/modeling/scenarios.ts';
import { PROFILE_LABEL } from './ProfileSwitch.tsx';
import './profiles.css';

/** One row of the side-by-side table: the reading of the limits each plan was replayed under. */
export function ScenarioProfileRow({ c }: { c: Comparison }) {
  const base = c.scenarios[0]?.profile;
  return (
    <tr data-metric="profile">
      <th>Limits as enforced by</th>
      {c.scenarios.map((s, i) => (
        <td key={i} className={s.profile !== base ? 'differs num' : 'num'}>
          {PROFILE_LABEL[s.profile]}
        </td>
      ))}
    </tr>
  );
}

/** Compare each plan under its own profile, or all of them under the docs or the platform's code. */
export function CompareUnderSelect({ value, onChange }: { value: CompareUnder; onChange: (next: CompareUnder) => void }) {
  return (
    <label className="field profile-switch">
      Replay each plan under
      <select data-testid="compare-under" value={value} onChange={(e) => onChange(e.target.value === 'documented' || e.target.value === 'platform' ? e.target.value : 'own')}>
        <option value="own">its own profile</option>
        <option value="documented">{PROFILE_LABEL.documented}</option>
        <option value="platform">{PROFILE_LABEL.platform}</option>
      </select>
    </label>
  );
}
