/**
 * Reading a plan file, for every command that takes one (simulate, forecast, recommend, export):
 * JSON or YAML (the `plan.yaml` that `headroom export` writes), validated by validatePlan so that
 * errors name the file and the field path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { InputError } from '../errors.ts';
import { PlanError, validatePlan } from './plan.ts';
import type { Plan } from './plan.ts';

/** The `yaml` package, loaded only for a YAML plan: JSON plans (the common case) skip its start-up cost. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as typeof Yaml;
  return yaml.parse(text) as unknown;
}

export interface PlanFile {
  plan: Plan;
  /** the parsed document before validation and defaults (e.g. to tell an omitted field from a written one) */
  raw: unknown;
}

/**
 * `.yaml`/`.yml` is YAML, `.json` is JSON; any other name is JSON when its first character is
 * `{`, else YAML. (YAML would read JSON too, but JSON's own errors are clearer for a JSON file.)
 */
export function isYamlPlan(path: string, text: string): boolean {
  if (/\.ya?ml$/i.test(path)) return true;
  if (/\.json$/i.test(path)) return false;
  return !/^\s*\{/.test(text);
}

/** Parses plan text (BOM allowed) without validating it. */
export function parsePlanText(text: string, source: string, yaml: boolean): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return yaml ? parseYaml(body) : (JSON.parse(body) as unknown);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new PlanError([{ path: '', message: `not valid ${yaml ? 'YAML' : 'JSON'} (${msg})` }], source);
  }
}

export function readPlanFile(path: string): PlanFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? String(err)})`;
    throw new InputError(`${path}: ${message}`, [{ file: path, message }]);
  }
  const raw = parsePlanText(text, path, isYamlPlan(path, text));
  return { plan: validatePlan(raw, path), raw };
}

export function loadPlanFile(path: string): Plan {
  return readPlanFile(path).plan;
}

/**
 * True when the plan document leaves `workspace.spendLimits` out, so that the plan's spend
 * limits are the defaults rather than limits the admin wrote.
 */
export function spendLimitsDefaulted(raw: unknown): boolean {
  if (raw === null || typeof raw !== 'object') return true;
  const workspace = (raw as { workspace?: unknown }).workspace;
  if (workspace === undefined || workspace === null || typeof workspace !== 'object') return true;
  return (workspace as { spendLimits?: unknown }).spendLimits === undefined;
}
