import { useMemo, useState } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable } from '@tanstack/react-table';
import type { RowSelectionState, SortingState } from '@tanstack/react-table';
import { Modeling, Sparkline, Empty } from '../modeling/parts.tsx';
import { applyEdit, useEditor } from '../modeling/store.ts';
import { Chip } from '../components/Chip.tsx';
import { NoData } from '../components/FirstRun.tsx';
import { KeyDetail } from '../modeling/KeyDetail.tsx';
import { openDetail, useDetail } from '../modeling/detail.ts';
import { showKeyAdvice } from '../../../src/views/key-advice.ts';
import { STATUS_RANK } from '../../../src/views/status.ts';
import { applyCaps, setKeyCaps } from '../../../src/modeling/plan-edits.ts';
import { fmtCount, fmtDollars, fmtShare, fmtUsd, fmtUsdWhole, parseMoney } from '../modeling/format.ts';
import type { KeyAdvice, ModelKey, ModelView } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';
import { RenameEntity } from '../import/EntityEdits.tsx';

interface Row extends ModelKey {
  advice: KeyAdvice | null;
}

/** A cap field: empty = no cap. Commits on Enter or when focus leaves, as one undo step. */
function CapInput({ row }: { row: Row }) {
  const shown = row.capUsd === null ? '' : String(row.capUsd);
  const [text, setText] = useState<string | null>(null);
  const value = text ?? shown;
  const parsed = parseMoney(value);
  const commit = () => {
    if (text === null) return;
    setText(null);
    if (parsed === 'invalid' || parsed === row.capUsd) return;
    applyEdit((p) => setKeyCaps(p, [row.id], parsed), `cap of ${row.name}`);
  };
  return (
    <input
      className={`num-input${parsed === 'invalid' ? ' invalid' : ''}`}
      aria-label={`Cap of ${row.name} in dollars (empty for no cap)`}
      aria-invalid={parsed === 'invalid'}
      inputMode="decimal"
      placeholder="no cap"
      value={value}
      onChange={(e) => setText(e.target.value)}
      onBlur={commit}
      onKeyDown={(e) => {
        if (e.key === 'Enter') commit();
        if (e.key === 'Escape') setText(null);
      }}
    />
  );
}

const col = createColumnHelper<Row>();

export function KeysPage() {
  return (
    <Modeling title="API keys" subtitle="Caps against each key’s rolling 30-day spend. Every change re-projects the history." testId="keys-page">
      {({ view, advice, adviceError }) => <KeysTable view={view} keys={view.keys} advice={advice?.keys ?? null} headroom={advice?.headroom ?? 0.25} adviceMissing={adviceError?.message ?? null} />}
    </Modeling>
  );
}

function KeysTable({ view, keys, advice, headroom, adviceMissing }: { view: ModelView; keys: ModelKey[]; advice: KeyAdvice[] | null; headroom: number; adviceMissing: string | null }) {
  const detail = useDetail();
  const { history } = useEditor();
  const windowDays = history?.present.enforcement.keyCapWindowDays ?? 30;
  const [sorting, setSorting] = useState<SortingState>([{ id: 'status', desc: true }]);
  const [filter, setFilter] = useState('');
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [bulkCap, setBulkCap] = useState('');
  const rows = useMemo<Row[]>(() => keys.map((k) => ({ ...k, advice: advice?.find((a) => a.id === k.id) ?? null })), [keys, advice]);

  const columns = useMemo(
    () => [
      col.display({
        id: 'select',
        header: ({ table }) => (
          <input type="checkbox" aria-label="Select all keys" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />
        ),
        cell: ({ row }) => <input type="checkbox" aria-label={`Select ${row.original.name}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
      }),
      col.accessor('name', {
        header: 'Key',
        cell: ({ row }) => (
          <div>
            <button
              type="button"
              className="link"
              aria-label={`Details of ${row.original.name}`}
              aria-expanded={detail?.kind === 'key' && detail.id === row.original.id}
              onClick={(e) => {
                e.stopPropagation();
                openDetail({ kind: 'key', id: row.original.id });
              }}
            >
              <strong>{row.original.name}</strong>
            </button>
            {row.original.inferred && <span className="tag">from events</span>}
            <RenameEntity type="api" id={row.original.id} name={row.original.name} />
            <div className="muted small">{row.original.id}</div>
          </div>
        ),
      }),
      col.accessor((r) => r.spark[r.spark.length - 1] ?? 0, {
        id: 'spend',
        header: 'Rolling 30-day spend',
        cell: ({ row }) => (
          <div className="spark-cell">
            <Sparkline values={row.original.spark} cap={row.original.capUsd} label={`${row.original.name}: rolling spend, last ${row.original.spark.length} days`} />
            <span className="num small">{fmtUsdWhole(row.original.spark[row.original.spark.length - 1] ?? 0)} now</span>
          </div>
        ),
      }),
      col.accessor('peakUsd', {
        header: 'Peak',
        cell: ({ row }) => (
          <div className="num" style={{ textAlign: 'left' }}>
            {fmtUsdWhole(row.original.peakUsd)}
            {row.original.peakShare !== null && <div className="muted small">{fmtShare(row.original.peakShare)} of cap</div>}
          </div>
        ),
      }),
      col.accessor((r) => r.capUsd ?? Number.POSITIVE_INFINITY, { id: 'cap', header: 'Cap', cell: ({ row }) => <CapInput row={row.original} /> }),
      col.accessor((r) => r.advice?.recommendedCapUsd ?? -1, {
        id: 'recommended',
        header: 'Recommended cap',
        cell: ({ row }) => {
          const a = row.original.advice;
          if (!a) return <span className="muted small">{adviceMissing ? 'unavailable' : '…'}</span>;
          const shown = showKeyAdvice(a, row.original.lastUsed, view.to, headroom);
          if (shown.kind === 'revoke') return <span className="reco" data-testid="advice-revoke"><strong>Revoke?</strong><small>unused {60} days</small></span>;
          return (
            <div className="reco">
              <span className="num" style={{ textAlign: 'left' }}>
                {fmtUsdWhole(shown.capUsd)}
              </span>
              <small>
                p50 {fmtDollars(a.rolling30.p50)} · p90 {fmtDollars(a.rolling30.p90)}
              </small>{' '}
              <small>p99 {fmtDollars(a.rolling30.p99)}{shown.explained ? ' · see why' : ''}</small>
            </div>
          );
        },
      }),
      col.accessor((r) => STATUS_RANK[r.status] * 1e6 + (r.peakShare ?? 0), {
        id: 'status',
        header: 'Status',
        cell: ({ row }) => (
          <div>
            <Chip status={row.original.status} />
            {row.original.blocked > 0 && (
              <div className="muted small" data-testid="blocked-count">
                {fmtCount(row.original.blocked)} blocked · {fmtUsd(row.original.blockedUsd)}
              </div>
            )}
          </div>
        ),
      }),
    ],
    [adviceMissing, detail, view.to, headroom],
  );

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, globalFilter: filter, rowSelection: selection },
    getRowId: (r) => r.id,
    onSortingChange: setSorting,
    onGlobalFilterChange: setFilter,
    onRowSelectionChange: setSelection,
    globalFilterFn: (row, _id, value: string) => `${row.original.name} ${row.original.id} ${row.original.status}`.toLowerCase().includes(value.toLowerCase()),
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  });

  const selected = Object.keys(selection).filter((id) => selection[id]);
  const targets = selected.length > 0 ? selected : keys.map((k) => k.id);
  const bulk = parseMoney(bulkCap);
  const applyRecommended = () => {
    if (!advice) return;
    // the caps the screen shows (src/views): unused keys are left for the admin to revoke
    const caps = new Map<string, number>();
    for (const a of advice) {
      const k = keys.find((x) => x.id === a.id);
      if (!k || !targets.includes(a.id)) continue;
      const shown = showKeyAdvice(a, k.lastUsed, view.to, headroom);
      if (shown.kind === 'cap') caps.set(a.id, shown.capUsd);
    }
    applyEdit((p) => applyCaps(p, caps), `recommended caps on ${caps.size} keys`);
  };

  if (keys.length === 0) return <NoData why="No API key appears in the history or the plan yet: the programmatic cost export lists every key’s spend." />;
  const open = detail?.kind === 'key' ? keys.find((k) => k.id === detail.id) ?? null : null;
  return (
    <>
      {open && <KeyDetail k={open} advice={advice?.find((a) => a.id === open.id) ?? null} view={view} windowDays={windowDays} headroom={headroom} />}
      <div className="toolbar">
        <input type="search" aria-label="Filter keys" placeholder="Filter keys" value={filter} onChange={(e) => setFilter(e.target.value)} />
        <span className="grow" />
        <button type="button" className="button" onClick={applyRecommended} disabled={!advice}>
          Apply recommended caps{selected.length > 0 ? ` (${selected.length} selected)` : ' (all keys)'}
        </button>
        <input
          className={`num-input${bulk === 'invalid' ? ' invalid' : ''}`}
          aria-label="Cap to set on the selected keys, in dollars (empty for no cap)"
          placeholder="no cap"
          inputMode="decimal"
          value={bulkCap}
          onChange={(e) => setBulkCap(e.target.value)}
        />
        <button type="button" className="button" disabled={selected.length === 0 || bulk === 'invalid'} onClick={() => bulk !== 'invalid' && applyEdit((p) => setKeyCaps(p, selected, bulk), `cap on ${selected.length} keys`)}>
          Set cap on {selected.length || 'the'} selected
        </button>
      </div>
      <div className="table-wrap">
        <table data-testid="model-keys-table">
          <thead>
            {table.getHeaderGroups().map((g) => (
              <tr key={g.id}>
                {g.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  return (
                    <th key={h.id} aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}>
                      {h.column.getCanSort() && h.column.id !== 'select' ? (
                        <button type="button" className="sort" onClick={h.column.getToggleSortingHandler()} aria-label={`Sort by ${String(h.column.columnDef.header)}`}>
                          {flexRender(h.column.columnDef.header, h.getContext())} {sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : ''}
                        </button>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {table.getRowModel().rows.map((r) => (
              <tr key={r.id} data-key={r.original.id} className={open?.id === r.original.id ? 'clickable selected' : 'clickable'} onClick={(e) => {
                // a click on a field or a checkbox edits; anywhere else in the row opens the detail
                if ((e.target as HTMLElement).closest('input, button, select')) return;
                openDetail({ kind: 'key', id: r.original.id });
              }}>
                {r.getVisibleCells().map((c) => (
                  <td key={c.id}>{flexRender(c.column.columnDef.cell, c.getContext())}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
        {table.getRowModel().rows.length === 0 && <Empty>No key matches “{filter}”.</Empty>}
      </div>
      {adviceMissing && <p className="muted small">Recommended caps are unavailable: {adviceMissing}</p>}
    </>
  );
}
