import { isEscaped, norm } from './cells.ts';
import { idSpellingStart } from './number-like-ids.ts';
import { toMicroCredits } from './parse.ts';

/**
 * The identity of one line of the consumption export (SPEC §8): the export has no id column, so
 * a line is its content plus its occurrence among identical lines of its file. The content is
 * the line as the importer reads it, normalized so that what only changes its spelling does not
 * change it:
 *
 * - every column of the documented export except `completedAt` (a spreadsheet re-saves a time to
 *   the minute; the line's message and step say where it is), looked up by name, so column order
 *   and columns added by newer exports do not matter; `creditsDirect` is `creditsAction`;
 * - credits as millionths of a credit (`12,50` and `12.5` are one amount), cells without the platform's
 *   `'@` escape, `contextOrigin` as what it means (`api` and `API` are one origin), cells of digits
 *   without their leading zeros (`00042` re-saved by a spreadsheet is `42`).
 *
 * The content includes the message id, so two lines collide only within one message and only
 * with the same 48-bit hash (odds about 1e-13 for a message of ten lines).
 */

const DOCUMENTED = [
  'conversationId', 'spaceId', 'agentMessageId', 'consumptionType', 'agentId', 'agentName', 'agentVersion', 'agentTagIds', 'agentRootId',
  'agentParentId', 'agentDepth', 'modelProviderId', 'modelId', 'modelName', 'modelReasoningEffort', 'modelResolutionMethod', 'userId',
  'userName', 'userGroupIds', 'userGroupNames', 'triggerId', 'contextOrigin', 'apiKeyName', 'toolName', 'toolServerName', 'toolDisplayName',
  'toolParentServerName', 'toolActionId', 'attributedSkillIds', 'attributedSkillNames', 'creditsSystem', 'creditsInput', 'creditsOutput',
  'creditsReasoning', 'creditsAction', 'totalCredits', 'usageType', 'status', 'stepIndex', 'executionTimeMs',
] as const;

const CREDITS = new Set(['creditsSystem', 'creditsInput', 'creditsOutput', 'creditsReasoning', 'creditsAction', 'totalCredits']);
/**
 * The other numbers of a line: a spreadsheet groups their thousands (`executionTimeMs` 1200 is
 * `1,200` in a US locale, `1.200` in a European one). Read as the platform writes them (digits and
 * a decimal point), so that the platform's own text hashes as it always did.
 */
const NUMBERS = new Set(['agentVersion', 'agentDepth', 'stepIndex', 'executionTimeMs']);

/** A value's end in the hashed stream: above every UTF-16 unit, so that no two lines of fields run together. */
const END = 0x10000;
const TWO32 = 2 ** 32;

type Kind = 0 | 1 | 2 | 3; // text, credits, origin, other number

export class LineIdentity {
  /**
   * The documented columns with a cell in the last line `of` read, one bit each (bit c for
   * DOCUMENTED[c], as a sum of powers of two: 40 bits, past JavaScript's 32-bit operators). A copy
   * without some column (deleted in a spreadsheet, or an export trimmed to the useful columns)
   * hashes it as empty, so its lines are also matched by their amount (amountOf), but only against
   * a line whose cells are a strict superset or subset of its own (EventSink#fold): two exports of
   * one shape, or of two versions whose extra columns are empty, are told apart by content alone.
   */
  cells = 0;
  private readonly at: Int32Array;
  private readonly kinds: Kind[];
  private readonly decimal: '.' | ',';
  private readonly origin: (text: string) => string;
  private readonly origins = new Map<string, string>();
  private h1 = 0;
  private h2 = 0;
  private h3 = 0;
  private h4 = 0;

  /** `origin`: what a contextOrigin value means (formats.ts reads it), so that labels and raw values hash alike. */
  constructor(header: readonly string[], decimal: '.' | ',', origin: (text: string) => string) {
    const names = header.map(norm);
    this.at = Int32Array.from(DOCUMENTED, (c) => {
      const i = names.indexOf(norm(c));
      return i !== -1 || c !== 'creditsAction' ? i : names.indexOf('creditsdirect');
    });
    this.kinds = DOCUMENTED.map((c) => (CREDITS.has(c) ? 1 : c === 'contextOrigin' ? 2 : NUMBERS.has(c) ? 3 : 0));
    this.decimal = decimal;
    this.origin = origin;
  }

  /** The line's content hash: 48 bits, >= 0 (a negative value never names a line: ledger/migrations/006). */
  of(fields: readonly string[]): number {
    this.h1 = 1779033703;
    this.h2 = 3144134277;
    this.h3 = 1013904242;
    this.h4 = 2773480762;
    let cells = 0;
    for (let c = 0; c < this.at.length; c++) {
      const i = this.at[c]!;
      const text = i === -1 ? '' : (fields[i] ?? '');
      if (text.trim() !== '') cells += 2 ** c;
      const kind = this.kinds[c]!;
      if (kind === 2) this.text(this.originOf(text));
      else if (kind === 3) this.number(text);
      else if (kind === 0 || !this.credits(text)) this.cell(text);
      this.mix(END);
    }
    this.cells = cells;
    return this.digest();
  }

  /**
   * What identical amounts of one message are counted under (their occurrences, LineOccurrences):
   * the message id as the event's identity spells it and the line's amount (µUSD), 48 bits, >= 0.
   */
  amountOf(message: string, micros: number): number {
    this.h1 = 1779033703;
    this.h2 = 3144134277;
    this.h3 = 1013904242;
    this.h4 = 2773480762;
    this.text(message);
    this.mix(END);
    const hi = Math.floor(micros / TWO32);
    this.mix(micros - hi * TWO32);
    this.mix(hi);
    return this.digest();
  }

  private digest(): number {
    let h1 = this.h1;
    let h2 = this.h2;
    let h3 = this.h3;
    let h4 = this.h4;
    h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
    h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
    h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
    h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
    h1 ^= h2 ^ h3 ^ h4;
    return (h1 >>> 0) * 65536 + ((h2 ^ h1) >>> 16);
  }

  /** A contextOrigin's meaning: a handful of distinct values in a file, each read once. */
  private originOf(text: string): string {
    let v = this.origins.get(text);
    if (v === undefined) {
      v = this.origin(text);
      if (this.origins.size < 256) this.origins.set(text, v);
    }
    return v;
  }

  private text(v: string): void {
    for (let k = 0; k < v.length; k++) this.mix(v.charCodeAt(k));
  }

  /** A cell as unescapeCell (cells.ts) reads it (trimmed, without the platform's `'@` escape), fed without making a new string. */
  private cell(text: string): void {
    let a = 0;
    let b = text.length;
    while (a < b && text.charCodeAt(a) <= 32) a++;
    while (b > a && text.charCodeAt(b - 1) <= 32) b--;
    if (b - a > 1 && text.charCodeAt(a) === 39) {
      if (isEscaped(text.charCodeAt(a + 1))) a++;
    }
    // digits without their leading zeros: a spreadsheet saves the id `00042` as `42`
    a = idSpellingStart(text, a, b);
    for (let k = a; k < b; k++) this.mix(text.charCodeAt(k));
  }

  /**
   * A number as the platform writes it (`1200`, `12.5`), whatever a spreadsheet's locale made of
   * it (`1,200`, `1.200` with a decimal comma, `1 200`): its grouping dropped and its decimal mark
   * made a point, the digits kept as written. Text that is no number is hashed as a cell.
   */
  private number(text: string): void {
    const v = text.trim();
    let plain = true;
    for (let k = 0; k < v.length && plain; k++) {
      const ch = v.charCodeAt(k);
      plain = (ch >= 48 && ch <= 57) || (ch === 46 && this.decimal === '.');
    }
    if (plain || toMicroCredits(v, this.decimal) === null) {
      this.cell(text);
      return;
    }
    const group = this.decimal === '.' ? /[,\s\u00a0\u202f']/g : /[.\s\u00a0\u202f']/g;
    const digits = v.replace(group, '');
    this.text(this.decimal === '.' ? digits : digits.replace(',', '.'));
  }

  /**
   * Credits as one number whatever their spelling (`12,50`, `12.5`, `12.500`): digits with at
   * most one decimal mark (the file's) are read here, as µ-credits; anything else goes through
   * toMicroCredits. False when the text is no amount (then it is hashed as text).
   */
  private credits(text: string): boolean {
    const v = text.trim();
    if (v === '') return false;
    const mark = this.decimal === ',' ? 44 : 46;
    let whole = 0;
    let frac = 0;
    let scale = 1_000_000;
    let seen = false;
    let simple = v.length <= 15;
    for (let k = 0; k < v.length && simple; k++) {
      const ch = v.charCodeAt(k);
      if (ch >= 48 && ch <= 57) {
        if (seen) {
          scale /= 10;
          if (scale < 1) simple = false;
          else frac += (ch - 48) * scale;
        } else whole = whole * 10 + (ch - 48);
      } else if (ch === mark && !seen) seen = true;
      else simple = false;
    }
    const micros = simple ? whole * 1_000_000 + Math.round(frac) : toMicroCredits(v, this.decimal);
    if (micros === null) return false;
    const hi = Math.floor(micros / TWO32);
    this.mix(micros - hi * TWO32);
    this.mix(hi);
    return true;
  }

  private mix(k: number): void {
    // cyrb128's round (as ledger/content-identity.ts), fed value by value
    const h1 = this.h2 ^ Math.imul(this.h1 ^ k, 597399067);
    const h2 = this.h3 ^ Math.imul(this.h2 ^ k, 2869860233);
    const h3 = this.h4 ^ Math.imul(this.h3 ^ k, 951274213);
    this.h4 = h1 ^ Math.imul(this.h4 ^ k, 2716044179);
    this.h1 = h1;
    this.h2 = h2;
    this.h3 = h3;
  }
}

/**
 * Counts identical lines within one file: the n-th line with the same content hash is occurrence
 * n. Lines of a message come together in an export, but nothing requires it, so every hash is
 * counted (an open-addressing table of 48-bit hashes and counts, in typed arrays).
 */
export class LineOccurrences {
  private keys = new Float64Array(1 << 12);
  private counts = new Int32Array(1 << 12);
  private used = 0;

  next(hash: number): number {
    if (this.used * 2 >= this.keys.length) this.grow();
    const mask = this.keys.length - 1;
    // stored as hash + 1: 0 marks an empty slot
    const key = hash + 1;
    let i = (hash ^ Math.floor(hash / 65536)) & mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === 0) {
        this.keys[i] = key;
        this.counts[i] = 1;
        this.used++;
        return 1;
      }
      if (k === key) return ++this.counts[i]!;
      i = (i + 1) & mask;
    }
  }

  private grow(): void {
    const keys = this.keys;
    const counts = this.counts;
    this.keys = new Float64Array(keys.length * 2);
    this.counts = new Int32Array(keys.length * 2);
    const mask = this.keys.length - 1;
    for (let j = 0; j < keys.length; j++) {
      const key = keys[j]!;
      if (key === 0) continue;
      const hash = key - 1;
      let i = (hash ^ Math.floor(hash / 65536)) & mask;
      while (this.keys[i] !== 0) i = (i + 1) & mask;
      this.keys[i] = key;
      this.counts[i] = counts[j]!;
    }
  }
}
