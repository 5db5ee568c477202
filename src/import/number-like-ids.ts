/**
 * Ids and names that look like numbers, as a spreadsheet re-saves them. The platform writes its
 * ids and an admin's key names as text; a spreadsheet that opens the export reads a cell of digits
 * as a number and saves it back as one: `00042` becomes `42`, and a long digit string
 * (`9069227568858234`, wider than the 11 characters its General format shows) becomes
 * `9.06923E+15`. The first keeps its digits; the second has lost them for good, and every message
 * id of that width then reads as a handful of ids.
 */

/** What a spreadsheet writes for a number too wide for its column: `9.06923E+15`, `1E+12`, `1,23457E+15` in a comma locale. */
const EXPONENT = /^[+-]?\d(?:[.,]\d+)?E[+-]\d{1,3}$/i;

export function isExponentNotation(text: string): boolean {
  // told without a pattern for almost every id: `d.` / `d,` / `dE` is how the form starts
  const c1 = text.charCodeAt(1);
  if (text.length > 18 || !(c1 === 46 || c1 === 44 || c1 === 69 || c1 === 101 || text.charCodeAt(0) <= 32 || text.charCodeAt(0) === 43 || text.charCodeAt(0) === 45)) return false;
  const v = text.trim();
  return v.length <= 16 && EXPONENT.test(v);
}

/** Why an id or name in exponent notation is refused: `what` says what the column holds. */
export function exponentIdMessage(what: string): string {
  return (
    `is in exponent notation, as a spreadsheet writes a long number: the digits it dropped are lost, so ${what} ` +
    'would read as one; import the export as downloaded, or format the column as text before saving it'
  );
}

/**
 * Where the spelling of `text`'s characters [a, b) for a row's identity starts: after its leading
 * zeros when they are all digits (`00042` and the re-saved `42` are one id), else at `a`. All
 * zeros keep one `0`.
 */
export function idSpellingStart(text: string, a: number, b: number): number {
  if (b - a < 2 || text.charCodeAt(a) !== 48) return a;
  let k = a;
  while (k < b - 1 && text.charCodeAt(k) === 48) k++;
  for (let j = k; j < b; j++) {
    const c = text.charCodeAt(j);
    if (c < 48 || c > 57) return a;
  }
  return k;
}

/** The spelling of a cell for a row's identity (`idSpellingStart`): digits lose their leading zeros, anything else is kept as it is. */
export function idSpelling(text: string): string {
  const k = idSpellingStart(text, 0, text.length);
  return k === 0 ? text : text.slice(k);
}
