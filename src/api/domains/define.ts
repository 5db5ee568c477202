import type { z } from 'zod';
import type { CallContext } from '../call-context.ts';
import type { ServiceState } from './state.ts';

/**
 * One call of the API: the schema its input must pass (checked in the relaying process before
 * anything runs) and what it does in the service. The output type is what `run` returns; the
 * channel list, input and output maps, the preload's names, the web host's routes and the
 * renderer's client are all derived from the domain modules that declare these.
 */
export interface ApiCall<S extends z.ZodType, O> {
  readonly input: S;
  /**
   * false: only the app's own process may make this call (main's dialogs and menus), never the
   * window, because it names a path.
   */
  readonly fromWindow?: boolean;
  // a method, so that a call with a narrower input still fits a domain's record of calls
  run(input: z.output<S>, ctx: CallContext, service: ServiceState): Promise<O>;
}

/** Keeps `input`'s exact schema type and infers the output from `run`. */
export function defineCall<S extends z.ZodType, O>(call: ApiCall<S, O>): ApiCall<S, O> {
  return call;
}

export type AnyApiCall = ApiCall<z.ZodType, unknown>;
