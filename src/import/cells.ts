/** How the importers read a cell or a header name, apart from the formats that use them. */

/**
 * Header name as compared: lower case, letters and digits only, accents dropped (`Cost (USD)` →
 * `costusd`, `Schlüssel` → `schlussel`, `Clé API` → `cleapi`): a sheet an admin made in their own
 * language names its columns so.
 */
export function norm(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .normalize('NFKD')
    .replace(/[^a-z0-9]/g, '');
}

/**
 * The platform escapes a cell starting with `@`, `=`, `+` or `-` with a leading `'` against
 * spreadsheet formulas (its exports' sanitizeCsvCell: `/^[=+\-@]/`), so a key named `-test`
 * is written `'-test`.
 */
export function unescapeCell(text: string): string {
  const v = text.trim();
  return v.length > 1 && v.charCodeAt(0) === 39 && isEscaped(v.charCodeAt(1)) ? v.slice(1) : v;
}

/** A character the platform's exports escape at the start of a cell: `@`, `=`, `+`, `-`. */
export function isEscaped(c: number): boolean {
  return c === 64 || c === 61 || c === 43 || c === 45;
}

/** The cost export's words for "no key" (`api_key` = `N/A`: spend without a key), also the consumption export's `apiKeyName`. */
export function isNoKey(key: string): boolean {
  // `#N/A`: a spreadsheet's own "no value", when a formula filled the column
  return key === '' || /^(?:#?n\/?a|none|null|-|—)$/i.test(key);
}
