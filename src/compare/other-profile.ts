/**
 * The second simulation of `headroom simulate` (the plan under the other enforcement profile,
 * SPEC section 9) on a second thread, so that it runs while this thread simulates the plan itself
 * and writes its decisions. The thread starts before the events are read (it loads the engine
 * meanwhile); when it is not ready, or fails, the run happens on this thread instead.
 */
import type { EventColumns } from '../engine/events.ts';
import { PartThread } from '../engine/part-thread.ts';
import { profileOf } from '../engine/plan.ts';
import type { Plan } from '../engine/plan.ts';
import type { SimulationResult } from '../engine/result.ts';
import { simulate } from '../engine/simulate.ts';
import { compareResults, planUnderProfile } from './profiles.ts';
import type { ProfileComparison } from './profiles.ts';

export class OtherProfileRun {
  private readonly thread = new PartThread();
  private remote: Promise<SimulationResult> | null = null;
  private input: { plan: Plan; otherPlan: Plan; notes: string[]; events: EventColumns; until: number | undefined } | null = null;

  /** whether the thread has loaded and takes runs */
  get threadReady(): boolean {
    return this.thread.available;
  }

  /** whether begin() handed the run to the thread (else finish() runs it here) */
  get handedOff(): boolean {
    return this.remote !== null;
  }

  /** Starts the thread (call first, before reading the events). */
  start(): this {
    this.thread.start();
    return this;
  }

  /** Hands the other profile's run to the thread if it is ready (after letting its "ready" message in). */
  async begin(plan: Plan, events: EventColumns, until: number | undefined): Promise<void> {
    const { plan: otherPlan, notes } = planUnderProfile(plan, profileOf(plan) === 'platform' ? 'documented' : 'platform');
    this.input = { plan, otherPlan, notes, events, until };
    for (let k = 0; k < 3 && !this.thread.available; k++) await new Promise((resolve) => setImmediate(resolve));
    if (!this.thread.available) return;
    this.remote = this.thread.remote(null)(events, otherPlan, until === undefined ? {} : { until });
    // a failure is handled in finish() (the run is then done here)
    this.remote.catch(() => undefined);
  }

  /** The comparison with `current` (the plan's own result). */
  async finish(current: SimulationResult): Promise<ProfileComparison> {
    const input = this.input;
    if (input === null) throw new Error('OtherProfileRun.finish before begin');
    const local = () => simulate(input.otherPlan, input.events, input.until === undefined ? {} : { until: input.until });
    let other: SimulationResult;
    try {
      other = this.remote === null ? local() : await this.remote;
    } catch {
      other = local();
    }
    const profile = profileOf(input.plan);
    return profile === 'platform' ? compareResults(input.events, other, current, profile, input.notes) : compareResults(input.events, current, other, profile, input.notes);
  }

  async close(): Promise<void> {
    await this.thread.close();
  }
}
