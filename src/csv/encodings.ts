/** The text encodings the importer's reader knows (`auto`: UTF-8, UTF-16 by its BOM, else Windows-1252). */

export const ENCODINGS = ['auto', 'utf-8', 'windows-1252', 'utf-16le', 'utf-16be'] as const;

export type Encoding = (typeof ENCODINGS)[number];
