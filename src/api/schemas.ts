import type { z } from 'zod';
import { API_CALLS } from './domains/index.ts';
import type { ApiChannel } from './domains/index.ts';
import type { importSource } from './domains/imports.ts';

/** Each call's input schema, taken from its domain module (src/api/domains/). */
export const apiInputSchemas = Object.fromEntries(Object.entries(API_CALLS).map(([name, call]) => [name, call.input])) as {
  [K in ApiChannel]: (typeof API_CALLS)[K]['input'];
};

export type { ApiInputs, ApiCallInputs } from './domains/index.ts';
export type ImportSource = z.output<typeof importSource>;
