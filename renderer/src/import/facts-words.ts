/**
 * The Import page's sentences about a file (PreviewFacts.tsx), as plain functions: counts whose
 * nouns agree, dates in words, and what the file does to the plan's seats.
 */
import type { ImportFacts } from '../../../src/api/types.ts';
import { counted, dateWithYear, int } from '../format.ts';

export type FactsStage = 'preview' | 'imported';

/** "Jan 5, 2026" or "Jan 5, 2026 – Mar 2, 2026"; null when the file has no event. */
export function rangeText(f: Pick<ImportFacts, 'from' | 'to'>): string | null {
  if (f.from === null || f.to === null) return null;
  const from = dateWithYear(f.from);
  const to = dateWithYear(f.to);
  return from === to ? from : `${from} – ${to}`;
}

/**
 * "1 line makes 1 new event", "12 lines make 3 new events": the events are those the ledger does
 * not hold yet, so a file overlapping the history reads fewer than its lines without looking lost.
 */
export function linesText(f: Pick<ImportFacts, 'lines' | 'events'>, refused = 0): string {
  // the facts count every line read; a refused one made nothing ("85 lines" beside "Imported 84")
  const lines = Math.max(0, f.lines - refused);
  const made = `${counted(lines, 'line')} ${lines === 1 ? 'makes' : 'make'} ${counted(f.events, 'new event')}`;
  return refused > 0 ? `${made} (${counted(refused, 'line')} refused)` : made;
}

/** "1 API key, 0 triggers, 3 people" */
export function foundText(f: Pick<ImportFacts, 'keys' | 'triggers' | 'people'>): string {
  return `${counted(f.keys, 'API key')}, ${counted(f.triggers, 'trigger')}, ${counted(f.people, 'person', 'people')}`;
}

/** "1 summary row (TOTAL, Sum) is not data and is left out." */
export function summaryRowsText(n: number): string {
  const is = n === 1 ? 'is' : 'are';
  return `${counted(n, 'summary row')} (TOTAL, Sum) ${is} not data and ${is} left out.`;
}

/** "The two exports disagree 3 times on a key's spend for a day:" */
export function disagreementsText(n: number): string {
  return `The two exports disagree ${n === 1 ? 'once' : `${int(n)} times`} on a key’s spend for a day:`;
}

/**
 * What the file does to the plan's seats, or null. The count is the whole history's people (not
 * this file's): said only for a file that brings people's messages, where it is news.
 */
export function seatsText(f: Pick<ImportFacts, 'activeSeats' | 'people'>, stage: FactsStage): string | null {
  if (f.activeSeats === null || f.activeSeats <= 0 || f.people === 0) return null;
  const who = `${counted(f.activeSeats, 'person', 'people')} sent messages in the last 30 days of the history`;
  const seats = `the plan’s seats to ${int(f.activeSeats)} while they are at the default.`;
  return stage === 'preview' ? `With this file, ${who}: importing it sets ${seats}` : `${who}: Headroom sets ${seats}`;
}
