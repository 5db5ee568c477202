/**
 * Bytes to text for the importer's reader, chunk by chunk: UTF-8 unless a UTF-16 byte order mark
 * (or the NUL bytes of UTF-16 without one) or the caller says otherwise, and Windows-1252 when the
 * bytes turn out not to be UTF-8 before any other non-ASCII byte was seen (as spreadsheets save
 * "CSV" on Windows), or Mac Roman when its letters read so (Excel for Mac's "CSV (Macintosh)").
 */
import { firstNonUtf8Byte } from './utf8.ts';

export const ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'macintosh', 'utf-16le', 'utf-16be'] as const;
export type Encoding = (typeof ENCODINGS)[number];

export class ChunkDecoder {
  /** the encoding decided so far; null until the bytes or the caller decide it (then UTF-8) */
  encoding: Exclude<Encoding, 'auto'> | null;
  private decoder: { decode(input: Uint8Array, options?: { stream?: boolean }): string } | null = null;
  // a byte that is not UTF-8 before any other non-ASCII byte: the file is Windows-1252
  private sawNonAscii = false;
  private first = true;
  // the file's first line end: CR alone is Excel for Mac's "CSV (Macintosh)", whose text is Mac Roman
  private lineEnd: 'unknown' | 'cr-pending' | 'cr' | 'other' = 'unknown';

  constructor(requested: Encoding) {
    this.encoding = requested === 'auto' ? null : requested;
  }

  /** Whether the text is UTF-16 (where a NUL byte is part of a character, not a sign of a binary file). */
  get utf16(): boolean {
    return this.encoding === 'utf-16le' || this.encoding === 'utf-16be';
  }

  /** Reads a byte order mark off the file's first chunk (before anything is decoded). */
  start(bytes: Uint8Array): void {
    if (!this.first) return;
    this.first = false;
    if (this.encoding === null) {
      if (bytes[0] === 0xff && bytes[1] === 0xfe) this.encoding = 'utf-16le';
      else if (bytes[0] === 0xfe && bytes[1] === 0xff) this.encoding = 'utf-16be';
      else this.encoding = utf16WithoutBom(bytes);
    }
  }

  /**
   * The text of the next chunk; null when its bytes are not UTF-8 and the file cannot be
   * Windows-1252 (UTF-8 was asked, a non-ASCII byte came before, or `strict`): the caller refuses it.
   */
  decode(bytes: Uint8Array, final: boolean, strict: boolean): string | null {
    const encoding = this.encoding;
    if (encoding !== null && encoding !== 'utf-8') {
      this.decoder ??= new TextDecoder(encoding);
      return this.decoder.decode(bytes, { stream: !final });
    }
    this.decoder ??= new TextDecoder('utf-8', { fatal: true });
    this.seeLineEnd(bytes);
    try {
      const text = this.decoder.decode(bytes, { stream: !final });
      if (!this.sawNonAscii) {
        for (let i = 0; i < bytes.length; i++) {
          if (bytes[i]! >= 0x80) {
            this.sawNonAscii = true;
            break;
          }
        }
      }
      return text;
    } catch {
      const bad = Math.max(0, firstNonUtf8Byte(bytes));
      for (let i = 0; i < bad && !this.sawNonAscii; i++) if (bytes[i]! >= 0x80) this.sawNonAscii = true;
      if (encoding === 'utf-8' || this.sawNonAscii || strict) return null;
      // read as Windows-1252 a Mac file's `Données clé` became `DonnŽes clŽ`, another key than the UTF-8 export's
      this.encoding = legacyEncoding(bytes, this.lineEnd === 'cr');
      this.decoder = new TextDecoder(this.encoding);
      return this.decoder.decode(bytes, { stream: !final });
    }
  }

  /** Notes the file's first line end (CR alone, or LF / CR LF) from the bytes read so far. */
  private seeLineEnd(bytes: Uint8Array): void {
    if (this.lineEnd === 'cr-pending' && bytes.length > 0) this.lineEnd = bytes[0] === 0x0a ? 'other' : 'cr';
    if (this.lineEnd !== 'unknown') return;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b === 0x0a) {
        this.lineEnd = 'other';
        return;
      }
      if (b === 0x0d) {
        this.lineEnd = i + 1 === bytes.length ? 'cr-pending' : bytes[i + 1] === 0x0a ? 'other' : 'cr';
        return;
      }
    }
  }
}

/**
 * Windows-1252 or Mac Roman, for bytes that are not UTF-8: the one whose reading of the bytes
 * above 0x7F gives more lower-case letters (`é` is 0xE9 in one and 0x8E in the other, where the
 * other reads `È` and `Ž`), and on a tie Mac Roman when the lines end in CR alone (Excel for
 * Mac's "CSV (Macintosh)"). Line ends alone took a Windows file whose header ended in CR for Mac.
 */
function legacyEncoding(bytes: Uint8Array, crLines: boolean): 'windows-1252' | 'macintosh' {
  const high: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) high.push(bytes[i]!);
  const lowerLetters = (encoding: string): number => {
    let n = 0;
    for (const ch of new TextDecoder(encoding).decode(Uint8Array.from(high))) if (ch !== ch.toUpperCase() && ch === ch.toLowerCase()) n++;
    return n;
  };
  const windows = lowerLetters('windows-1252');
  const mac = lowerLetters('macintosh');
  if (windows !== mac) return mac > windows ? 'macintosh' : 'windows-1252';
  return crLines ? 'macintosh' : 'windows-1252';
}

/** Code units looked at to tell UTF-16 without a byte order mark. */
const UTF16_SNIFF_UNITS = 256;

/**
 * UTF-16 saved without a byte order mark (some exporters and scripts write it so), told by its
 * NUL bytes: a CSV's header and first rows are mostly ASCII, whose every code unit has a NUL high
 * byte, odd bytes in little-endian, even ones in big-endian. The other side may hold a few (a
 * character such as `一`, U+4E00), and names in another script have none on either side, so the
 * side with the NULs must hold at least a third of the units (eight at least) and ten times the other's. A control
 * character among them (not a tab or a line end) is binary data: 16-bit numbers below 256 look so.
 * Null when the first units do not show that pattern: a binary file stays refused.
 */
function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const units = Math.min(UTF16_SNIFF_UNITS, bytes.length >> 1);
  if (units < 2) return null;
  let evenNul = 0;
  let oddNul = 0;
  let evenControls = 0;
  let oddControls = 0;
  for (let k = 0; k < units; k++) {
    const a = bytes[2 * k]!;
    const b = bytes[2 * k + 1]!;
    // a NUL character (both bytes) is no text at all
    if (a === 0 && b === 0) return null;
    if (a === 0) {
      evenNul++;
      if (isControl(b)) evenControls++;
    }
    if (b === 0) {
      oddNul++;
      if (isControl(a)) oddControls++;
    }
  }
  // and a few of them at least: four bytes with one NUL tell nothing
  if (oddNul >= 8 && oddNul * 3 >= units && oddNul >= 10 * evenNul) return oddControls === 0 ? 'utf-16le' : null;
  if (evenNul >= 8 && evenNul * 3 >= units && evenNul >= 10 * oddNul) return evenControls === 0 ? 'utf-16be' : null;
  return null;
}

/** A control character a CSV does not hold (a tab, LF and CR it does). */
function isControl(c: number): boolean {
  return c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d;
}
