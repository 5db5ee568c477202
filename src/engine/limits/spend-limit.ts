import { CalendarSpendWindow, RollingSpendWindow, type SpendWindow } from '../windows.ts';
import type { ResolvedPlan } from '../plan.ts';

const UNLIMITED = Number.POSITIVE_INFINITY;
export const PASSES = -1;

/**
 * The workspace spend limits (SPEC section 4), in plan order: API requests and programmatic runs
 * count toward each. `utc-day` and `calendar-month` sum since their period began; `rolling-30d` is a
 * sliding 30 days (plus the profile's edge). `spent` blocks when spent >= amount,
 * `spent_plus_cost` when spent + cost > amount.
 */
export class SpendLimits {
  readonly count: number;
  private readonly amounts: number[];
  private readonly windows: SpendWindow[];
  private readonly plusCost: boolean;
  /** per limit: the most spend counted at once, micro-USD */
  readonly peak: number[];

  constructor(plan: ResolvedPlan, edgeMs: number, day: number) {
    const limits = plan.spendLimits;
    this.count = limits.length;
    this.amounts = limits.map((l) => l.amountMicros);
    this.windows = limits.map((l) => (l.window === 'rolling-30d' ? new RollingSpendWindow(30 * day + edgeMs) : new CalendarSpendWindow(l.window)));
    this.plusCost = plan.capCheckPlusCost;
    this.peak = limits.map(() => 0);
  }

  /**
   * Per limit, a value no check exceeded: the peak spend, plus under `spent_plus_cost` the largest
   * cost that could be asked (`maxCost`, over every API request and programmatic run; -Infinity
   * when there are none, and then so is the bound). A check only ever sees spend admitted before
   * it, so this bound is a function of the admissions alone: a result patched for one key's new
   * decisions (src/engine/isolated-cap.ts) finds it again from them, where the highest value each
   * check saw would need every check replayed.
   */
  checkedBound(maxCost: number): number[] {
    return this.peak.map((p) => (maxCost === Number.NEGATIVE_INFINITY ? maxCost : this.plusCost ? p + maxCost : p));
  }

  /** The first limit that refuses cost `c` at `t` (its index), or PASSES. */
  check(t: number, c: number): number {
    const { plusCost } = this;
    for (let j = 0; j < this.count; j++) {
      const spent = this.windows[j].spentAt(t);
      const asked = plusCost ? spent + c : spent;
      if (plusCost ? asked > this.amounts[j] : asked >= this.amounts[j]) return j;
    }
    return PASSES;
  }

  /** Adds cost `c` at `t` to every limit. */
  admit(t: number, c: number): void {
    for (let j = 0; j < this.count; j++) {
      const w = this.windows[j];
      w.add(t, c);
      if (w.sum > this.peak[j]) this.peak[j] = w.sum;
    }
  }

  /** Spend counted by limit `j` now (after the last admission). */
  sum(j: number): number {
    return this.windows[j].sum;
  }

  spentAt(j: number, t: number): number {
    return this.windows[j].spentAt(t);
  }

  /** The earliest moment after `t` when limit `j`'s spend can fall: a waiting run is tried again then. */
  retryAt(j: number, t: number): number {
    return this.windows[j].nextRelease(t);
  }

  /** When limit `j`, which just refused cost `c` at `t`, would let it through (no new spend). */
  usableAt(j: number, t: number, c: number): number {
    const amount = this.amounts[j];
    const target = this.plusCost ? amount - c : amount - 1;
    return amount === 0 && !this.plusCost ? UNLIMITED : this.windows[j].timeSpentFallsTo(t, target);
  }

  firstExpiryAfter(t: number): number {
    let next = UNLIMITED;
    for (const w of this.windows) next = Math.min(next, w.firstExpiryAfter(t));
    return next;
  }
}
