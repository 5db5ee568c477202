import type { ColumnMappingView } from '../../../src/api/types.ts';

const DATE_FORMATS: { id: ColumnMappingView['dateFormat']; label: string }[] = [
  { id: 'ymd', label: 'yyyy-mm-dd (ISO)' },
  { id: 'dmy', label: 'dd/mm/yyyy' },
  { id: 'mdy', label: 'mm/dd/yyyy' },
  { id: 'epoch-ms', label: 'epoch milliseconds' },
  { id: 'epoch-s', label: 'epoch seconds' },
  { id: 'excel-serial', label: 'Excel date serials (days since 1899-12-30)' },
];

/** A first mapping for a file nothing could be guessed for: its columns in order. */
export function startingMapping(header: string[], guessed: ColumnMappingView | null): ColumnMappingView {
  if (guessed !== null) return guessed;
  const col = (i: number): string => header[Math.min(i, header.length - 1)] ?? '';
  return {
    time: col(0),
    dateFormat: 'ymd',
    timeOfDay: null,
    timeZone: 'UTC',
    type: { value: 'api' },
    typeValues: {},
    subject: col(1),
    cost: header.length > 2 ? col(2) : null,
    costUnit: 'usd',
    decimal: '.',
    currency: 'USD',
    usdPerUnit: null,
    id: null,
  };
}

interface Props {
  header: string[];
  mapping: ColumnMappingView;
  missing: string[];
  onChange: (m: ColumnMappingView) => void;
}

/**
 * The column-mapping step for any CSV that is not a known export: each column's role, the date
 * format and time zone, the decimal separator, the currency (and its rate: never taken as USD).
 * Every change re-runs the preview, so the rows below show what will be stored.
 */
export function MappingStep({ header, mapping, missing, onChange }: Props) {
  const set = (patch: Partial<ColumnMappingView>) => onChange({ ...mapping, ...patch });
  const columnSelect = (label: string, value: string | null, onPick: (v: string | null) => void, optional: boolean, testId: string) => (
    <label className="field">
      {label}
      <select data-testid={testId} value={value ?? ''} onChange={(e) => onPick(e.target.value === '' ? null : e.target.value)}>
        {optional && <option value="">(none)</option>}
        {header.map((h) => (
          <option key={h} value={h}>
            {h}
          </option>
        ))}
      </select>
    </label>
  );
  const typeValue = 'column' in mapping.type ? `column:${mapping.type.column}` : `value:${mapping.type.value}`;
  return (
    <fieldset className="mapping-step" data-testid="mapping-step">
      <legend>Map the columns</legend>
      {missing.length > 0 && (
        <p className="muted" data-testid="mapping-missing">
          Still to decide: {missing.join('; ')}
        </p>
      )}
      <div className="mapping-grid">
        {columnSelect('Time', mapping.time, (v) => set({ time: v ?? header[0]! }), false, 'map-time')}
        {columnSelect('Time of day (beside a date)', mapping.timeOfDay, (v) => set({ timeOfDay: v }), true, 'map-time-of-day')}
        <label className="field">
          Date format
          <select data-testid="map-date-format" value={mapping.dateFormat} onChange={(e) => set({ dateFormat: e.target.value as ColumnMappingView['dateFormat'] })}>
            {DATE_FORMATS.map((f) => (
              <option key={f.id} value={f.id}>
                {f.label}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          Time zone
          <input data-testid="map-time-zone" value={mapping.timeZone} onChange={(e) => set({ timeZone: e.target.value })} placeholder="UTC, Europe/Paris, +02:00" />
        </label>
        <label className="field">
          Type
          <select
            data-testid="map-type"
            value={typeValue}
            onChange={(e) => {
              const [kind, v] = [e.target.value.slice(0, e.target.value.indexOf(':')), e.target.value.slice(e.target.value.indexOf(':') + 1)];
              set({ type: kind === 'column' ? { column: v } : { value: v as 'api' | 'trigger' | 'message' } });
            }}
          >
            <option value="value:api">every row: an API request</option>
            <option value="value:trigger">every row: a trigger run</option>
            <option value="value:message">every row: a person’s message</option>
            {header.map((h) => (
              <option key={h} value={`column:${h}`}>
                from the column {h}
              </option>
            ))}
          </select>
        </label>
        {columnSelect('Key, trigger or person', mapping.subject, (v) => set({ subject: v ?? header[0]! }), false, 'map-subject')}
        {columnSelect('Cost', mapping.cost, (v) => set({ cost: v }), true, 'map-cost')}
        <label className="field">
          Cost unit
          <select data-testid="map-cost-unit" value={mapping.costUnit} onChange={(e) => set({ costUnit: e.target.value as 'usd' | 'credits' })}>
            <option value="usd">money</option>
            <option value="credits">credits ($0.01 each)</option>
          </select>
        </label>
        <label className="field">
          Decimal separator
          <select data-testid="map-decimal" value={mapping.decimal} onChange={(e) => set({ decimal: e.target.value as '.' | ',' })}>
            <option value=".">point (1,234.50)</option>
            <option value=",">comma (1.234,50)</option>
          </select>
        </label>
        <label className="field">
          Currency
          <input
            data-testid="map-currency"
            value={mapping.currency}
            maxLength={3}
            onChange={(e) => set({ currency: e.target.value.toUpperCase(), ...(e.target.value.toUpperCase() === 'USD' ? { usdPerUnit: null } : {}) })}
          />
        </label>
        {mapping.currency !== 'USD' && (
          <label className="field">
            USD for 1 {mapping.currency}
            <input
              data-testid="map-rate"
              type="number"
              min="0"
              step="any"
              value={mapping.usdPerUnit ?? ''}
              onChange={(e) => set({ usdPerUnit: e.target.value === '' ? null : Number(e.target.value) })}
            />
          </label>
        )}
        {columnSelect('Row id', mapping.id, (v) => set({ id: v }), true, 'map-id')}
      </div>
    </fieldset>
  );
}
