/**
 * What the Import page says about a file (renderer/src/import/facts-words.ts, shown by
 * PreviewFacts.tsx): counts whose nouns agree, dates in words, and the seats sentence only where
 * the file brings people's messages (the seats come from the whole history, not from an API-only file).
 */
import { describe, expect, it } from 'vitest';
import { disagreementsText, foundText, linesText, rangeText, seatsText, summaryRowsText } from '../renderer/src/import/facts-words.ts';

describe("the import facts' words", () => {
  it('one line, one event, one API key, one summary row: never "1 events" nor "row(s)"', () => {
    expect(linesText({ lines: 1, events: 1 })).toBe('1 line makes 1 new event');
    expect(linesText({ lines: 2_400, events: 310 })).toBe('2,400 lines make 310 new events');
    // after an import that refused a line: the lines that made events, and the refused one apart
    expect(linesText({ lines: 85, events: 2_016 }, 1)).toBe('84 lines make 2,016 new events (1 line refused)');
    expect(foundText({ keys: 1, triggers: 0, people: 1 })).toBe('1 API key, 0 triggers, 1 person');
    expect(foundText({ keys: 3, triggers: 1, people: 2 })).toBe('3 API keys, 1 trigger, 2 people');
    expect(summaryRowsText(1)).toBe('1 summary row (TOTAL, Sum) is not data and is left out.');
    expect(summaryRowsText(2)).toBe('2 summary rows (TOTAL, Sum) are not data and are left out.');
    expect(disagreementsText(1)).toBe('The two exports disagree once on a key’s spend for a day:');
  });

  it("the file's dates in words with their year, one date for a single day", () => {
    expect(rangeText({ from: Date.UTC(2026, 0, 5, 10), to: Date.UTC(2026, 0, 5, 22) })).toBe('Jan 5, 2026');
    expect(rangeText({ from: Date.UTC(2025, 11, 30), to: Date.UTC(2026, 0, 2) })).toBe('Dec 30, 2025 – Jan 2, 2026');
    expect(rangeText({ from: null, to: null })).toBeNull();
  });

  it('leaves the seats out of a file with no people, and says what importing one does to them', () => {
    expect(seatsText({ activeSeats: 25, people: 0 }, 'preview')).toBeNull();
    expect(seatsText({ activeSeats: null, people: 4 }, 'preview')).toBeNull();
    expect(seatsText({ activeSeats: 25, people: 3 }, 'preview')).toBe(
      'With this file, 25 people sent messages in the last 30 days of the history: importing it sets the plan’s seats to 25 while they are at the default.',
    );
    expect(seatsText({ activeSeats: 1, people: 1 }, 'imported')).toBe('1 person sent messages in the last 30 days of the history: Headroom sets the plan’s seats to 1 while they are at the default.');
  });
});
