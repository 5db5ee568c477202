/**
 * The range check for `--from`/`--to` of the commands that read them through forecast/load.ts:
 * a time the parser there accepts but outside time-range.ts (`--to 9999-12-31`) is refused here,
 * before any stage sizes its work by the span it opens.
 */
import { InputError } from '../errors.ts';
import { isPlausibleTime, timeRangeMessage } from '../engine/time-range.ts';

export function checkTimeRangeOptions(options: { from?: string | undefined; to?: string | undefined }): void {
  for (const [name, value] of [
    ['--from', options.from],
    ['--to', options.to],
  ] as const) {
    if (value === undefined) continue;
    const trimmed = value.trim();
    // parsed as forecast/load.ts parses it; that module refuses what is not a time at all
    const ms = /^\d+$/.test(trimmed) ? Number(trimmed) : Date.parse(trimmed);
    if (Number.isNaN(ms) || isPlausibleTime(ms)) continue;
    const message = timeRangeMessage();
    throw new InputError(`${name} "${value}" ${message}`, [{ column: name, value, message }]);
  }
}
