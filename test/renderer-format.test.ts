/**
 * The app's words for waits, counts and dates (renderer/src/format.ts, renderer/src/modeling/
 * format.ts, renderer/src/import/format-names.ts): one wait format on every screen, nouns that
 * agree with their counts, times an admin reads rather than stored ISO text.
 */
import { describe, expect, it } from 'vitest';
import { counted, dateWithYear, duration, timeSpan, timeWithYear } from '../renderer/src/format.ts';
import { fmtDelay, fmtDelta, fmtMetric } from '../renderer/src/modeling/format.ts';
import { formatName } from '../renderer/src/import/format-names.ts';
import { formatDuration } from '../src/engine/report.ts';

describe('waits read alike in every table', () => {
  it("the Triggers table's waits are the other screens' (1d 13h, 23h, 45m), a dash when nothing waited", () => {
    for (const ms of [30_000, 45 * 60_000, 23 * 3_600_000, 37 * 3_600_000 + 20 * 60_000, 9 * 86_400_000]) expect(fmtDelay(ms)).toBe(duration(ms));
    expect(fmtDelay(37 * 3_600_000)).toBe('1d 13h');
    expect(fmtDelay(0)).toBe('—');
    expect(fmtDelay(null)).toBe('—');
    // Overview and Forecast call duration itself: no wait is the same dash there, never "none"
    expect(duration(0)).toBe('—');
    // rounded at the last unit shown, as the command line's sentences round them
    for (const ms of [48 * 3_600_000 - 1, 3_600_000 - 1, 2 * 3_600_000 + 29 * 60_000 + 45_000, 1999]) expect(duration(ms)).toBe(formatDuration(ms));
    expect(duration(48 * 3_600_000 - 1)).toBe('2d');
  });
});

describe('counts and dates in words', () => {
  it('one event, two events; one person, three people', () => {
    expect(counted(1, 'event')).toBe('1 event');
    expect(counted(2, 'event')).toBe('2 events');
    expect(counted(1_234, 'line')).toBe('1,234 lines');
    expect(counted(1, 'person', 'people')).toBe('1 person');
    expect(counted(3, 'person', 'people')).toBe('3 people');
    expect(counted(0, 'trigger')).toBe('0 triggers');
  });

  it('a date keeps its year and a time says its zone', () => {
    const t = Date.UTC(2026, 0, 5, 10, 7);
    expect(dateWithYear(t)).toBe('Jan 5, 2026');
    expect(timeWithYear(t)).toBe('Jan 5, 2026, 10:07 UTC');
    // 23:30 UTC is still that UTC day, whatever the machine's zone
    expect(dateWithYear(Date.UTC(2025, 11, 31, 23, 30))).toBe('Dec 31, 2025');
  });

  it("a history's span (Overview, Projection) says its years and its zone", () => {
    expect(timeSpan(Date.UTC(2026, 8, 3, 0, 0), Date.UTC(2026, 10, 1, 23, 58))).toBe('Sep 3, 2026, 00:00 → Nov 1, 2026, 23:58 UTC');
    // across New Year the two ends are not the same year
    expect(timeSpan(Date.UTC(2025, 11, 20, 8, 0), Date.UTC(2026, 0, 9, 17, 5))).toBe('Dec 20, 2025, 08:00 → Jan 9, 2026, 17:05 UTC');
    expect(timeSpan(null, null)).toBe('—');
  });

  it("import formats by the names an admin knows, an unknown one as it is", () => {
    expect(formatName('events')).toBe('Headroom events CSV');
    expect(formatName('dust-cost')).toBe('Dust daily cost export');
    expect(formatName('mapping')).toMatch(/^Other spreadsheet/);
    expect(formatName('something-new')).toBe('something-new');
  });

  it('a scenario comparison shows a share of a limit as a percent and its change in points', () => {
    expect(fmtMetric(0.5, 'share')).toMatch(/^50\s?%$/);
    expect(fmtDelta(-0.375, 'share')).toBe('−38 points');
    expect(fmtDelta(0.01, 'share')).toBe('+1 point');
    // under half a point reads as no change, not "+0 points"
    expect(fmtDelta(0.001, 'share')).toBe('±0');
    expect(fmtDelta(3, 'count')).toBe('+3');
  });
});
