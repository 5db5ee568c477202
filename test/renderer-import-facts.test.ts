/**
 * What the Import page says about a file (renderer/src/import/PreviewFacts.tsx), rendered to
 * markup: counts whose nouns agree, dates in words, and the seats sentence only where the file
 * brings people's messages (the seats come from the whole history, not from an API-only file).
 */
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { PreviewFacts } from '../renderer/src/import/PreviewFacts.tsx';
import type { ImportFacts } from '../src/api/types.ts';

function facts(over: Partial<ImportFacts>): ImportFacts {
  return {
    from: Date.UTC(2026, 0, 5, 10),
    to: Date.UTC(2026, 0, 5, 10),
    lines: 1,
    events: 1,
    spendMicros: 1_500_000,
    keys: 1,
    triggers: 0,
    people: 0,
    form: null,
    summaryRows: 0,
    spread: null,
    overlap: null,
    disagreements: [],
    activeSeats: null,
    findings: { readAs: null, repeatedHeaders: null, differing: null, completed: null },
    ...over,
  };
}

const text = (f: ImportFacts, stage: 'preview' | 'imported' = 'preview') =>
  renderToStaticMarkup(createElement(PreviewFacts, { facts: f, format: 'mapping', stage }))
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ');

describe('PreviewFacts', () => {
  it('says one line, one event, one API key, and the day in words', () => {
    const t = text(facts({ summaryRows: 1 }));
    expect(t).toContain('1 line makes 1 event');
    expect(t).toContain('1 API key, 0 triggers, 0 people');
    expect(t).toContain('Jan 5, 2026');
    expect(t).toContain('1 summary row (TOTAL, Sum) is not data and is left out.');
    expect(t).not.toMatch(/\b1 (lines|events|API keys)\b|row\(s\)|2026-01-05/);
  });

  it('leaves the seats out of a file with no people, and says what importing one does to them', () => {
    expect(text(facts({ activeSeats: 25 }))).not.toMatch(/seats/);
    const withPeople = text(facts({ activeSeats: 25, people: 3 }));
    expect(withPeople).toContain("With this file, 25 people sent messages in the last 30 days of the history: importing it sets the plan’s seats to 25 while they are at the default.");
    expect(text(facts({ activeSeats: 1, people: 1 }), 'imported')).toContain('1 person sent messages in the last 30 days of the history: Headroom sets the plan’s seats to 1');
  });
});
