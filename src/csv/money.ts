/** Costs of the canonical format: dollars to exact micro-dollars, and why a cost was refused. */
import { parseUsdToMicros } from '../engine/units.ts';
import type { Codes } from './chars.ts';

/**
 * Why a cost that usdMicrosAt refused is wrong: exponent notation (what spreadsheets and pandas
 * write for tiny costs) is refused with the plain decimal to write instead, so that a cost is
 * always the decimal text it looks like; a decimal too large for exact micro-dollars is "too large".
 */
export function costProblem(text: string): string {
  const t = text.trim();
  // each pattern splits its digits one way only (`\d+\.?\d*` did not: quadratic in a field of a
  // million digits, which never matched)
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)[eE][+-]?\d+$/.test(t)) {
    const v = Number(t);
    const plain = Number.isFinite(v) ? v.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 20 }) : null;
    return `uses exponent notation, which is not accepted${plain === null ? '' : `; write ${plain}`}`;
  }
  if (/^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/.test(t)) return 'is too large (at most 9,007,199,254.740991 USD)';
  return 'is not a number';
}

/**
 * Plain `123.456` dollar text read off the characters; same result as parseUsdToMicros (which
 * handles everything else: signs, spaces, `.5`).
 */
export function usdMicrosAt(codes: Codes, s: string, start: number, end: number): number | null {
  let whole = 0;
  let i = start;
  while (i < end) {
    const c = codes[i] - 48;
    if (c < 0 || c > 9) break;
    whole = whole * 10 + c;
    i++;
  }
  if (i === start || i - start > 9) return parseUsdToMicros(s.slice(start, end));
  let frac = 0;
  if (i < end) {
    if (codes[i] !== 46 /* . */) return parseUsdToMicros(s.slice(start, end));
    i++;
    let n = 0;
    let round = 0;
    while (i < end) {
      const c = codes[i] - 48;
      if (c < 0 || c > 9) return parseUsdToMicros(s.slice(start, end));
      if (n < 6) frac = frac * 10 + c;
      else if (n === 6) round = c >= 5 ? 1 : 0;
      n++;
      i++;
    }
    for (; n < 6; n++) frac *= 10;
    frac += round;
  }
  return whole * 1_000_000 + frac;
}
