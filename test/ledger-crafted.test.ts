import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openLedger } from '../src/ledger/ledger.ts';
import { readLedgerEvents } from '../src/ledger/read.ts';
import { InputError } from '../src/errors.ts';
import { importFile } from '../src/import/importer.ts';

/**
 * Ledgers whose pages were edited by hand (issue 15, finding 5): the page reader must never
 * repeat or lose events, nor loop, on a tree SQLite would not write. It reads a sound ledger
 * exactly as SQL does, and refuses a damaged one.
 */

const EVENTS = 6000;

function makeLedger(path: string): void {
  const rows = ['timestamp,type,subject,cost_usd,id'];
  for (let i = 0; i < EVENTS; i++) rows.push(`${1_790_000_000_000 + i * 60_000},api,k_${i % 7},0.01,event-number-${i}`);
  const csv = `${path}.csv`;
  writeFileSync(csv, `${rows.join('\n')}\n`);
  const l = openLedger(path);
  return void importFile(l, csv).then(() => l.close());
}

interface Tree {
  pageSize: number;
  root: number;
}

function treeOf(path: string): Tree {
  const db = new Database(path, { readonly: true });
  try {
    const root = db.prepare(`SELECT rootpage FROM sqlite_schema WHERE name = 'events'`).pluck().get() as number;
    return { pageSize: db.pragma('page_size', { simple: true }) as number, root };
  } finally {
    db.close();
  }
}

/** The child page numbers of the interior page `page` (left children of its cells, then the right-most). */
function children(buf: Buffer, pageSize: number, page: number): { at: number; child: number }[] {
  const base = (page - 1) * pageSize;
  expect(buf[base]).toBe(2);
  const cells = buf.readUInt16BE(base + 3);
  const out: { at: number; child: number }[] = [];
  for (let c = 0; c < cells; c++) {
    const at = base + buf.readUInt16BE(base + 12 + 2 * c);
    out.push({ at, child: buf.readUInt32BE(at) });
  }
  out.push({ at: base + 8, child: buf.readUInt32BE(base + 8) });
  return out;
}

describe('page reader on crafted ledgers', () => {
  let dir: string;
  let sound: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'headroom-crafted-'));
    sound = join(dir, 'sound.sqlite');
    makeLedger(sound);
    // the import settles asynchronously; wait for the connection to close
    for (let i = 0; i < 200; i++) {
      try {
        if (readLedgerEvents(sound).count === EVENTS) break;
      } catch {
        /* not yet */
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const copy = (name: string, edit: (buf: Buffer, tree: Tree) => void): string => {
    const path = join(dir, name);
    const buf = readFileSync(sound);
    edit(buf, treeOf(sound));
    writeFileSync(path, buf);
    return path;
  };

  it('reads a sound ledger from its pages exactly as SQL does', () => {
    const l = openLedger(sound, { readonly: true });
    try {
      const pages = l.readEvents();
      const sql = l.readEvents({ pages: false });
      expect(pages.count).toBe(EVENTS);
      expect(Array.from(pages.time)).toEqual(Array.from(sql.time));
    } finally {
      l.close();
    }
    // the events table spans more than one page, so the edits below meet an interior page
    const buf = readFileSync(sound);
    const t = treeOf(sound);
    expect(children(buf, t.pageSize, t.root).length).toBeGreaterThan(2);
  });

  it('refuses a ledger whose tree shares a page instead of reporting its events twice', () => {
    const shared = copy('shared.sqlite', (buf, t) => {
      const kids = children(buf, t.pageSize, t.root);
      // the second child now points at the first: its events would be read twice, its own lost
      buf.writeUInt32BE(kids[0]!.child, kids[1]!.at);
    });
    let caught: unknown;
    try {
      readLedgerEvents(shared);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(InputError);
    expect((caught as InputError).message).toMatch(/damaged/);
  });

  it('refuses a ledger whose tree loops back to its root', () => {
    const looped = copy('looped.sqlite', (buf, t) => {
      const kids = children(buf, t.pageSize, t.root);
      buf.writeUInt32BE(t.root, kids[kids.length - 1]!.at);
    });
    expect(() => readLedgerEvents(looped)).toThrow(InputError);
  });

  it('refuses a cell pointer outside its page instead of reading another page as rows', () => {
    const outside = copy('outside.sqlite', (buf, t) => {
      const kids = children(buf, t.pageSize, t.root);
      const leaf = kids[0]!.child;
      // the leaf's first cell pointer, past the end of the page
      buf.writeUInt16BE(t.pageSize + 10 > 0xffff ? 0xffff : t.pageSize + 10, (leaf - 1) * t.pageSize + 8);
    });
    expect(() => readLedgerEvents(outside)).toThrow(InputError);
  });
});
