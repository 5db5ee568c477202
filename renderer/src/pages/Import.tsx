import { useCallback, useEffect, useRef, useState } from 'react';
import { call, newJobId, onProgress, toError } from '../api/client.ts';
import { ProgressBar } from '../components/Progress.tsx';
import { Chip } from '../components/Chip.tsx';
import { int, timeWithYear, when } from '../format.ts';
import { FORMAT_NAMES, formatName } from '../import/format-names.ts';
import { MappingStep, startingMapping } from '../import/MappingStep.tsx';
import { ExportLikeWarning, PreviewFacts } from '../import/PreviewFacts.tsx';
import { sourceOfFile } from '../import/upload.ts';
import { entryOf, fileOfPhase, previewsHold } from '../import/preview-set.ts';
import type { ShownPreviews } from '../import/preview-set.ts';
import { useGo } from '../nav.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { ImportSource } from '../../../src/api/schemas.ts';
import type { BatchInfo, ColumnMappingView, ImportFormat, ImportPreview, ImportResult, ImportSetEntry } from '../../../src/api/types.ts';
import type { GivenDayOrder } from '../../../src/import/day-order.ts';

const FORMATS: { id: ImportFormat; label: string }[] = [
  { id: 'auto', label: 'Detect automatically' },
  { id: 'events', label: FORMAT_NAMES.events },
  { id: 'dust-cost', label: FORMAT_NAMES['dust-cost'] },
  { id: 'dust-consumption', label: FORMAT_NAMES['dust-consumption'] },
];

/** A stored time ("2026-01-05T10:00:00.000Z") in a preview cell as the admin reads it; any other text as it is. */
function cellText(column: string | undefined, value: string): string {
  if (column !== 'time' || !/^\d{4}-\d\d-\d\dT[\d:.]+Z$/.test(value)) return value;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : timeWithYear(ms);
}

interface Props {
  /** false while another page is shown: the page stays mounted (its import goes on) and draws nothing */
  active: boolean;
  version: number;
  onChanged: () => void;
  dropped: File | null;
  pendingPath: string | null;
  onConsumed: () => void;
}

/** One file of the set being reviewed: its preview, the mapping the admin set, its own error. */
interface Item {
  key: number;
  name: string;
  /** null while the file is still being handed over (uploaded to the web host, granted by the desktop app) */
  source: ImportSource | null;
  /**
   * the upload or the preview under way, with how far it got; in a set previewed together, the
   * files above the one being read are `read`, those below it `waiting`
   */
  reading: { phase: 'upload' | 'preview' | 'read' | 'waiting'; done: number; total: number } | null;
  preview: ImportPreview | null;
  /** set once the admin touches the mapping step; null: as guessed or saved */
  mapping: ColumnMappingView | null;
  /** the day order of an export's slash dates, as the admin chose it in the preview; null: as the file tells */
  dates: GivenDayOrder | null;
  error: ApiError | null;
  result: ImportResult | null;
}


/**
 * The rows a file could not use, each with its line, and what the admin can do about them: before
 * the import, fix the file or leave them out; after it, fix them and import the file again (the
 * rows already in count as duplicates, so nothing is counted twice).
 */
function RowErrors({ errors, total, stage }: { errors: { line: number; column?: string; value?: string; message: string }[]; total?: number; stage: 'preview' | 'imported' }) {
  if (errors.length === 0) return null;
  const n = total ?? errors.length;
  const them = n === 1 ? 'it' : 'them';
  return (
    <div className="error-box" role="alert" data-testid="row-errors">
      <strong>
        {int(n)} bad row{n === 1 ? '' : 's'}
      </strong>
      <p data-testid="row-errors-next">
        {stage === 'preview'
          ? `Fix ${n === 1 ? 'this line' : 'these lines'} in the file and choose it again, or import the good rows and leave ${them} out.`
          : `Left out of the ledger. Fix ${them} in the file and import it again: the rows already imported count as duplicates, not twice.`}
      </p>
      <ul>
        {errors.slice(0, 50).map((e, i) => (
          <li key={i}>
            <span className="where">line {e.line}</span>
            {e.column !== undefined && <code>{e.column}</code>}
            {e.value !== undefined && <code>{JSON.stringify(e.value)}</code>} {e.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** One message per error: its first line (the rest of a refusal's text repeats its details), then the details. */
function ImportError({ error }: { error: ApiError }) {
  const first = error.message.split('\n')[0];
  return (
    <div className="error-box" role="alert" data-testid="import-error" tabIndex={-1}>
      <strong>{error.code === 'input_error' ? 'Not imported' : 'Import failed'}</strong>
      <p>{first}</p>
      {error.details.length > 1 && (
        <ul>
          {error.details.slice(0, 50).map((d, i) => (
            <li key={i}>
              {d.line !== undefined && <span className="where">line {d.line}</span>}
              {d.column !== undefined && <code>{d.column}</code>}
              {d.value !== undefined && <code>{JSON.stringify(d.value)}</code>} {d.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

let nextKey = 1;

/** What the admin told of a file, as its preview and its import are both given it. */
function given(it: Pick<Item, 'mapping' | 'dates'>): { mapping?: ColumnMappingView; dates?: GivenDayOrder } {
  return { ...(it.mapping !== null ? { mapping: it.mapping } : {}), ...(it.dates !== null ? { dates: it.dates } : {}) };
}

export function ImportPage({ active, version, onChanged, dropped, pendingPath, onConsumed }: Props) {
  const go = useGo();
  const [items, setItems] = useState<Item[]>([]);
  const [format, setFormat] = useState<ImportFormat>('auto');
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState<{ jobId: string; done: number; total: number; file: string } | null>(null);
  const [results, setResults] = useState<ImportResult[]>([]);
  const [history, setHistory] = useState<BatchInfo[]>([]);
  const [dragging, setDragging] = useState(false);
  // the files and format the previews on the page were made for, and the files imported since:
  // Import waits while they no longer say what it will do
  const [shown, setShown] = useState<ShownPreviews | null>(null);
  const [imported, setImported] = useState<ReadonlySet<string>>(new Set());
  const inputRef = useRef<HTMLInputElement>(null);
  const importRef = useRef<HTMLButtonElement>(null);
  const stopped = useRef(false);
  // Where the focus goes once an action has removed the control that had it (the import button
  // gives way to the progress, the progress to the result): never left on the page's body.
  const [focusNext, setFocusNext] = useState<'cancel' | 'result' | 'import' | 'choose' | null>(null);
  useEffect(() => {
    if (focusNext === null) return;
    const target =
      focusNext === 'cancel'
        ? document.querySelector<HTMLElement>('[data-testid=import-running] button')
        : focusNext === 'result'
        ? document.querySelector<HTMLElement>('[data-testid=import-result] h2, [data-testid=import-error]')
        : focusNext === 'import'
          ? importRef.current
          : inputRef.current;
    target?.focus();
    setFocusNext(null);
  }, [focusNext, results, items, running]);
  // what each file's upload or preview can be stopped by (its Cancel, a new set, a new mapping)
  const inFlight = useRef(new Map<number, { upload?: AbortController; previewJob?: string }>());
  const stopReading = (key: number): void => {
    const w = inFlight.current.get(key);
    if (w === undefined) return;
    inFlight.current.delete(key);
    w.upload?.abort();
    if (w.previewJob !== undefined) void call('job-cancel', { jobId: w.previewJob }).catch(() => {});
  };

  const refreshHistory = () => {
    call('import-history', {})
      .then(setHistory)
      .catch((e: unknown) => setError(toError(e)));
  };
  useEffect(refreshHistory, [version]);

  const patch = (key: number, p: Partial<Item>) => setItems((list) => list.map((it) => (it.key === key ? { ...it, ...p } : it)));

  const start = useCallback((sources: { source: ImportSource | null; name: string; size?: number }[]): Item[] => {
    // a new set: the old messages, results and unfinished readings go
    for (const key of [...inFlight.current.keys()]) stopReading(key);
    setError(null);
    setResults([]);
    setShown(null);
    setImported(new Set());
    const next = sources.map(({ source, name, size }) => ({
      key: nextKey++,
      name,
      source,
      reading: source === null ? { phase: 'upload' as const, done: 0, total: size ?? 1 } : null,
      preview: null,
      mapping: null,
      dates: null,
      error: null,
      result: null,
    }));
    setItems(next);
    return next;
  }, []);

  /** Files from the picker or a drop: handed over one by one, each previewed as soon as it is there. */
  const choose = async (files: File[]) => {
    const added = start(files.map((f) => ({ source: null, name: f.name, size: f.size })));
    for (let i = 0; i < files.length; i++) {
      const it = added[i]!;
      const upload = new AbortController();
      inFlight.current.set(it.key, { upload });
      try {
        const source = await sourceOfFile(files[i]!, (done, total) => patch(it.key, { reading: { phase: 'upload', done, total } }), upload.signal);
        if (upload.signal.aborted) continue;
        inFlight.current.delete(it.key);
        patch(it.key, { source, reading: null });
      } catch (e) {
        if (upload.signal.aborted) continue;
        inFlight.current.delete(it.key);
        patch(it.key, { error: toError(e), reading: null });
      }
    }
  };

  /** The admin stops reading one file: it leaves the set, the ledger is not touched. */
  const cancelReading = (key: number) => {
    stopReading(key);
    setItems((list) => list.filter((it) => it.key !== key));
  };

  useEffect(() => {
    if (dropped) void choose([dropped]);
    // from the main process: `<handle>/<name>` of a file its own dialog was given
    else if (pendingPath) start([{ source: { upload: pendingPath.slice(0, pendingPath.indexOf('/')) }, name: pendingPath.slice(pendingPath.indexOf('/') + 1) }]);
    if (dropped || pendingPath) onConsumed();
    // choose and start are recreated each render and only act on what they are given: a file
    // handed over once is consumed once, when it arrives
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [dropped, pendingPath, onConsumed]);

  // Previews: one file when it arrives; several as the set they are imported as, in order, once
  // all are handed over (each file given the ones above it). Again when a mapping, the format or
  // the files change (debounced), the stale preview cancelled; not while an import runs, nor when
  // the previews shown still hold (only files above were removed, by importing them).
  const entries = items.map(entryOf);
  const previewKey = entries.join('|');
  const fresh = previewsHold(shown, entries, format, imported);
  const idle = running === null;
  useEffect(() => {
    if (!idle || fresh || items.length === 0) return;
    const set = items;
    const made: ShownPreviews = { format, entries };
    const single = set.length === 1;
    // a file is previewed once it is handed over; a set once every file is (the files above one decide its counts)
    if (set.some((it) => it.source === null)) return;
    let live = true;
    let off = (): void => {};
    const jobId = newJobId(single ? 'preview' : 'preview-set');
    const flights = inFlight.current;
    const inSet = (key: number): number => set.findIndex((s) => s.key === key);
    const timer = setTimeout(() => {
      // the preview runs off the service's thread; its progress shows from the start and Cancel stops it
      for (const it of set) flights.set(it.key, { previewJob: jobId });
      setItems((list) => list.map((it) => (inSet(it.key) < 0 ? it : { ...it, reading: { phase: inSet(it.key) === 0 ? 'preview' : 'waiting', done: 0, total: 1 } })));
      off = onProgress((e) => {
        if (!live || e.jobId !== jobId) return;
        const at = single ? 0 : fileOfPhase(e.phase);
        if (at === null) return;
        setItems((list) =>
          list.map((it) => {
            const i = inSet(it.key);
            if (i < 0) return it;
            return { ...it, reading: i < at ? { phase: 'read', done: 1, total: 1 } : i === at ? { phase: 'preview', done: e.done, total: e.total } : { phase: 'waiting', done: 0, total: 1 } };
          }),
        );
      });
      const asked: Promise<ImportSetEntry[]> = single
        ? call('import-preview', { source: set[0]!.source!, format, jobId, ...given(set[0]!) }).then((preview) => [{ name: preview.name, preview, error: null }])
        : call('import-preview-set', { files: set.map((it) => ({ source: it.source!, ...given(it) })), format, jobId });
      asked
        .then((answers) => {
          if (!live) return;
          setItems((list) =>
            list.map((it) => {
              const a = answers[inSet(it.key)];
              return a === undefined ? it : { ...it, preview: a.preview, error: a.error, reading: null };
            }),
          );
          setShown(made);
        })
        .catch((e: unknown) => {
          const err = toError(e);
          if (!live || err.code === 'cancelled') return;
          setItems((list) => list.map((it) => (inSet(it.key) < 0 ? it : { ...it, error: err, reading: null })));
          setShown(made);
        })
        .finally(() => {
          for (const it of set) if (flights.get(it.key)?.previewJob === jobId) flights.delete(it.key);
        });
    }, 250);
    return () => {
      live = false;
      clearTimeout(timer);
      off();
      // a preview made stale by a new mapping, format or set of files is stopped, not left to run
      let stop = false;
      for (const it of set) {
        if (flights.get(it.key)?.previewJob !== jobId) continue;
        flights.delete(it.key);
        stop = true;
      }
      if (stop) void call('job-cancel', { jobId }).catch(() => {});
    };
    // items' identity changes with every preview; the key says when a new preview is needed
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [previewKey, format, idle, fresh]);

  const needsMapping = (it: Item): boolean => it.preview !== null && it.preview.format === 'mapping' && (it.preview.missing.length > 0 || it.preview.columnMapping === null);
  const ready = items.length > 0 && fresh && items.every((it) => it.preview !== null && it.reading === null && it.error === null && !needsMapping(it));
  // a disabled Import says what it waits for
  const waitingFor =
    running !== null || ready
      ? null
      : items.some((it) => it.error !== null)
        ? items.length > 1
          ? 'Remove the file that cannot be imported, or fix it and choose the files again.'
          : 'Clear, or fix the file and choose it again.'
        : items.some((it) => it.reading !== null || it.preview === null) || !fresh
          ? items.length > 1
            ? 'Import opens once the files are previewed together.'
            : 'Import opens once the file is read.'
          : items.some(needsMapping)
            ? 'Say above which column holds what first.'
            : null;
  // in a set, a file whose columns are not mapped yet adds nothing for the files below it
  const unmapped = items.length > 1 ? items.slice(0, -1).find(needsMapping) : undefined;
  const badRows = items.reduce((a, it) => a + (it.preview?.errors.length ?? 0), 0);

  const run = async (skipBadRows: boolean) => {
    setError(null);
    stopped.current = false;
    const done: ImportResult[] = [];
    for (const it of items) {
      if (stopped.current) break;
      if (it.source === null) continue;
      const jobId = newJobId('import');
      setRunning({ jobId, done: 0, total: 1, file: it.name });
      // the disabled Import button would drop the focus: it moves to the Cancel beside the progress
      if (done.length === 0) setFocusNext('cancel');
      const off = onProgress((e) => {
        if (e.jobId === jobId) setRunning({ jobId, done: e.done, total: e.total, file: it.name });
      });
      try {
        const r = await call('import-run', { source: it.source, format, skipBadRows, jobId, ...given(it) });
        done.push(r);
        // the previews of the files below it assumed it in the ledger: now it is
        const entry = entryOf(it);
        setImported((s) => new Set(s).add(entry));
        setItems((list) => list.filter((x) => x.key !== it.key));
      } catch (e) {
        const err = toError(e);
        // cancelled: nothing was written, and the file stays ready to import again
        if (err.code !== 'cancelled') patch(it.key, { error: err });
      } finally {
        off();
      }
    }
    setRunning(null);
    setResults(done);
    // the first result (or the failure that stopped it); after a Cancel, the file is still ready
    setFocusNext(stopped.current && done.length === 0 ? 'import' : 'result');
    if (done.length > 0) onChanged();
    refreshHistory();
  };

  const cancel = () => {
    stopped.current = true;
    if (running) void call('job-cancel', { jobId: running.jobId });
  };

  const undo = async (batch: number) => {
    setError(null);
    try {
      await call('import-undo', { batch });
      // the files being reviewed were previewed against the ledger before this undo
      setShown(null);
      onChanged();
    } catch (e) {
      setError(toError(e));
    }
    refreshHistory();
  };

  if (!active) return null;

  return (
    <div className="page" data-testid="import">
      <header className="page-head">
        <div>
          <h1>Import</h1>
          <p className="muted">Add events, Dust cost and consumption exports, or any spreadsheet of usage to the ledger. Rows already there count as duplicates.</p>
        </div>
      </header>

      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragEnter={() => setDragging(true)}
        onDragLeave={() => setDragging(false)}
        onDrop={() => setDragging(false)}
      >
        <p>Drop CSV files anywhere on the window, or</p>
        <input
          id="file-input"
          aria-label="Choose CSV files to import"
          ref={inputRef}
          className="visually-hidden"
          type="file"
          multiple
          accept=".csv,.gz,.tsv,.txt,text/csv"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            if (files.length > 0) void choose(files);
            e.target.value = '';
          }}
        />
        <label className="button primary" htmlFor="file-input">
          Choose files…
        </label>
        <label className="field">
          Format
          <select value={format} onChange={(e) => setFormat(e.target.value as ImportFormat)}>
            {FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
      </div>

      {error && <ImportError error={error} />}

      {items.map((it, idx) => (
        <section key={it.key} aria-label={`Preview of ${it.name}`} className="panel" data-testid="preview">
          <div className="detail-head">
            <h2>
              {items.length > 1 && <span className="muted">{int(idx + 1)}. </span>}Preview: {it.name}
            </h2>
            {items.length > 1 && running === null && it.reading === null && (
              <button type="button" className="button small" aria-label={`Remove ${it.name} from the files to import`} onClick={() => cancelReading(it.key)}>
                Remove
              </button>
            )}
          </div>
          {it.error && <ImportError error={it.error} />}
          {items.length > 1 && it.source !== null && it.preview === null && it.reading === null && it.error === null && (
            <p className="muted" data-testid="set-waiting">
              Previewed with the other files once they are all handed over: the files above it decide what it adds.
            </p>
          )}
          {it.reading && (
            <div data-testid="reading">
              <ProgressBar
                done={it.reading.done}
                total={it.reading.total}
                label={
                  it.reading.phase === 'upload'
                    ? `Handing over ${it.name}`
                    : it.reading.phase === 'read'
                      ? `Read ${it.name}, with the files above it`
                      : it.reading.phase === 'waiting'
                        ? `${it.name}: read after the files above it`
                        : `Reading ${it.name}`
                }
                onCancel={() => cancelReading(it.key)}
              />
            </div>
          )}
          {it.preview && (
            <>
              <p>
                {it.preview.format === 'mapping' ? 'Not a known export:' : format === 'auto' ? 'Recognised as' : 'Read as'}{' '}
                <strong data-testid="detected-format" data-format={it.preview.format}>
                  {it.preview.format === 'mapping' ? 'say below which column holds what' : formatName(it.preview.format)}
                </strong>
              </p>
              {/* several files: the counts the import will report, given the files above */}
              {items.length > 1 && it.preview.totalRows !== null && !needsMapping(it) && (
                <dl className="figures" data-testid="preview-counts">
                  <div><dt>Rows</dt><dd className="num" data-testid="count-rows">{int(it.preview.counts.rows)}</dd></div>
                  <div><dt>New</dt><dd className="num" data-testid="count-imported">{int(it.preview.counts.imported)}</dd></div>
                  <div><dt>Duplicates</dt><dd className="num" data-testid="count-duplicates">{int(it.preview.counts.duplicates)}</dd></div>
                  <div><dt>Bad rows</dt><dd className="num" data-testid="count-rejected">{int(it.preview.counts.rejected)}</dd></div>
                </dl>
              )}
              {/* a preview that stopped at the first rows, or whose columns are not mapped yet, has no whole-file facts to show */}
              {it.preview.totalRows !== null && !needsMapping(it) && (
                <PreviewFacts
                  facts={it.preview.facts}
                  format={it.preview.format}
                  stage="preview"
                  dayOrder={{ value: it.dates, onChange: (dates) => patch(it.key, { dates, error: null }), disabled: running !== null }}
                />
              )}
              {it.preview.totalRows !== null && !needsMapping(it) && it.preview.facts.duplicates > 0 && <p className="muted" data-testid="facts-duplicates">{int(it.preview.facts.duplicates)} {it.preview.facts.duplicates === 1 ? 'line of this file is' : 'lines of this file are'} already in the ledger{idx > 0 ? ' or in a file above' : ''}: counted as duplicates, not added again.</p>}
              {/* the facts are not shown until the columns are mapped: a sheet like the cost export is said before its mapping */}
              {needsMapping(it) && <ExportLikeWarning facts={it.preview.facts} />}
              {it.preview.format === 'mapping' && it.preview.fileHeader.length > 0 && (
                <MappingStep
                  header={it.preview.fileHeader}
                  mapping={it.mapping ?? startingMapping(it.preview.fileHeader, it.preview.columnMapping)}
                  missing={it.mapping === null ? it.preview.missing : []}
                  onChange={(m) => patch(it.key, { mapping: m, error: null })}
                />
              )}
              {it.preview.mapping.length > 0 && (
                <p className="mapping">
                  {it.preview.mapping.map((m) => (
                    <span key={m.column} className="map-pair">
                      <code>{m.column}</code> → {m.field}
                    </span>
                  ))}
                </p>
              )}
              {/* headers over no row (columns not mapped yet, every row bad) would read as an empty file */}
              {it.preview.rows.length > 0 && (
                <div className="table-wrap">
                  <table className="compact" aria-label="The first rows as they will be stored">
                    <thead>
                      <tr>
                        {it.preview.header.map((h) => (
                          <th key={h} scope="col">
                            {h}
                          </th>
                        ))}
                      </tr>
                    </thead>
                    <tbody>
                      {it.preview.rows.map((r, i) => (
                        <tr key={i}>
                          {r.map((c, j) => (
                            <td key={j}>{cellText(it.preview?.header[j], c)}</td>
                          ))}
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
              <RowErrors errors={it.preview.errors} stage="preview" />
            </>
          )}
        </section>
      ))}

      {items.length > 1 && (
        <p className="muted" data-testid="import-set-note">
          Previewed in the order they will be imported, each file with the ones above it: a line an earlier file holds counts as a duplicate, so the counts are what Import will do.
          {unmapped !== undefined && ` Until the columns of ${unmapped.name} are mapped, the files below it are counted without it.`}
        </p>
      )}
      {items.length > 0 && (
        <div className="actions panel">
          {badRows === 0 ? (
            <button ref={importRef} type="button" className="button primary" disabled={running !== null || !ready} onClick={() => void run(false)}>
              {items.length === 1 ? 'Import' : `Import ${int(items.length)} files`}
            </button>
          ) : (
            <button ref={importRef} type="button" className="button primary" data-testid="import-good-rows" disabled={running !== null || !ready} onClick={() => void run(true)}>
              Import the good rows, list the bad ones
            </button>
          )}
          <button
            type="button"
            className="button"
            disabled={running !== null}
            onClick={() => {
              start([]);
              setFocusNext('choose');
            }}
          >
            Clear
          </button>
          {waitingFor !== null && (
            <span className="muted small" data-testid="import-waiting">
              {waitingFor}
            </span>
          )}
        </div>
      )}

      {running && (
        <div className="panel" data-testid="import-running">
          <ProgressBar done={running.done} total={running.total} label={`Importing ${running.file}`} />
          <button type="button" className="button" onClick={cancel}>
            Cancel
          </button>
        </div>
      )}

      {results.map((result) => (
        <section key={`${result.file}${result.batch}`} className="panel result" aria-label={`Imported ${result.file}`} data-testid="import-result">
          <h2 tabIndex={-1}>Imported {result.file.split(/[\\/]/).pop()}</h2>
          <dl className="figures">
            <div><dt>Format</dt><dd>{formatName(result.format)}</dd></div>
            <div><dt>Rows</dt><dd className="num" data-testid="result-rows">{int(result.rows)}</dd></div>
            <div><dt>Imported</dt><dd className="num" data-testid="imported-count">{int(result.imported)}</dd></div>
            <div><dt>Duplicates</dt><dd className="num" data-testid="result-duplicates">{int(result.duplicates)}</dd></div>
            <div><dt>Rejected</dt><dd className="num" data-testid="result-rejected">{int(result.rejected)}</dd></div>
          </dl>
          {result.facts && <PreviewFacts facts={result.facts} format={result.format} stage="imported" refused={result.rejected} />}
          <RowErrors errors={result.errors} total={result.rejected} stage="imported" />
        </section>
      ))}
      {/* the import's effect is on other pages: the next step is one click (or Tab) away, not in the docs */}
      {results.some((r) => r.imported > 0) && !running && (
        <div className="actions" data-testid="import-next">
          <button type="button" className="button primary" onClick={() => go('overview')}>
            See what the plan throttles now (Overview)
          </button>
          <button type="button" className="button" onClick={() => go('keys')}>
            Set caps on API keys
          </button>
        </div>
      )}

      <section aria-labelledby="history-h">
        <h2 id="history-h">History</h2>
        {history.length === 0 ? (
          <p className="muted">No imports yet.</p>
        ) : (
          <div className="table-wrap">
            <table data-testid="history-table">
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">File</th>
                  <th scope="col">Format</th>
                  <th scope="col">Imported at (UTC)</th>
                  <th scope="col" className="num">Rows imported</th>
                  <th scope="col" className="num">Duplicates</th>
                  <th scope="col" className="num">Rejected</th>
                  <th scope="col">State</th>
                </tr>
              </thead>
              <tbody>
                {[...history].reverse().map((b) => (
                  <tr key={b.id}>
                    <td className="num">{b.id}</td>
                    <th scope="row">{b.file}</th>
                    <td>{formatName(b.format)}</td>
                    <td>{when(b.importedAt)}</td>
                    <td className="num">{int(b.imported)}</td>
                    <td className="num">{int(b.duplicates)}</td>
                    <td className="num">{int(b.rejected)}</td>
                    <td>
                      {b.undone ? (
                        <Chip status="near" label="Undone" />
                      ) : (
                        <button type="button" className="button small" onClick={() => void undo(b.id)} aria-label={`Undo import ${b.id} (${b.file})`}>
                          Undo
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
