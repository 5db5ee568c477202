import type { ImportFormat } from '../../../src/api/types.ts';

/** The import formats as an admin knows them (the Format menu, a preview, a result, the history). */
export const FORMAT_NAMES: Record<Exclude<ImportFormat, 'auto'> | 'mapping', string> = {
  events: 'Headroom events CSV',
  'dust-cost': 'Dust daily cost export',
  'dust-consumption': 'Dust consumption export',
  mapping: 'Other spreadsheet (columns mapped by hand)',
};

/** A format id (as stored with each batch) in words; an id this page does not know is shown as it is. */
export function formatName(format: string): string {
  return (FORMAT_NAMES as Record<string, string>)[format] ?? format;
}
