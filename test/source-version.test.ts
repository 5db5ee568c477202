import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { hashSources, sourceVersion } from '../src/fs/source-version.ts';

/**
 * The code's version a stored overview is keyed on: the content of src/'s TypeScript, so that the
 * command line, the web host and the app's bundle built from one checkout agree, and a change to
 * any source makes every stored answer a miss.
 */
describe('the sources’ version', () => {
  const dir = mkdtempSync(join(tmpdir(), 'headroom-sources-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tree = (files: Record<string, string>): string => {
    const root = mkdtempSync(join(dir, 'src-'));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };

  it('is the same for the same sources wherever they are, and moves with any change to them', () => {
    const files = { 'engine/a.ts': 'export const a = 1;\n', 'api/b.ts': 'export const b = 2;\n' };
    const base = hashSources(tree(files));
    expect(hashSources(tree(files))).toBe(base);
    expect(base).toMatch(/^src-[0-9a-f]{32}$/);
    // a changed line, a new file, a renamed one
    expect(hashSources(tree({ ...files, 'engine/a.ts': 'export const a = 2;\n' }))).not.toBe(base);
    expect(hashSources(tree({ ...files, 'engine/c.ts': '' }))).not.toBe(base);
    expect(hashSources(tree({ 'engine/a2.ts': files['engine/a.ts'], 'api/b.ts': files['api/b.ts'] }))).not.toBe(base);
    // what is not TypeScript is no code
    expect(hashSources(tree({ ...files, 'engine/notes.md': 'x' }))).toBe(base);
  });

  it('run from the sources, it is theirs', () => {
    expect(sourceVersion()).toBe(hashSources(join(import.meta.dirname, '..', 'src')));
  });
});
