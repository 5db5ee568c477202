/**
 * A column mapping an admin wrote (`--mapping FILE.json`, the app's mapping) that is wrong is
 * refused naming each wrong field by its path (`mapping.timeOfDay`) and what the field takes:
 * the schema's own words ("Invalid option: expected one of …") hid the real mistake when a field
 * was also missing (a timeOfDay equal to time behind a missing dateFormat).
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { parseColumnMapping } from '../src/import/formats.ts';

const refusal = (raw: unknown): InputError => {
  try {
    parseColumnMapping(raw, 'map.json');
  } catch (err) {
    if (err instanceof InputError) return err;
    throw err;
  }
  throw new Error('accepted');
};

describe('a wrong column mapping', () => {
  it('names timeOfDay equal to time even when dateFormat is missing, and says what dateFormat takes', () => {
    const err = refusal({ time: 'Date', timeOfDay: 'Date', type: { value: 'api' }, subject: 'Key', cost: 'Cost' });
    expect(err.message).toContain('map.json: invalid column mapping: mapping.timeOfDay "Date" is the time column itself');
    expect(err.message).toContain('mapping.dateFormat is missing: give how the time column writes its dates: "ymd" or "iso" (2026-10-01), "dmy"');
    expect(err.message).not.toMatch(/Invalid option|Invalid input/);
    expect(err.details.map((d) => d.column)).toEqual(['mapping.timeOfDay', 'mapping.dateFormat']);
  });

  it('words each other mistake by its field path, never as the schema says it', () => {
    const err = refusal({ time: 'Date', dateFormat: 'dmyy', tmeOfDay: 'x', type: { value: 'apii' }, subject: '', cost: 3, timeZone: 'Mars/Base' });
    expect(err.message).toContain('mapping.dateFormat "dmyy" is not valid: give how the time column writes its dates');
    expect(err.message).toContain('mapping.type must be {"column": "<the column holding the type>"} or {"value": "api"}');
    expect(err.message).toContain('mapping.subject is empty: give the name of the column holding the API key, trigger or user');
    expect(err.message).toContain('mapping.cost 3 is not valid: give the name of the cost column, or null');
    expect(err.message).toContain('mapping.tmeOfDay is not a field of a mapping (did you mean "timeOfDay"?)');
    expect(err.message).toContain('mapping.timeZone "Mars/Base" is not a time zone');
    expect(err.message).not.toMatch(/Invalid option|Invalid input|Unrecognized key|Too small/);
    expect(refusal([1]).message).toBe('map.json: invalid column mapping: mapping is not a JSON object of fields ("time", "dateFormat", "subject", …)');
  });
});
