/**
 * Errors a user can act on. Every one names where the problem is; the command line maps them to
 * exit code 2, the app shows them as they are.
 */
export interface InputErrorDetail {
  file?: string;
  /** physical line in the file, header = 1 */
  line?: number;
  column?: string;
  value?: string;
  message: string;
}

export class InputError extends Error {
  readonly details: InputErrorDetail[];
  constructor(message: string, details: InputErrorDetail[] = []) {
    super(message);
    this.name = 'InputError';
    this.details = details;
  }
}

/** `file.csv:118: cost_usd "abc" is not a number` */
export function formatDetail(d: InputErrorDetail): string {
  const where = [d.file, d.line].filter((x) => x !== undefined).join(':');
  const what = d.column !== undefined ? `${d.column}${d.value !== undefined ? ` ${JSON.stringify(d.value)}` : ''} ` : '';
  return `${where ? `${where}: ` : ''}${what}${d.message}`;
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}
