import type { EventColumns } from '../engine/events.ts';
import { validatePlan } from '../engine/plan.ts';
import { loadCurrentPlan } from '../ledger/current-plan.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { hasSnapshot, planHash, writeSnapshot } from '../ledger/overview-snapshot-file.ts';
import { sourceVersion } from '../fs/source-version.ts';
import { overviewOf } from '../projection/overview-of.ts';

/**
 * Past this many events the command does not simulate for the app: the time it would add to every
 * import (some 0.8 s at 1M events, 14 s at 10M) is more than a terminal user should pay for an
 * open that may not follow; the app then simulates at its open, as for any ledger.
 */
export const STORED_OVERVIEW_MAX_EVENTS = 2_000_000;

/**
 * After an import or an undo from the terminal, the overview of the app's saved plan over the new
 * events, stored beside the ledger as the app stores its own last answer, so that the app's next
 * open shows it at once instead of simulating first (a second at 1M events). Only for a ledger the
 * app has shown (an overview is stored beside it): a ledger kept for the command line alone is
 * not simulated for a window that never opens it. `events`: the ledger's events as the events
 * cache now holds them, under `eventsKey`. Never throws: the import is what matters, and an
 * overview not stored only costs that open its head start. True when one was stored.
 * `maxEvents`: STORED_OVERVIEW_MAX_EVENTS, lower in tests.
 */
export function refreshStoredOverview(ledger: Ledger, events: EventColumns, eventsKey: string, maxEvents = STORED_OVERVIEW_MAX_EVENTS): boolean {
  try {
    if (events.count === 0 || events.count > maxEvents || !hasSnapshot(ledger.path)) return false;
    // as the app opens it (src/api/service.ts): the saved plan, or the default one
    const plan = loadCurrentPlan(ledger) ?? validatePlan({});
    const body = overviewOf(plan, events);
    // written only if nothing changed the events meanwhile: the key proves the body is theirs
    if (ledger.eventsVersionKey() !== eventsKey) return false;
    // the events are in time order (Ledger#readEvents)
    const span = { events: events.count, from: events.time[0]!, to: events.time[events.count - 1]! };
    writeSnapshot(ledger.path, { events: eventsKey, plan: planHash(plan), code: sourceVersion() }, body, span, Date.now(), 'import');
    return true;
  } catch {
    return false;
  }
}
