/**
 * The core's folders form layers: a folder may import from the folders below it, never from one
 * above. This reads every import in src/ (static, `export … from`, dynamic) and checks the layering
 * the README's architecture section describes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WORKER_SOURCES } from '../src/worker-files.ts';

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
  // `from` is optional: an import for its side effects (`import './x.ts'`) loads the module too
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?'([^']+)'/gm)) add(m[2]!, m[1] !== undefined);
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
  // the plan read under the other profile (compare/profiles.ts), for the same futures decided both ways
  forecast: ['compare', 'engine', 'errors.ts', 'fs', 'ledger', 'worker-files.ts', 'workers'],
  recommend: ['engine', 'errors.ts', 'forecast'],
  export: ['engine', 'errors.ts', 'fs', 'forecast', 'recommend'],
  demo: ['engine', 'errors.ts', 'fs'],
  compare: ['engine', 'errors.ts', 'worker-files.ts'],
  views: ['engine', 'errors.ts', 'forecast', 'recommend'],
  projection: ['engine', 'errors.ts', 'views'],
  modeling: ['compare', 'engine', 'errors.ts', 'export', 'forecast', 'recommend', 'projection', 'views'],
  api: ['compare', 'engine', 'errors.ts', 'fs', 'ledger', 'import', 'forecast', 'recommend', 'export', 'demo', 'projection', 'views', 'modeling', 'worker-files.ts', 'workers'],
  host: ['api', 'engine', 'errors.ts', 'fs', 'worker-files.ts'],
  cli: ['csv', 'engine', 'errors.ts', 'fs', 'ledger', 'import', 'forecast', 'recommend', 'export', 'demo', 'compare', 'views', 'projection'],
  // the scripts a thread or a process starts with (src/worker-files.ts): wiring over the layers below
  entries: ['api', 'compare', 'csv', 'engine', 'errors.ts', 'forecast', 'fs', 'import', 'ledger', 'modeling', 'projection', 'recommend', 'export', 'views', 'worker-files.ts', 'workers'],
};

/**
 * Cycles between folders that exist today and are to be taken apart. The test fails when a new
 * cycle appears and also when one of these is gone, so the list only shrinks (it is empty now:
 * keep it so).
 */
const KNOWN_CYCLES: string[] = [];

/**
 * Every cycle of `graph`, each as the sorted folders of one strongly connected component of more
 * than one folder (Tarjan's algorithm): a cycle through three folders is found as well as a pair.
 */
function cyclesOf(graph: Map<string, Set<string>>): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next);
    next++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) found.push(component.sort().join(', '));
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found.sort();
}

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

  it('no import cycle between folders, of any length', () => {
    expect(cyclesOf(runtimeGraph())).toEqual(KNOWN_CYCLES);
  });

  it('the allowed layering has no cycle either (a cycle allowed would one day be written)', () => {
    const allowed = new Map(Object.entries(ALLOWED).map(([k, v]) => [k, new Set(v)]));
    expect(cyclesOf(allowed)).toEqual([]);
  });

  it('the cycle finder finds cycles through three folders, not only pairs', () => {
    // guards the check: a finder that saw only a<->b would miss ledger -> import -> csv -> ledger
    const g = new Map([
      ['ledger', new Set(['import'])],
      ['import', new Set(['csv'])],
      ['csv', new Set(['ledger', 'engine'])],
      ['engine', new Set<string>()],
    ]);
    expect(cyclesOf(g)).toEqual(['csv, import, ledger']);
    expect(cyclesOf(new Map([['a', new Set(['b'])], ['b', new Set<string>()]]))).toEqual([]);
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

const RENDERER = resolve(import.meta.dirname, '../renderer/src');

/** What `file` imports at run time (type-only imports left out): relative ones resolved to files, bare ones as written. */
function runtimeImportsOf(file: string): { files: string[]; bare: string[] } {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const files: string[] = [];
  const bare: string[] = [];
  const add = (spec: string): void => {
    if (spec.startsWith('.')) files.push(resolve(dirname(file), spec));
    else bare.push(spec);
  };
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?'([^']+)'/gm)) if (m[1] === undefined) add(m[2]!);
  for (const m of text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)) add(m[1]!);
  return { files, bare };
}

/** The src/ files the renderer loads at run time, and every src/ file they load in turn. */
function rendererReachOfSrc(): Map<string, string> {
  const reached = new Map<string, string>();
  const queue: { file: string; via: string }[] = [];
  for (const f of sourceFiles(RENDERER)) {
    for (const to of runtimeImportsOf(f).files) if (to.startsWith(SRC)) queue.push({ file: to, via: relative(RENDERER, f) });
  }
  while (queue.length > 0) {
    const { file, via } = queue.pop()!;
    if (reached.has(file)) continue;
    reached.set(file, via);
    for (const to of runtimeImportsOf(file).files) if (to.startsWith(SRC)) queue.push({ file: to, via: `${via} -> ${relative(SRC, file)}` });
  }
  return reached;
}

/** What runs only in Node or the service: the window may import none of it, even through another module. */
const NODE_ONLY = /^(?:node:|fs$|path$|os$|worker_threads$|child_process$|better-sqlite3$|electron$)/;
const SERVICE_FOLDERS = new Set(['api', 'ledger', 'import', 'workers', 'fs', 'host', 'cli', 'csv']);
/** The service's modules the window shares at run time: names only, no handler, schema or I/O. */
const SHARED_FROM_API = new Set(['api/channels.ts']);

describe('the renderer reaches src/ only for code that runs in a browser', () => {
  const reached = rendererReachOfSrc();

  it('reads the renderer’s imports', () => {
    // guards the reader: the renderer shares the plan edits and the status words with the core
    expect([...reached.keys()].map((f) => relative(SRC, f))).toEqual(expect.arrayContaining(['modeling/plan-edits.ts', 'views/status.ts', 'api/channels.ts']));
  });

  it('nothing the window loads from src/ imports Node, the database, Electron or the service', () => {
    const offenders: string[] = [];
    for (const [file, via] of reached) {
      const rel = relative(SRC, file);
      for (const spec of runtimeImportsOf(file).bare) if (NODE_ONLY.test(spec)) offenders.push(`${rel} imports ${spec} (reached by ${via})`);
      if (SERVICE_FOLDERS.has(unitOf(file)) && !SHARED_FROM_API.has(rel)) offenders.push(`${rel} is the service's (reached by ${via})`);
    }
    expect(offenders).toEqual([]);
  });
});

/**
 * The modules a file loads at run time, following static value imports (`import type` is erased)
 * and dynamic ones, from file to file; packages are listed by name and not followed.
 */
function runtimeClosure(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    const text = readFileSync(file, 'utf8');
    const specs = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)(?:[^'";]*?from\s+)?'([^']+)'/gm)].map((m) => m[1]!),
      ...[...text.matchAll(/\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1]!),
    ];
    for (const spec of specs) {
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:')) packages.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
    }
  };
  visit(resolve(SRC, entry));
  return { files, packages };
}

describe('where threads and processes start', () => {
  it('every worker thread and the service process start from src/entries/, each named once in src/worker-files.ts, and nothing else is there', () => {
    const listed = Object.entries(WORKER_SOURCES).map(([name, source]) => ({ name, source }));
    for (const { name, source } of listed) expect(source, name).toBe(`entries/${name}.ts`);
    const inFolder = readdirSync(resolve(SRC, 'entries')).filter((f) => f.endsWith('.ts')).sort();
    expect(inFolder).toEqual(listed.map((l) => `${l.name}.ts`).sort());
  });

  it('no module loads an entry (a thread starts one by its name in the list, never by an import)', () => {
    expect(edges.filter((e) => e.to === 'entries' && !e.typeOnly).map((e) => e.file)).toEqual([]);
  });
});

describe('what a worker loads', () => {
  it('follows value imports and leaves out type-only ones', () => {
    // guards the reader: the CLI's plan loading does reach the validator
    expect(runtimeClosure('engine/plan-file.ts').packages.has('zod')).toBe(true);
    expect(runtimeClosure('entries/mc-worker.ts').files.has(resolve(SRC, 'engine/simulate.ts'))).toBe(true);
  });

  it("the forecast's path workers and the part thread load no plan validator (each loads its code while the forecast or an edit waits)", () => {
    for (const entry of ['entries/mc-worker.ts', 'entries/part-worker.ts']) {
      const { files, packages } = runtimeClosure(entry);
      expect([...packages].sort(), entry).not.toContain('zod');
      expect(files.has(resolve(SRC, 'engine/plan.ts')), `${entry} loads engine/plan.ts`).toBe(false);
    }
  });
});
