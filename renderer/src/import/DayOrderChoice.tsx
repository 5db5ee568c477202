import type { ImportFacts } from '../../../src/api/types.ts';
import type { GivenDayOrder } from '../../../src/import/day-order.ts';

/**
 * Whether a file's preview offers "Dates are": a platform export whose slash dates got their order
 * from anything but the rows themselves (its locale, how close its dates lie, nothing at all), or
 * one the admin gave, which they can take back. A day above 12 leaves nothing to choose.
 */
export function offersDayOrder(facts: ImportFacts, given: GivenDayOrder | null): boolean {
  return given !== null || (facts.dayOrder !== null && facts.dayOrder.by !== 'rows');
}

/** The select's value for "as the file tells", beside the two orders. */
const AUTO = 'auto';

/**
 * The day order of an export's slash dates, as the admin knows it (`headroom import --dates` on
 * the command line): `null` is automatic, the file's own reading. The findings name its options
 * as “Dates are: day first” (src/import/findings.ts), so the labels start with those words.
 */
export function DayOrderChoice({ value, onChange, disabled = false }: { value: GivenDayOrder | null; onChange: (next: GivenDayOrder | null) => void; disabled?: boolean }) {
  return (
    <label className="field day-order-choice">
      Dates are
      <select data-testid="dates-choice" value={value ?? AUTO} disabled={disabled} onChange={(e) => onChange(e.target.value === 'dmy' || e.target.value === 'mdy' ? e.target.value : null)}>
        <option value={AUTO}>automatic</option>
        <option value="dmy">day first (dd/mm/yyyy)</option>
        <option value="mdy">month first (mm/dd/yyyy)</option>
      </select>
    </label>
  );
}
