/**
 * A path's draws: every series' ordinary and runaway days drawn into one block, with the what-if
 * scaling. Apart from scenario.ts (which validates what-if plans and so loads the plan's schema):
 * the path workers load this and the models, not the validator.
 */
import { DAY } from '../engine/units.ts';
import { forecastDay, simulateInto } from './model.ts';
import { hashSeed, makeRng } from './rng.ts';
import { batchPoint, drawBatchDays } from './batch-key.ts';
import type { Scenario, ScenarioSeries } from './scenario.ts';

/** History days a series keeps beside its model (the paths' start and the queues' backlog). */
export const RECENT_DAYS = 32;

/** Growth multiplier of forecast day h (0-based) under `growth` per 30 days. */
export function growthFactor(growth: number, h: number): number {
  return growth === 0 ? 1 : Math.pow(1 + growth, (h + 1) / 30);
}

/** Expected daily value of a series on forecast day h. */
export function pointForecast(s: ScenarioSeries, from: number, h: number): number {
  if (s.batch !== undefined) return batchPoint(s.batch, from, h) * s.scale * growthFactor(s.growth, h);
  return forecastDay(s.model, from + h * DAY) * s.scale * growthFactor(s.growth, h);
}

/** One path's draws per series: views into one block laid out as every series' ordinary days, then every series' runaway days. */
export interface PathParts {
  ordinary: Float64Array[];
  runaway: Float64Array[];
  block: Float64Array;
}

/**
 * One path, split: ordinary demand (what a cap is sized for) and runaway incidents (what a cap
 * exists to stop). Each series draws from its own stream, seeded by (seed, path, series), so the
 * main thread and any worker agree.
 */
export function pathParts(scenario: Scenario, seed: number, path: number): PathParts {
  return partsOfBlock(pathBlock(scenario, seed, path), scenario.series.length, scenario.days);
}

/**
 * The block of `pathParts` alone: series j's ordinary days at j·D, its runaway days at (n + j)·D.
 * Each series draws into it by offset, with no view made per series (hundreds of series on every
 * path). Its own generator per series stays: one shared generator reseeded per series measured
 * slower (its calls were no longer inlined).
 */
export function pathBlock(scenario: Scenario, seed: number, path: number, into?: Float64Array): Float64Array {
  const D = scenario.days;
  const n = scenario.series.length;
  const block = into ?? new Float64Array(D * n * 2);
  if (block.length !== D * n * 2) throw new Error(`a path block holds ${D * n * 2} values, not ${block.length}`);
  const base = hashSeed(seed, path);
  for (let j = 0; j < n; j++) {
    const s = scenario.series[j];
    simulateInto(s.model, D, makeRng(hashSeed(base, 0x5e1e5 + j)), block, j * D, block, (n + j) * D, scaleOf(scenario, j));
    // a batch key's ordinary days on its cadence (batch-key.ts), its runaway days as drawn
    if (s.batch !== undefined) drawBatchDays(s.batch, scenario.from, D, makeRng(hashSeed(base, 0xba7c + j)), block, j * D, scaleOf(scenario, j), s.model.firstDay?.known ?? null);
  }
  return block;
}

/** The per-series views of a block laid out by `pathParts` (e.g. one a worker sent back). */
export function partsOfBlock(block: Float64Array, series: number, days: number): PathParts {
  const ordinary: Float64Array[] = [];
  const runaway: Float64Array[] = [];
  for (let j = 0; j < series; j++) {
    ordinary.push(block.subarray(j * days, (j + 1) * days));
    runaway.push(block.subarray((series + j) * days, (series + j + 1) * days));
  }
  return { ordinary, runaway, block };
}

const scaleCache = new WeakMap<Scenario, (Float64Array | null)[]>();

/** What-if multipliers of series j per forecast day (seats, growth), null when none. */
function scaleOf(scenario: Scenario, j: number): Float64Array | null {
  let all = scaleCache.get(scenario);
  if (!all) {
    all = scenario.series.map((s) => {
      if (s.scale === 1 && s.growth === 0) return null;
      const out = new Float64Array(scenario.days);
      for (let h = 0; h < scenario.days; h++) out[h] = s.scale * growthFactor(s.growth, h);
      return out;
    });
    scaleCache.set(scenario, all);
  }
  return all[j];
}
