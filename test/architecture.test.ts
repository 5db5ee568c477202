/**
 * The core's folders form layers: a folder may import from the folders below it, never from one
 * above. This reads every import in src/ (static, `export … from`, dynamic) and checks the layering
 * the README's architecture section describes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

interface Edge {
  from: string;
  to: string;
  file: string;
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const path = join(dir, d.name);
    if (d.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(d.name) ? [path] : [];
  });
}

/** The top folder of src/ a path lies in; files right under src/ are their own unit. */
function unitOf(path: string): string {
  return relative(SRC, path).split('/')[0]!;
}

function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const from = unitOf(file);
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean): void => {
    if (!spec.startsWith('.')) return;
    const to = unitOf(resolve(dirname(file), spec));
    if (to !== from && !to.startsWith('..')) edges.push({ from, to, file: relative(SRC, file), typeOnly });
  };
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'/gm)) add(m[2]!, m[1] !== undefined);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1]!, false);
  return edges;
}

const edges = sourceFiles(SRC).flatMap(importsOf);

/** Folder → the folders it may import (at run time). Lower layers first. */
const ALLOWED: Record<string, readonly string[]> = {
  'errors.ts': [],
  'worker-files.ts': [],
  // the one worker transport: Node alone, so every layer (the engine too) may use it
  workers: [],
  fs: ['errors.ts'],
  engine: ['errors.ts', 'fs', 'worker-files.ts', 'workers'],
  // CSV reading: above the engine because the canonical reader builds the engine's event columns
  // directly (no object per row) with its units and time range; the engine itself reads no file
  csv: ['engine', 'errors.ts'],
  ledger: ['engine', 'errors.ts', 'fs'],
  import: ['csv', 'engine', 'errors.ts', 'fs', 'ledger', 'worker-files.ts', 'workers'],
  forecast: ['engine', 'errors.ts', 'fs', 'ledger', 'worker-files.ts', 'workers'],
  recommend: ['engine', 'errors.ts', 'forecast'],
  export: ['engine', 'errors.ts', 'fs', 'forecast', 'recommend'],
  demo: ['engine', 'errors.ts', 'fs'],
  compare: ['engine', 'errors.ts', 'worker-files.ts'],
  views: ['engine', 'errors.ts', 'forecast', 'recommend'],
  projection: ['engine', 'errors.ts', 'views'],
  modeling: ['compare', 'engine', 'errors.ts', 'export', 'forecast', 'recommend', 'projection', 'views'],
  api: ['compare', 'engine', 'errors.ts', 'fs', 'ledger', 'import', 'forecast', 'recommend', 'export', 'demo', 'projection', 'views', 'modeling', 'worker-files.ts', 'workers'],
  host: ['api', 'engine', 'errors.ts', 'fs', 'worker-files.ts'],
  cli: ['csv', 'engine', 'errors.ts', 'fs', 'ledger', 'import', 'forecast', 'recommend', 'export', 'demo', 'compare'],
};

/**
 * Cycles between folders that exist today and are to be taken apart. The test fails when a new
 * cycle appears and also when one of these is gone, so the list only shrinks (it is empty now:
 * keep it so).
 */
const KNOWN_CYCLES: string[] = [];

function runtimeGraph(): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const e of edges) {
    if (e.typeOnly) continue;
    let out = graph.get(e.from);
    if (!out) graph.set(e.from, (out = new Set()));
    out.add(e.to);
  }
  return graph;
}

describe('the core is layered', () => {
  it('reads a real import graph', () => {
    // Guards the reader itself: a regex that matched nothing would make every check below pass.
    expect(edges.some((e) => e.from === 'cli' && e.to === 'engine')).toBe(true);
    expect(edges.length).toBeGreaterThan(100);
  });

  it('every folder imports only from the folders below it', () => {
    const wrong = edges
      .filter((e) => !e.typeOnly)
      .filter((e) => !(ALLOWED[e.from] ?? []).includes(e.to))
      .map((e) => `${e.file} imports ${e.to}/`);
    expect([...new Set(wrong)]).toEqual([]);
  });

  it('the engine imports nothing above it, not even types', () => {
    const up = edges.filter((e) => e.from === 'engine' && !ALLOWED.engine!.includes(e.to)).map((e) => `${e.file} -> ${e.to}`);
    expect(up).toEqual([]);
  });

  it('no new import cycle between folders', () => {
    const graph = runtimeGraph();
    const cycles: string[] = [];
    for (const [a, outs] of graph) {
      for (const b of outs) if (a < b && graph.get(b)?.has(a)) cycles.push(`${a}<->${b}`);
    }
    expect(cycles.sort()).toEqual(KNOWN_CYCLES);
  });

  it('the core never imports electron or the DOM', () => {
    const code = (f: string): string => readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    // `window` alone is a fine name for a sliding window; the browser's is reached through its members
    const offenders = sourceFiles(SRC).filter((f) => /from\s+'electron'|\bdocument\.[A-Za-z]|\bwindow\.(?:document|location|addEventListener|localStorage|navigator)\b/.test(code(f)));
    expect(offenders.map((f) => relative(SRC, f))).toEqual([]);
  });
});

/**
 * SQL on the ledger outside src/ledger/: a statement prepared or run from a string, a call on a
 * connection (`db.`, `.db.`), or the driver imported. A RegExp's `.exec(v)` is none of these.
 */
const SQL_CALL = /\.(?:prepare|exec)\(\s*[`'"]|\b(?:db|database|sqlite)\s*\.\s*(?:prepare|exec|pragma|transaction|function|serialize|backup)\s*\(|\.db\s*\.\s*\w+\s*\(|from\s+'better-sqlite3'|import\(\s*'better-sqlite3'\s*\)/i;

/** The lines of `text` (comments blanked, so that a comment naming a call is no call) that hold SQL on a database. */
function sqlCallLines(text: string): number[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')).replace(/\/\/.*$/gm, '');
  return code.split('\n').flatMap((line, i) => (SQL_CALL.test(line) ? [i + 1] : []));
}

describe('the ledger owns its SQL', () => {
  it('tells SQL on a database from a RegExp', () => {
    // guards the pattern: a check that matched nothing would pass whatever src/ holds
    expect(sqlCallLines("const r = db.prepare('SELECT 1').get();")).toEqual([1]);
    expect(sqlCallLines('ledger.db.exec(sql);')).toEqual([1]);
    expect(sqlCallLines('this.db.pragma(`cache_size = 1`);')).toEqual([1]);
    expect(sqlCallLines("x\nimport Database from 'better-sqlite3';")).toEqual([2]);
    expect(sqlCallLines('const m = DECIMAL.exec(text.trim());\nthis.prepare(plan, options);\n// db.prepare(\'x\')')).toEqual([]);
    const inLedger = sourceFiles(join(SRC, 'ledger')).flatMap((f) => sqlCallLines(readFileSync(f, 'utf8')));
    expect(inLedger.length).toBeGreaterThan(50);
  });

  it('no file outside src/ledger/ prepares or runs SQL, or opens the database itself', () => {
    const offenders = sourceFiles(SRC)
      .filter((f) => unitOf(f) !== 'ledger')
      .flatMap((f) => sqlCallLines(readFileSync(f, 'utf8')).map((line) => `${relative(SRC, f)}:${line}`));
    expect(offenders).toEqual([]);
  });
});
