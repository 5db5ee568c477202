/** Writes a generated workspace to disk: `plan.json` and `events.csv`, streaming the events. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../engine/plan.ts';
import { DAY } from '../engine/units.ts';
import { writeFileAtomic } from '../fs/atomic.ts';
import type { AtomicOptions } from '../fs/atomic.ts';
import { EventsCsvWriter } from './csv-writer.ts';
import { buildModel, generateChunks, planOf } from './generator.ts';
import type { GenerateOptions } from './generator.ts';

export interface WrittenWorkspace {
  planPath: string;
  eventsPath: string;
  plan: Plan;
  events: number;
  /** events per type code: api, trigger, message */
  byType: [number, number, number];
  bytes: number;
  start: number;
  end: number;
}

/** Plan JSON, two-space indented, every default written out; replaced atomically. */
export function writePlanJson(path: string, plan: Plan): void {
  writeFileAtomic(path, `${JSON.stringify(plan, null, 2)}\n`);
}

/**
 * Generates and writes `dir/plan.json` and `dir/events.csv` (or the given names). Events go to
 * disk hour by hour, so tens of millions of rows need little memory.
 */
export function writeWorkspace(
  dir: string,
  options: GenerateOptions = {},
  names: { plan?: string; events?: string } = {},
  fileOptions: AtomicOptions = {},
): WrittenWorkspace {
  const model = buildModel(options);
  const plan = planOf(model);
  mkdirSync(dir, { recursive: true });
  const planPath = join(dir, names.plan ?? 'plan.json');
  const eventsPath = join(dir, names.events ?? 'events.csv');
  const writer = new EventsCsvWriter(eventsPath, fileOptions);
  const byType: [number, number, number] = [0, 0, 0];
  let summary: ReturnType<EventsCsvWriter['close']>;
  try {
    generateChunks(model, (chunk) => {
      for (let i = 0; i < chunk.count; i++) byType[chunk.type[i]]++;
      writer.writeRows(chunk, model.subjects);
    });
    summary = writer.close();
  } catch (err) {
    writer.abort();
    throw err;
  }
  writePlanJson(planPath, plan);
  return {
    planPath,
    eventsPath,
    plan,
    events: summary.rows,
    byType,
    bytes: summary.bytes,
    start: model.start,
    end: model.start + model.days * DAY,
  };
}
