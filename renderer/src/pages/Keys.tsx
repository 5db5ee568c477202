import { memo, useCallback, useMemo, useState } from 'react';
import { createColumnHelper, flexRender, getCoreRowModel, getFilteredRowModel, getSortedRowModel, useReactTable } from '@tanstack/react-table';
import type { RowSelectionState, SortingState } from '@tanstack/react-table';
import { Modeling, Sparkline, Empty } from '../modeling/parts.tsx';
import { applyEdit, getEditor, useEditorSelect } from '../modeling/store.ts';
import { useVirtualRows } from '../modeling/virtual-rows.ts';
import { VirtualBody } from '../modeling/VirtualBody.tsx';
import { Chip } from '../components/Chip.tsx';
import { NoData } from '../components/FirstRun.tsx';
import { KeyDetail } from '../modeling/KeyDetail.tsx';
import { openDetail, useDetail } from '../modeling/detail.ts';
import { rollingShown, showKeyAdvice } from '../../../src/views/key-advice.ts';
import { STATUS_RANK } from '../../../src/views/status.ts';
import { sparkOf } from '../../../src/modeling/view-delta.ts';
import { applyCaps, setKeyCaps } from '../../../src/modeling/plan-edits.ts';
import { fmtCount, fmtDollars, fmtShare, fmtUsd, fmtUsdWhole, parseMoney } from '../modeling/format.ts';
import type { KeyAdvice, ModelKey, ModelView } from '../../../src/modeling/types.ts';
import '../modeling/modeling.css';
import { RenameEntity } from '../import/EntityEdits.tsx';

/** A cap field: empty = no cap. Commits on Enter or when focus leaves, as one undo step. */
function CapInput({ k }: { k: ModelKey }) {
  const shown = k.capUsd === null ? '' : String(k.capUsd);
  const [text, setText] = useState<string | null>(null);
  const value = text ?? shown;
  const parsed = parseMoney(value);
  const commit = () => {
    if (text === null) return;
    setText(null);
    if (parsed === 'invalid' || parsed === k.capUsd) return;
    applyEdit((p) => setKeyCaps(p, [k.id], parsed), `cap of ${k.name}`);
  };
  return (
    <input
      className={`num-input${parsed === 'invalid' ? ' invalid' : ''}`}
      aria-label={`Cap of ${k.name} in dollars (empty for no cap)`}
      aria-invalid={parsed === 'invalid'}
      inputMode="decimal"
      placeholder="no cap"
      data-nav="cap"
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

function Recommended({ k, advice, adviceMissing, to, headroom }: { k: ModelKey; advice: KeyAdvice | null; adviceMissing: boolean; to: number | null; headroom: number }) {
  if (!advice) return <span className="muted small">{adviceMissing ? 'unavailable' : '…'}</span>;
  const shown = showKeyAdvice(advice, k.lastUsed, to, headroom);
  const rolling = rollingShown(advice, fmtDollars);
  if (shown.kind === 'revoke')
    return (
      <span className="reco" data-testid="advice-revoke">
        <strong>Revoke?</strong>
        <small>unused {60} days</small>
      </span>
    );
  return (
    <div className="reco">
      <span className="num" style={{ textAlign: 'left' }}>
        {fmtUsdWhole(shown.capUsd)}
      </span>
      {rolling.kind === 'percentiles' ? (
        <>
          <small>
            p50 {fmtDollars(rolling.p50)} · p90 {fmtDollars(rolling.p90)}
          </small>{' '}
          <small>
            p99 {fmtDollars(rolling.p99)}
            {shown.explained ? ' · see why' : ''}
          </small>
        </>
      ) : (
        // under 30 days of history: what it spent over them, not that scaled to 30 days
        <small data-testid="advice-history-spend">
          spent {rolling.text}
          {shown.explained ? ' · see why' : ''}
        </small>
      )}
      {shown.caution && (
        <small className="warning" title={shown.caution} data-testid="advice-caution">
          {' '}
          {advice.capBasis === 'observed_spend' ? 'provisional: history too thin to forecast' : 'short history'}
        </small>
      )}
    </div>
  );
}

interface KeyRowProps {
  k: ModelKey;
  advice: KeyAdvice | null;
  adviceMissing: boolean;
  index: number;
  selected: boolean;
  open: boolean;
  to: number | null;
  headroom: number;
  onSelect: (id: string) => void;
  measure: (el: HTMLTableRowElement | null) => void;
}

/**
 * One key's row. Memoised: its props are the key's own objects (kept across projections by
 * store.ts's structural sharing), so an edit re-renders only the rows whose figures changed.
 */
const KeyRow = memo(function KeyRow({ k, advice, adviceMissing, index, selected, open, to, headroom, onSelect, measure }: KeyRowProps) {
  const now = k.rolling[k.rolling.length - 1] ?? 0;
  const spark = sparkOf(k.rolling);
  return (
    <tr
      ref={measure}
      data-index={index}
      data-key={k.id}
      className={open ? 'clickable selected vrow-key' : 'clickable vrow-key'}
      onClick={(e) => {
        // a click on a field or a checkbox edits; anywhere else in the row opens the detail
        if ((e.target as HTMLElement).closest('input, button, select')) return;
        openDetail({ kind: 'key', id: k.id });
      }}
    >
      <td>
        <input type="checkbox" aria-label={`Select ${k.name}`} checked={selected} onChange={() => onSelect(k.id)} />
      </td>
      <td>
        <div className="cell-line">
          <button
            type="button"
            className="link"
            aria-label={`Details of ${k.name}`}
            aria-expanded={open}
            onClick={(e) => {
              e.stopPropagation();
              openDetail({ kind: 'key', id: k.id });
            }}
          >
            <strong>{k.name}</strong>
          </button>
          {k.inferred && <span className="tag">from events</span>}
          <RenameEntity type="api" id={k.id} name={k.name} />
        </div>
        <div className="muted small">{k.id}</div>
      </td>
      <td>
        <div className="spark-cell">
          <Sparkline values={spark} cap={k.capUsd} label={`${k.name}: rolling spend, last ${spark.length} days`} />
          <span className="num small">{fmtUsdWhole(now)} now</span>
        </div>
      </td>
      <td>
        <div className="num" style={{ textAlign: 'left' }}>
          {fmtUsdWhole(k.peakUsd)}
          {k.peakShare !== null && <div className="muted small">{fmtShare(k.peakShare)} of cap</div>}
        </div>
      </td>
      <td>
        <CapInput k={k} />
      </td>
      <td>
        <Recommended k={k} advice={advice} adviceMissing={adviceMissing} to={to} headroom={headroom} />
      </td>
      <td>
        <div>
          <Chip status={k.status} />
          {k.blocked > 0 && (
            <div className="muted small" data-testid="blocked-count">
              {fmtCount(k.blocked)} blocked · {fmtUsd(k.blockedUsd)}
            </div>
          )}
        </div>
      </td>
    </tr>
  );
});

const keyId = (k: ModelKey): string => k.id;
const col = createColumnHelper<ModelKey>();
const COLUMN_COUNT = 7;
/** a key's row, laid out at this height (modeling.css .vrow-key) */
const KEY_ROW_PX = 76;

export function KeysPage() {
  return (
    <Modeling title="API keys" subtitle="Caps against each key’s rolling 30-day spend. Every change re-projects the history." testId="keys-page">
      {({ view, advice, adviceError }) => <KeysTable view={view} keys={view.keys} advice={advice?.keys ?? null} headroom={advice?.headroom ?? 0.25} adviceMissing={adviceError?.message ?? null} />}
    </Modeling>
  );
}

function KeysTable({ view, keys, advice, headroom, adviceMissing }: { view: ModelView; keys: ModelKey[]; advice: KeyAdvice[] | null; headroom: number; adviceMissing: string | null }) {
  const detail = useDetail();
  const windowDays = useEditorSelect((s) => s.history?.present.enforcement.keyCapWindowDays ?? 30);
  const [sorting, setSorting] = useState<SortingState>([{ id: 'status', desc: true }]);
  const [filter, setFilter] = useState('');
  const [selection, setSelection] = useState<RowSelectionState>({});
  const [bulkCap, setBulkCap] = useState('');
  const adviceById = useMemo(() => new Map((advice ?? []).map((a) => [a.id, a])), [advice]);
  const onSelect = useCallback((id: string) => setSelection((s) => ({ ...s, [id]: !s[id] })), []);

  // Headers, sorting and filtering only: the cells are KeyRow's.
  const columns = useMemo(
    () => [
      col.display({
        id: 'select',
        header: ({ table }) => (
          <input type="checkbox" aria-label="Select all keys" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />
        ),
      }),
      col.accessor('name', { header: 'Key' }),
      col.accessor((r) => r.rolling[r.rolling.length - 1] ?? 0, { id: 'spend', header: 'Rolling 30-day spend' }),
      col.accessor('peakUsd', { header: 'Peak' }),
      col.accessor((r) => r.capUsd ?? Number.POSITIVE_INFINITY, { id: 'cap', header: 'Cap' }),
      col.accessor((r) => adviceById.get(r.id)?.recommendedCapUsd ?? -1, { id: 'recommended', header: 'Recommended cap' }),
      col.accessor((r) => STATUS_RANK[r.status] * 1e6 + (r.peakShare ?? 0), { id: 'status', header: 'Status' }),
    ],
    [adviceById],
  );

  const table = useReactTable({
    data: keys,
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

  // react-table keeps its sorted and filtered model until its inputs change
  const shownRows = table.getRowModel().rows.map((r) => r.original);
  const v = useVirtualRows(shownRows, keyId, KEY_ROW_PX);
  const selected = Object.keys(selection).filter((id) => selection[id]);
  const targets = selected.length > 0 ? selected : keys.map((k) => k.id);
  const bulk = parseMoney(bulkCap);
  // said while the plan is the one the apply made: any later edit, undo or discard ends it
  const [applied, setApplied] = useState<{ text: string; plan: unknown } | null>(null);
  const present = useEditorSelect((s) => s.history?.present);
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
    // the table re-sorts under the click: say what changed and what keeps it
    setApplied({ text: `Recommended caps set on ${caps.size} key${caps.size === 1 ? '' : 's'}: Save plan keeps them, Undo takes them back.`, plan: getEditor().history?.present });
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
      <div className="muted small" role="status" data-testid="keys-applied">
        {applied !== null && applied.plan === present ? applied.text : ''}
      </div>
      <div className="table-wrap vtable" ref={v.scrollRef}>
        <table data-testid="model-keys-table">
          <thead ref={v.headRef}>
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
          <VirtualBody
            v={v}
            columns={COLUMN_COUNT}
            row={(k, index) => (
              <KeyRow
                key={k.id}
                k={k}
                advice={adviceById.get(k.id) ?? null}
                adviceMissing={adviceMissing !== null}
                index={index}
                selected={selection[k.id] === true}
                open={open?.id === k.id}
                to={view.to}
                headroom={headroom}
                onSelect={onSelect}
                measure={v.measure}
              />
            )}
          />
        </table>
        {shownRows.length === 0 && <Empty>No key matches “{filter}”.</Empty>}
      </div>
      {adviceMissing && <p className="muted small">Recommended caps are unavailable: {adviceMissing}</p>}
    </>
  );
}
