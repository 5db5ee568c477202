import { MICROS_PER_USD } from '../engine/units.ts';

/** Dollar step for a cap of this size: $5 under $50, then $10, $25, $50, $100, $250, $500, $1,000. */
export function capStepUsd(usd: number): number {
  if (usd < 50) return 5;
  if (usd < 100) return 10;
  if (usd < 250) return 25;
  if (usd < 1000) return 50;
  if (usd < 5000) return 100;
  if (usd < 10000) return 250;
  if (usd < 50000) return 500;
  return 1000;
}

/** Rounds a micro-USD amount up to a sensible whole-dollar cap (at least $5). */
export function roundCapUsd(micros: number): number {
  const usd = Math.max(micros, 0) / MICROS_PER_USD;
  const step = capStepUsd(usd);
  return Math.max(5, Math.ceil(usd / step - 1e-9) * step);
}

const COUNT_LADDER = [10, 15, 20, 25, 30, 40, 50, 60, 75, 100, 125, 150, 200, 250, 300, 400, 500, 600, 750, 1000];

/** Rounds a daily run count up to a figure one asks support for (10, 15, 20, ... 50, 60, 75, 100, 125, ...). */
export function roundCount(n: number): number {
  for (const c of COUNT_LADDER) if (n <= c) return c;
  return Math.ceil(n / 500) * 500;
}

/**
 * A share of forecast paths as a percentage, to 0.1 % and without a trailing ".0" ("2.5 %", "3 %",
 * "12.5 %"): on 200 paths a chance moves in steps of 0.5 %. Every capped-out chance is said by this
 * one function: recommend's advice, its key table and the report's Monte Carlo table said the same
 * 2.5 % as "2.5 %", "2.5 %" and, rounded to a whole percent, "3 %".
 */
export function chanceText(share: number): string {
  return `${Math.round(share * 1000) / 10} %`;
}
