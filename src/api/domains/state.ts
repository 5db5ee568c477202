import type { Plan } from '../../engine/plan.ts';
import type { ComputeClient } from '../compute.ts';
import type { ModelingHandlers } from '../modeling.ts';
import type { ImportSource } from '../schemas.ts';
import type { DemoFactory, LedgerFact, WorkspaceStore } from '../store.ts';
import type { JobRegistry } from '../jobs.ts';
import type { LedgerInfo, Overview } from '../types.ts';
import type { CallContext } from '../call-context.ts';

/**
 * What the domain modules' calls work on: one open ledger at a time, its plan, the compute
 * worker. Built once per service (src/api/service.ts); the calls hold no state of their own.
 */
export interface ServiceState {
  readonly userDataDir: string;
  readonly compute: ComputeClient;
  readonly demo: DemoFactory | null;
  readonly jobs: JobRegistry;
  /** the modeling screens' handlers (src/api/modeling.ts), which the modeling domains delegate to */
  readonly modeling: ModelingHandlers;
  /** the open ledger, opening the default (or configured) one on first use */
  store(): Promise<WorkspaceStore>;
  /** the open ledger's plan */
  plan(): Plan;
  setPlan(plan: Plan): void;
  /**
   * The saved plan with the ledger's entity facts (names, kinds, active seats) applied, written in
   * one turn of the ledger's writer queue (after any write queued before), and made the plan the
   * service works on; the compute worker starts on it when it changed. With `fact`, that fact is
   * recorded in the same turn, first: a rename and the plan that follows from it are written together.
   */
  adoptLedgerFacts(fact?: LedgerFact): Promise<Plan>;
  /**
   * Switches to the ledger at `path`, all or nothing (a failure leaves the service where it
   * was); `seedDemo` fills an empty one with the demo workspace; `init` runs on it before the switch.
   */
  open(path: string, seedDemo: boolean, init?: (s: WorkspaceStore) => Promise<void>): Promise<WorkspaceStore>;
  info(): Promise<LedgerInfo>;
  /** `plan`'s overview, simulated now */
  overview(plan: Plan, ctx: CallContext): Promise<Overview>;
  /** the saved plan's overview: unless `fresh`, the stored one when it is for these very events, plan and code */
  savedOverview(ctx: CallContext, fresh: boolean): Promise<Overview>;
  /** the compute worker reads the ledger's events again (after an import or an undo) */
  reloadEvents(): Promise<void>;
  /** the file an import source names, as this process may read it */
  resolveSource(source: ImportSource): ImportSource;
  /** an upload is consumed once imported */
  releaseUpload(id: string): void;
}
