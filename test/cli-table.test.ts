import { describe, expect, it } from 'vitest';
import { MAX_CELL, TextTable, fitCell } from '../src/engine/text-table.ts';

describe('text table (issue 15, finding 3: the renderer of user data is linear)', () => {
  it('draws the boxed layout the summary always had', () => {
    const t = new TextTable(['Name', 'N'], ['left', 'right']);
    t.push(['a', '1']);
    t.push(['é漢', '12345']);
    expect(t.toString()).toBe(['┌──────┬───────┐', '│ Name │     N │', '├──────┼───────┤', '│ a    │     1 │', '│ é漢  │ 12345 │', '└──────┴───────┘'].join('\n'));
  });

  it('cuts a 10 MB cell to its width with an ellipsis, looking only at its start', () => {
    const huge = 'k'.repeat(10 * 1024 * 1024);
    const cell = fitCell(huge);
    expect(cell.width).toBe(MAX_CELL);
    expect(cell.text).toBe(`${'k'.repeat(MAX_CELL - 1)}…`);
    const t = new TextTable(['Key'], ['left']);
    t.push([huge]);
    expect(t.toString().split('\n').every((l) => l.length <= MAX_CELL + 4)).toBe(true);
    // wide characters count two columns: the cut keeps the grid straight
    expect(fitCell('漢'.repeat(100)).width).toBeLessThanOrEqual(MAX_CELL);
    expect(fitCell('漢'.repeat(100)).text.endsWith('…')).toBe(true);
  });

  it('shows control characters from the data as ?, so a cell cannot break the grid or drive the terminal', () => {
    const t = new TextTable(['Subject'], ['left']);
    t.push(['evil\u001b[2J\nsecond\rline']);
    const text = t.toString();
    expect(text).not.toContain('\u001b');
    expect(text.split('\n')).toHaveLength(5);
    expect(text).toContain('evil?[2J?second?line');
  });

  it('holds 20,000 rows in output proportional to them', () => {
    const t = new TextTable(['Spend limit', 'Limit'], ['left', 'right']);
    for (let i = 0; i < 20_000; i++) t.push([`Spend limit l${i} (per UTC day)`, `$${i}.00`]);
    const lines = t.toString().split('\n');
    expect(lines).toHaveLength(20_004);
    expect(new Set(lines.slice(3, -1).map((l) => l.length)).size).toBe(1);
  });
});
