import { useEffect, useRef, useState } from 'react';
import { call, newJobId, onProgress, toError } from '../api/client.ts';
import { ErrorBox } from '../components/ErrorBox.tsx';
import { ProgressBar } from '../components/Progress.tsx';
import { Chip } from '../components/Chip.tsx';
import { int, when } from '../format.ts';
import type { ApiError } from '../../../src/api/errors.ts';
import type { ImportSource } from '../../../src/api/schemas.ts';
import type { BatchInfo, ImportFormat, ImportPreview, ImportResult } from '../../../src/api/types.ts';

const FORMATS: { id: ImportFormat; label: string }[] = [
  { id: 'auto', label: 'Detect automatically' },
  { id: 'events', label: 'Headroom events CSV' },
  { id: 'dust-cost', label: 'Dust daily cost export' },
  { id: 'dust-consumption', label: 'Dust consumption export' },
];

interface Props {
  version: number;
  onChanged: () => void;
  dropped: File | null;
  pendingPath: string | null;
  onConsumed: () => void;
}

async function sourceOf(file: File): Promise<ImportSource> {
  return { name: file.name, text: await file.text() };
}

function RowErrors({ errors }: { errors: { line: number; column?: string; value?: string; message: string }[] }) {
  if (errors.length === 0) return null;
  return (
    <div className="error-box" role="alert" data-testid="row-errors">
      <strong>
        {int(errors.length)} bad row{errors.length === 1 ? '' : 's'}
      </strong>
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

export function ImportPage({ version, onChanged, dropped, pendingPath, onConsumed }: Props) {
  const [source, setSource] = useState<ImportSource | null>(null);
  const [format, setFormat] = useState<ImportFormat>('auto');
  const [skipBad, setSkipBad] = useState(false);
  const [preview, setPreview] = useState<ImportPreview | null>(null);
  const [result, setResult] = useState<ImportResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [running, setRunning] = useState<{ jobId: string; done: number; total: number } | null>(null);
  const [history, setHistory] = useState<BatchInfo[]>([]);
  const [dragging, setDragging] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const refreshHistory = () => {
    call('import-history', {})
      .then(setHistory)
      .catch((e: unknown) => setError(toError(e)));
  };
  useEffect(refreshHistory, [version]);

  const choose = async (file: File) => {
    setResult(null);
    setError(null);
    setSource(await sourceOf(file));
  };

  useEffect(() => {
    if (dropped) void choose(dropped);
    else if (pendingPath) {
      setResult(null);
      setSource({ path: pendingPath });
    }
    if (dropped || pendingPath) onConsumed();
  }, [dropped, pendingPath, onConsumed]);

  useEffect(() => {
    if (!source) return;
    let live = true;
    setPreview(null);
    call('import-preview', { source, format })
      .then((p) => live && setPreview(p))
      .catch((e: unknown) => live && setError(toError(e)));
    return () => {
      live = false;
    };
  }, [source, format]);

  const run = async () => {
    if (!source) return;
    const jobId = newJobId('import');
    setRunning({ jobId, done: 0, total: 1 });
    setError(null);
    const off = onProgress((e) => {
      if (e.jobId === jobId) setRunning({ jobId, done: e.done, total: e.total });
    });
    try {
      const r = await call('import-run', { source, format, skipBadRows: skipBad, jobId });
      setResult(r);
      setSource(null);
      setPreview(null);
      onChanged();
    } catch (e) {
      setError(toError(e));
    } finally {
      off();
      setRunning(null);
      refreshHistory();
    }
  };

  const undo = async (batch: number) => {
    try {
      await call('import-undo', { batch });
      onChanged();
    } catch (e) {
      setError(toError(e));
    }
    refreshHistory();
  };

  const name = source ? ('name' in source ? source.name : source.path.split(/[\\/]/).pop()) : null;

  return (
    <div className="page" data-testid="import">
      <header className="page-head">
        <div>
          <h1>Import</h1>
          <p className="muted">Add events or Dust usage exports to the ledger. Rows already there count as duplicates.</p>
        </div>
      </header>

      <div
        className={dragging ? 'dropzone dragging' : 'dropzone'}
        onDragEnter={() => setDragging(true)}
        onDragLeave={() => setDragging(false)}
        onDrop={() => setDragging(false)}
      >
        <p>Drop a CSV file anywhere on the window, or</p>
        <input
          id="file-input"
          aria-label="Choose a CSV file to import"
          ref={inputRef}
          className="visually-hidden"
          type="file"
          accept=".csv,text/csv"
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (f) void choose(f);
            e.target.value = '';
          }}
        />
        <label className="button primary" htmlFor="file-input">
          Choose a file…
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

      {error && <ErrorBox error={error} title={error.code === 'input_error' ? 'The file was not imported' : 'Import failed'} />}

      {source && (
        <section aria-labelledby="preview-h" className="panel" data-testid="preview">
          <h2 id="preview-h">Preview: {name}</h2>
          {!preview && <p className="muted">Reading…</p>}
          {preview && (
            <>
              <p>
                Detected format <strong data-testid="detected-format">{preview.format}</strong>
                {preview.totalRows !== null && <> · {int(preview.totalRows)} rows</>}
              </p>
              {preview.mapping.length > 0 && (
                <p className="mapping">
                  {preview.mapping.map((m) => (
                    <span key={m.column} className="map-pair">
                      <code>{m.column}</code> → {m.field}
                    </span>
                  ))}
                </p>
              )}
              <div className="table-wrap">
                <table className="compact">
                  <thead>
                    <tr>
                      {preview.header.map((h) => (
                        <th key={h} scope="col">
                          {h}
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {preview.rows.map((r, i) => (
                      <tr key={i}>
                        {r.map((c, j) => (
                          <td key={j}>{c}</td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <RowErrors errors={preview.errors} />
            </>
          )}
          <div className="actions">
            <label className="check">
              <input type="checkbox" checked={skipBad} onChange={(e) => setSkipBad(e.target.checked)} /> Skip bad rows
            </label>
            <button type="button" className="button primary" disabled={running !== null || preview === null} onClick={() => void run()}>
              Import
            </button>
            <button type="button" className="button" disabled={running !== null} onClick={() => { setSource(null); setPreview(null); }}>
              Cancel
            </button>
          </div>
        </section>
      )}

      {running && (
        <div className="panel">
          <ProgressBar done={running.done} total={running.total} label="Importing" />
          <button type="button" className="button" onClick={() => void call('job-cancel', { jobId: running.jobId })}>
            Stop
          </button>
        </div>
      )}

      {result && (
        <section className="panel result" aria-labelledby="result-h" data-testid="import-result">
          <h2 id="result-h">Imported {result.file.split(/[\\/]/).pop()}</h2>
          <dl className="figures">
            <div><dt>Format</dt><dd>{result.format}</dd></div>
            <div><dt>Rows</dt><dd className="num">{int(result.rows)}</dd></div>
            <div><dt>Imported</dt><dd className="num" data-testid="imported-count">{int(result.imported)}</dd></div>
            <div><dt>Duplicates</dt><dd className="num">{int(result.duplicates)}</dd></div>
            <div><dt>Rejected</dt><dd className="num">{int(result.rejected)}</dd></div>
          </dl>
          <RowErrors errors={result.errors} />
        </section>
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
                  <th scope="col">Imported at</th>
                  <th scope="col" className="num">Events</th>
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
                    <td>{b.format}</td>
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
