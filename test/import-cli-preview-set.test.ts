/**
 * `headroom import A B --preview`: the files of one command are imported in order as one set, so
 * their preview must count as their import will. Previewed one by one against the ledger, a
 * consumption export that overlaps the one before it (or a cost export whose days the consumption
 * export of the set covers) said 20,000 new lines where the import then added 10,000.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { runImport } from '../src/cli/commands/import.ts';
import { tempDir } from './fixtures/ledger-helpers.ts';
import type { TempDir } from './fixtures/ledger-helpers.ts';
import { dustWorkspace } from './support/dust-exports.ts';

let tmp: TempDir;

beforeEach(() => {
  tmp = tempDir('headroom-preview-set-');
});

afterEach(() => {
  tmp.remove();
});

/** The SPEC §8 objects, without the batch (null in a preview). */
function counts(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split('\n')
    .map((l) => {
      const { batch: _b, ...o } = JSON.parse(l) as Record<string, unknown>;
      return o;
    });
}

const digest = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('several files previewed together', () => {
  const ws = dustWorkspace({ seed: 21, days: 20 });
  const [header, ...lines] = ws.consumption.trim().split('\n');
  const half = Math.floor(lines.length / 2);

  it('count what their import then does: an overlapping export and the cost export of the same days', async () => {
    // two consumption exports overlapping by a quarter of the lines, then the cost export
    const a = tmp.write('consumption-a.csv', `${header}\n${lines.slice(0, half + Math.floor(half / 2)).join('\n')}\n`);
    const b = tmp.write('consumption-b.csv', `${header}\n${lines.slice(half).join('\n')}\n`);
    const cost = tmp.write('cost.csv', ws.cost[0]!);
    const db = tmp.path('ledger.sqlite');
    // an existing ledger, which the preview leaves as it was
    await runImport([tmp.write('other.csv', 'timestamp,type,subject,cost_usd\n2026-01-05T10:00:00Z,api,k0,1\n')], { db });
    const before = digest(db);
    const preview = await runImport([a, b, cost], { db, preview: true, json: true });
    expect(digest(db)).toBe(before);
    const imported = await runImport([a, b, cost], { db, json: true });
    expect(counts(preview.stdout)).toEqual(counts(imported.stdout));
    expect(counts(preview.stdout)[1]).toMatchObject({ duplicates: Math.floor(half / 2) });
  });

  it('a file its import would refuse adds nothing for the next file of the preview', async () => {
    const bad = tmp.write('bad.csv', `${header}\n${lines.slice(0, half).join('\n')}\nnot a time,,,m_bad,,,,,,,,,,,,,,,,,,,api,k,,,,,,,,,,,,,1,,,,\n`);
    const b = tmp.write('consumption-b.csv', `${header}\n${lines.slice(0, half).join('\n')}\n`);
    const db = tmp.path('new.sqlite');
    const preview = await runImport([bad, b], { db, preview: true, json: true });
    expect(counts(preview.stdout)[1]).toMatchObject({ imported: half, duplicates: 0 });
    expect(existsSync(db)).toBe(false);
  });

  it('a spreadsheet whose columns cannot be guessed: the preview refuses it as its import does, in the same words', async () => {
    const sheet = tmp.write('sheet.csv', 'Report,Acme\nWhen,Amount\n2026-11-02,12\n');
    const db = tmp.path('sheet.sqlite');
    const preview = await runImport([sheet], { db, preview: true, json: true });
    const imported = await runImport([sheet], { db, json: true });
    expect(preview.exitCode).toBe(2);
    expect(imported.exitCode).toBe(2);
    expect(preview.stdout).toBe(imported.stdout);
    expect(JSON.parse(preview.stdout)).toMatchObject({ format: 'mapping', batch: null, errors: [{ line: 1, message: expect.stringMatching(/^not a known export .* could not be mapped/) }] });
  });
});
