import { z } from 'zod';
import { defineCall } from './define.ts';

const jobId = z.string().min(1).max(64).optional();
const filePath = z.string().min(1).max(4096);
const format = z.enum(['auto', 'events', 'dust-cost', 'dust-consumption']).default('auto');
/**
 * The day order of a platform export's slash dates, when the admin gives it (the preview's "Dates
 * are"; `headroom import --dates`): taken over every guess. A sheet whose mapping was guessed or
 * saved takes it too; a mapping given with the other order is refused (it gives its own `dateFormat`).
 */
const dates = z.enum(['dmy', 'mdy']).optional();

/**
 * Where an import reads from: a path this process may read (main resolves the window's file
 * handles to one), an upload of the web host (src/host/uploads.ts: the page names an id, never a
 * path), or the file's text.
 */
export const importSource = z.union([
  // name: what to show for a file the process reads under another name (an upload)
  z.strictObject({ path: filePath, name: z.string().min(1).max(512).optional() }),
  z.strictObject({ upload: z.string().min(1).max(128) }),
  z.strictObject({ name: z.string().min(1).max(512), text: z.string().max(512 * 1024 * 1024) }),
]);

/** Usage exports into the ledger: preview, import, the list of batches, undo. */
export const importCalls = {
  // mapping: the page's column-mapping step (checked by the importer, whose errors name its fields)
  'import-preview': defineCall({
    input: z.strictObject({ source: importSource, format, mapping: z.unknown().optional(), dates, jobId }),
    run: async ({ source, format: f, mapping, dates: d }, ctx, s) =>
      (await s.store()).preview(s.resolveSource(source), f, { mapping, dates: d }, { signal: ctx.signal, onProgress: (done, t) => ctx.progress(done, t, 'preview') }),
  }),
  /*
   * Several files previewed in order as the set the page imports them as (each file sees the ones
   * before it; one dry run, rolled back), on the import worker. A call of its own rather than
   * import-preview with several sources: its answer is one entry per file, a preview or the
   * refusal of that file alone, where import-preview answers one preview or fails. Progress
   * names the file being read: phase `preview-set:<index>`, done and total in that file's bytes.
   */
  'import-preview-set': defineCall({
    input: z.strictObject({
      files: z.array(z.strictObject({ source: importSource, mapping: z.unknown().optional(), dates })).min(1).max(256),
      format,
      jobId,
    }),
    run: async ({ files, format: f }, ctx, s) =>
      (await s.store()).previewSet(
        files.map((x) => ({ source: s.resolveSource(x.source), mapping: x.mapping, dates: x.dates })),
        f,
        { signal: ctx.signal, onProgress: (d, t, i) => ctx.progress(d, t, `preview-set:${i}`) },
      ),
  }),
  'import-run': defineCall({
    input: z.strictObject({ source: importSource, format, skipBadRows: z.boolean().default(false), mapping: z.unknown().optional(), dates, jobId }),
    run: async ({ source, format: f, skipBadRows, mapping, dates: d }, ctx, s) => {
      const file = s.resolveSource(source);
      const result = await (await s.store()).importFile(file, { format: f, skipBadRows, mapping, dates: d, signal: ctx.signal, onProgress: (done, t) => ctx.progress(done, t, 'import') });
      if (result.imported > 0) {
        await s.adoptLedgerFacts();
        await s.reloadEvents();
      }
      if ('upload' in source) s.releaseUpload(source.upload);
      return result;
    },
  }),
  'import-history': defineCall({ input: z.strictObject({}), run: async (_input, _ctx, s) => (await s.store()).listBatches() }),
  'import-undo': defineCall({
    input: z.strictObject({ batch: z.number().int().nonnegative() }),
    run: async ({ batch }, _ctx, s) => {
      const { removed } = await (await s.store()).undoBatch(batch);
      await s.reloadEvents();
      return { batch, removed };
    },
  }),
};
