/**
 * Characters as the canonical scanner reads them: codes off the bytes (or a UTF-16 copy of the
 * text), the whitespace a value is trimmed of, and a field's length in characters.
 */
import { MAX_FIELD_CHARS } from './limits.ts';

/**
 * Character codes of the text being read. Reading digits off a byte array is about twice as fast
 * as String#charCodeAt, so an ASCII file is scanned on its bytes (offsets then equal string
 * offsets) and anything else on a Uint16Array copy of its text.
 */
export type Codes = Uint8Array | Uint16Array;

export function codesOf(text: string): Codes {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === text.length) return bytes;
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) codes[i] = text.charCodeAt(i);
  return codes;
}

/**
 * Whitespace around an unquoted value: the set String#trim removes (the importer's readers trim
 * with it), so the same bytes give the same value on every path: a BOM left mid-file by joining
 * two exports, a no-break space from a spreadsheet.
 */
export function isSpace(c: number): boolean {
  if (c < 0xa0) return c === 32 || c === 9 || c === 13 || c === 11 || c === 12;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** A field's length in characters: its UTF-8 bytes counted only when they could exceed the limit. */
export function fieldChars(c: Codes, start: number, end: number): number {
  if (end - start <= MAX_FIELD_CHARS || !(c instanceof Uint8Array)) return end - start;
  let n = 0;
  for (let i = start; i < end; i++) if ((c[i]! & 0xc0) !== 0x80) n++;
  return n;
}
