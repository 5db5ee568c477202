import { useMemo, useState } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable } from '@tanstack/react-table';
import type { RowSelectionState, SortingState } from '@tanstack/react-table';
import { Modeling, Sparkline, Empty } from '../modeling/parts.tsx';
import { applyEdit } from '../modeling/store.ts';
import { applyCaps, setKeyCaps } from '../../../src/modeling/plan-edits.ts';
import { fmtCount, fmtDate, fmtDollars, fmtShare, fmtUsd, fmtUsdWhole, parseMoney } from '../modeling/format.ts';
import type { KeyAdvice, ModelKey } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';

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

function StatusChip({ k }: { k: ModelKey }) {
  if (k.status === 'capped') {
    return <span className="chip chip-capped">{k.cappedUntil === null ? 'Capped out past the horizon' : `Capped out until ${fmtDate(k.cappedUntil)}`}</span>;
  }
  if (k.status === 'near') return <span className="chip chip-near">Near its cap</span>;
  return <span className="chip chip-fine">Fine</span>;
}

const STATUS_RANK = { capped: 2, near: 1, fine: 0 } as const;
const col = createColumnHelper<Row>();

export function KeysPage() {
  return (
    <Modeling title="API keys" subtitle="Caps against each key’s rolling 30-day spend. Every change re-projects the history." testId="keys-page">
      {({ view, advice, adviceError }) => <KeysTable keys={view.keys} advice={advice?.keys ?? null} adviceMissing={adviceError?.message ?? null} />}
    </Modeling>
  );
}

function KeysTable({ keys, advice, adviceMissing }: { keys: ModelKey[]; advice: KeyAdvice[] | null; adviceMissing: string | null }) {
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
            <strong>{row.original.name}</strong>
            {row.original.inferred && <span className="tag">from events</span>}
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
          return (
            <div className="reco">
              <span className="num" style={{ textAlign: 'left' }}>
                {fmtUsdWhole(a.recommendedCapUsd)}
              </span>
              <small>
                p50 {fmtDollars(a.rolling30.p50)} · p90 {fmtDollars(a.rolling30.p90)} · p99 {fmtDollars(a.rolling30.p99)}
              </small>
            </div>
          );
        },
      }),
      col.accessor((r) => STATUS_RANK[r.status] * 1e6 + (r.peakShare ?? 0), {
        id: 'status',
        header: 'Status',
        cell: ({ row }) => <StatusChip k={row.original} />,
      }),
      col.accessor('blocked', {
        header: 'Blocked',
        cell: ({ row }) => (
          <span className="num">
            {fmtCount(row.original.blocked)}
            {row.original.blocked > 0 && <span className="muted small"> · {fmtUsd(row.original.blockedUsd)}</span>}
          </span>
        ),
      }),
    ],
    [adviceMissing],
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
    const caps = new Map(advice.filter((a) => targets.includes(a.id)).map((a) => [a.id, a.recommendedCapUsd] as const));
    applyEdit((p) => applyCaps(p, caps), `recommended caps on ${caps.size} keys`);
  };

  if (keys.length === 0) return <Empty>No API key appears in the history or the plan yet. Import a usage export to see keys here.</Empty>;
  return (
    <>
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
              <tr key={r.id} data-key={r.original.id}>
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
