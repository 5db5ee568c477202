/**
 * The Import page's rule for when its previews still say what Import will do
 * (renderer/src/import/preview-set.ts): a file's preview holds while the files above it are those
 * it was previewed with, or were imported since; otherwise the set is previewed again.
 */
import { describe, expect, it } from 'vitest';
import { entryOf, fileOfPhase, previewsHold } from '../renderer/src/import/preview-set.ts';

const a = entryOf({ key: 1, source: { upload: 'a' }, mapping: null });
const b = entryOf({ key: 2, source: { upload: 'b' }, mapping: null });
const c = entryOf({ key: 3, source: { upload: 'c' }, mapping: null });
const shown = { format: 'auto', entries: [a, b, c] };
const none = new Set<string>();

describe('the previews of a set on the Import page', () => {
  it('hold for the files they were made for, and not for another format or none made yet', () => {
    expect(previewsHold(shown, [a, b, c], 'auto', none)).toBe(true);
    expect(previewsHold(shown, [a, b, c], 'dust-consumption', none)).toBe(false);
    expect(previewsHold(null, [a], 'auto', none)).toBe(false);
  });

  it('are made again when a file above another is removed, not when it was imported', () => {
    expect(previewsHold(shown, [b, c], 'auto', none)).toBe(false);
    expect(previewsHold(shown, [b, c], 'auto', new Set([a]))).toBe(true);
    // the import stopped at b (refused), c went in after it: b's preview still holds
    expect(previewsHold(shown, [b], 'auto', new Set([a, c]))).toBe(true);
    // removing the last file changes nothing above it
    expect(previewsHold(shown, [a, b], 'auto', none)).toBe(true);
  });

  it('are made again when a mapping changes or a file is still being handed over', () => {
    const mapped = entryOf({ key: 2, source: { upload: 'b' }, mapping: { time: 't', dateFormat: 'iso', timeOfDay: null, timeZone: 'UTC', type: { value: 'api' }, typeValues: {}, subject: 's', cost: null, costUnit: 'usd', decimal: '.', currency: 'USD', usdPerUnit: null, id: null } });
    expect(previewsHold(shown, [a, mapped, c], 'auto', none)).toBe(false);
    expect(previewsHold(shown, [a, b, c, entryOf({ key: 4, source: null, mapping: null })], 'auto', none)).toBe(false);
    expect(previewsHold(shown, [b, a, c], 'auto', none)).toBe(false);
  });

  it('are made again when a file’s day order is chosen, or set back to automatic', () => {
    const dayFirst = entryOf({ key: 2, source: { upload: 'b' }, mapping: null, dates: 'dmy' });
    expect(previewsHold(shown, [a, dayFirst, c], 'auto', none)).toBe(false);
    expect(previewsHold({ format: 'auto', entries: [a, dayFirst, c] }, [a, b, c], 'auto', none)).toBe(false);
    expect(entryOf({ key: 2, source: { upload: 'b' }, mapping: null, dates: null })).toBe(b);
  });

  it('read the file a progress report is about', () => {
    expect(fileOfPhase('preview-set:2')).toBe(2);
    expect(fileOfPhase('preview')).toBeNull();
  });
});
