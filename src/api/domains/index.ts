import type { z } from 'zod';
import type { AnyApiCall } from './define.ts';
import { exportCalls } from './export.ts';
import { forecastCalls } from './forecast.ts';
import { importCalls } from './imports.ts';
import { jobCalls } from './jobs.ts';
import { ledgerCalls } from './ledger.ts';
import { planCalls } from './plan.ts';
import { projectionCalls } from './projection.ts';
import { scenarioCalls } from './scenarios.ts';

/**
 * Every call of the API, by domain. Everything else is derived from this: the channel list, the
 * input schemas and types, the output types, main's IPC handlers, the preload's names (main tells
 * the preload), the web host's routes and the renderer client's functions. Adding a call is one
 * entry in its domain's module.
 */
export const API_CALLS = {
  ...ledgerCalls,
  ...planCalls,
  ...projectionCalls,
  ...importCalls,
  ...scenarioCalls,
  ...forecastCalls,
  ...exportCalls,
  ...jobCalls,
} satisfies Record<string, AnyApiCall>;

type Calls = typeof API_CALLS;
export type ApiChannel = keyof Calls & string;

export const API_CHANNELS = Object.keys(API_CALLS) as ApiChannel[];

export type ApiInputs = { [K in ApiChannel]: z.output<Calls[K]['input']> };
/** What callers pass: defaults may be left out. */
export type ApiCallInputs = { [K in ApiChannel]: z.input<Calls[K]['input']> };
export type ApiOutputs = { [K in ApiChannel]: Awaited<ReturnType<Calls[K]['run']>> };

/** Calls that name a path: main makes them from its own dialogs and recent list; the window may not. */
export const MAIN_ONLY_CHANNELS: ReadonlySet<ApiChannel> = new Set(
  (Object.entries(API_CALLS) as [ApiChannel, AnyApiCall][]).filter(([, c]) => c.fromWindow === false).map(([name]) => name),
);
