/**
 * Old Mac line ends: Excel's "CSV (Macintosh)" ends every line with CR alone. Read as they are,
 * the whole file is one line; the importer's reader turns them into LF before the text is parsed,
 * so lines, their numbers and every message read as in any other file. A file's own convention
 * is told by its first line end: CR alone (not CR LF) makes it a CR file.
 */
export class CrLineEnds {
  private mode: 'unknown' | 'cr' | 'keep' = 'unknown';
  /** a CR that ended the last chunk before its file's convention was known (CR LF or CR alone) */
  private held = '';

  /** Whether the file's lines end in CR alone (known once its first line end was seen). */
  get crOnly(): boolean {
    return this.mode === 'cr';
  }

  /** `text` (the next decoded chunk; `final` for the last) with CR-alone line ends as LF. */
  translate(chunk: string, final: boolean): string {
    let text = this.held + chunk;
    this.held = '';
    if (this.mode === 'unknown') {
      const cr = text.indexOf('\r');
      const lf = text.indexOf('\n');
      if (lf !== -1 && (cr === -1 || lf < cr)) this.mode = 'keep';
      else if (cr !== -1 && cr + 1 < text.length) this.mode = text.charCodeAt(cr + 1) === 10 ? 'keep' : 'cr';
      else if (cr !== -1 && !final) {
        // the chunk ends at the file's first CR: the next chunk tells whether an LF follows
        this.held = '\r';
        return text.slice(0, -1);
      } else if (cr !== -1) this.mode = 'cr';
    }
    if (this.mode === 'cr') text = text.replaceAll('\r', '\n');
    return text;
  }
}
