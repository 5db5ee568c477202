import { z } from 'zod';
import type { ApiChannel } from './channels.ts';
import { modelingInputSchemas } from './modeling.ts';

/** Job ids let a caller follow progress events and cancel; any short opaque text. */
const jobId = z.string().min(1).max(64).optional();
const filePath = z.string().min(1).max(4096);
const format = z.enum(['auto', 'events', 'dust-cost', 'dust-consumption']).default('auto');

/** Either a path the process may read (menus, drops in the app) or the file's text (browsers). */
const importSource = z.union([
  // name: what to show for a file the process reads under another name (an upload)
  z.strictObject({ path: filePath, name: z.string().min(1).max(512).optional() }),
  // the web host's upload (src/host/uploads.ts): the page names an id, never a path
  z.strictObject({ upload: z.string().min(1).max(128) }),
  z.strictObject({ name: z.string().min(1).max(512), text: z.string().max(512 * 1024 * 1024) }),
]);

export const apiInputSchemas = {
  'ledger-info': z.strictObject({}),
  'ledger-open': z.strictObject({ path: filePath }),
  'ledger-new': z.strictObject({ path: filePath }),
  'ledger-demo': z.strictObject({}),
  'plan-get': z.strictObject({}),
  // The plan's own schema runs in the handler so that its errors come back as plan_error with paths.
  'plan-save': z.strictObject({ plan: z.unknown() }),
  'plan-simulate': z.strictObject({ plan: z.unknown(), jobId }),
  'workspace-overview': z.strictObject({ jobId }),
  'projection-get': z.strictObject({ width: z.number().int().min(16).max(8192), maxKeys: z.number().int().min(1).max(100_000).default(12), jobId }),
  // without a plan: the saved one (Overview, Projection); with one: an edited plan (Triggers); its schema runs in the handler
  'profile-compare': z.strictObject({ plan: z.unknown().optional(), jobId }),
  // mapping: the page's column-mapping step (checked by the importer, whose errors name its fields)
  'import-preview': z.strictObject({ source: importSource, format, mapping: z.unknown().optional(), jobId }),
  'import-run': z.strictObject({ source: importSource, format, skipBadRows: z.boolean().default(false), mapping: z.unknown().optional(), jobId }),
  'import-history': z.strictObject({}),
  'import-undo': z.strictObject({ batch: z.number().int().nonnegative() }),
  'job-cancel': z.strictObject({ jobId: z.string().min(1).max(64) }),
  // name null: back to the name the exports carry
  'entity-rename': z.strictObject({ type: z.enum(['api', 'trigger', 'message']), subject: z.string().min(1).max(512), name: z.string().trim().min(1).max(200).nullable() }),
  // kind null: back to the kind inferred from the history
  'trigger-kind': z.strictObject({ subject: z.string().min(1).max(512), kind: z.enum(['webhook', 'scheduled']).nullable() }),
  // the modeling screens (src/api/modeling.ts)
  ...modelingInputSchemas,
} satisfies Record<ApiChannel, z.ZodType>;

export type ApiInputs = { [K in ApiChannel]: z.output<(typeof apiInputSchemas)[K]> };
/** What callers pass: defaults may be left out. */
export type ApiCallInputs = { [K in ApiChannel]: z.input<(typeof apiInputSchemas)[K]> };
export type ImportSource = z.output<typeof importSource>;
