import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { counted } from '../engine/words.ts';
import Papa from 'papaparse';
import { canonicalMode, DEFAULT_TRIGGER_LIMIT, validatePlan, PlanError } from '../engine/plan.ts';
import type { Plan, TriggerId } from '../engine/plan.ts';
import { profileOf } from '../engine/plan-rules.ts';
import type { ForecastReport } from '../forecast/index.ts';
import { chanceText } from '../forecast/rounding.ts';
import { thinChanceShort } from '../forecast/thin-key.ts';
import { PROFILE_WORDS, profileDifferences } from '../forecast/profile-differences.ts';
import type { KeyRecommendation, RecommendReport, TriggerRecommendation } from '../recommend/index.ts';
import { lastDaysText } from '../recommend/days-looked-at.ts';
import { historyDaysText, spentOverHistory } from '../recommend/spent-over-history.ts';
import { uniqueFileNames } from './file-names.ts';
import { formatUsd, formatUsdPlain, MICROS_PER_USD } from '../engine/units.ts';

/** One file of an export, path relative to the output directory. */
export interface ExportFile {
  path: string;
  content: string;
}

/**
 * The plan as written to a file: validated, without the way with limited webhooks that its
 * profile takes anyway (queue under the docs, drop under the platform's code). Written out, that
 * default stayed when an admin switched the file's profile, an explicit field that wins over the
 * new profile's: a platform plan that kept queueing. It loads back to the same plan.
 */
function planForFile(plan: Plan): Plan {
  const valid = validatePlan(plan, 'exported plan');
  const { webhookWhenLimited, ...enforcement } = valid.enforcement;
  if (webhookWhenLimited !== (profileOf(valid) === 'platform' ? 'drop' : 'queue')) return valid;
  return { ...valid, enforcement: enforcement as Plan['enforcement'] };
}

/** The plan as a plan file (SPEC section 2): loads back with parsePlanJson. */
export function planToJson(plan: Plan): string {
  return `${JSON.stringify(planForFile(plan), null, 2)}\n`;
}

export function planToYaml(plan: Plan): string {
  return stringifyYaml(planForFile(plan), { lineWidth: 0 });
}

/** Reads a plan written as YAML; errors name the field path like the JSON loader's. */
export function parsePlanYaml(text: string, source = 'plan.yaml'): Plan {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new PlanError([{ path: '', message: `not valid YAML (${err instanceof Error ? err.message : String(err)})` }], source);
  }
  return validatePlan(raw, source);
}

const KEY_COLUMNS = [
  'key_id',
  'name',
  'current_cap_usd',
  'recommended_cap_usd',
  'action',
  'rolling30_p50_usd',
  'rolling30_p90_usd',
  'rolling30_p99_usd',
  'days_observed',
  'history_days',
  'spent_usd',
  'throttle_chance',
  'cap_basis',
  'history_warning',
  'reason',
] as const;

/**
 * Keys and caps as CSV: one row per key, caps in whole dollars, empty = no cap. A key with under
 * 30 days of history has no 30-day window: its rolling30 percentiles are left empty and
 * `spent_usd` gives what it spent over its `history_days`, as the report's "$180.00 (9 days of
 * history)" does; recommend's rolling30 would have put that spend scaled to 30 days under
 * percentiles' names ($600.00 for $180 over 9 days), beside a cap below it that blocks nothing.
 */
export function keysToCsv(report: RecommendReport): string {
  const rows = report.keys.map((k) => {
    const spent = spentOverHistory(k);
    // the report's cents of the same figures (`money`): rounded on their micro-dollars, not on
    // their binary float, which put 300.00 here beside the report's $300.01
    const percentile = (usd: number) => (spent === null ? formatUsdPlain(microsOf(usd)) : '');
    return [
      k.id,
      k.name,
      k.currentCapUsd ?? '',
      k.recommendedCapUsd,
      k.action,
      percentile(k.rolling30.p50),
      percentile(k.rolling30.p90),
      percentile(k.rolling30.p99),
      k.rolling30.daysObserved,
      k.evidence.days,
      spent === null ? '' : formatUsdPlain(microsOf(spent.usd)),
      k.throttleChance.toFixed(3),
      k.capBasis,
      k.warning ?? '',
      k.reason,
    ];
  });
  // a key named `=SUM(A1)` or `-staging` (names come from the platform's exports) is written
  // `'=SUM(A1)`, as the platform escapes its own exports: a spreadsheet never runs it as a formula
  return `${Papa.unparse({ fields: [...KEY_COLUMNS], data: rows }, { newline: '\n', escapeFormulae: true })}\n`;
}

export interface SupportRequest {
  triggerId: TriggerId;
  subject: string;
  body: string;
}

/**
 * A draft to support per trigger that needs a higher limit or programmatic mode, with what the
 * platform asks for: the use case and the expected daily volume.
 */
export function supportRequests(report: RecommendReport, workspace: string): SupportRequest[] {
  return report.triggers
    .filter((t) => t.action === 'programmatic' || t.action === 'override' || t.action === 'cannot_move')
    .map((t) => {
      const ask = askFor(t);
      // a programmatic trigger the docs set no limit that the platform's code held at its default (recommend/index.ts)
      const codeHeld = t.limit === null && t.action === 'override' && canonicalMode(t.mode) === 'programmatic';
      // a webhook held at the platform's default before the plan's higher limit (recommend/index.ts):
      // the limit that held its history, not the plan's
      const byDefault = t.heldAtDefault;
      const heldAt = byDefault !== undefined ? (byDefault.after ?? byDefault.limit) : (t.limit ?? (codeHeld ? DEFAULT_TRIGGER_LIMIT : null));
      const lines = [
        "To: the platform's support address (Rate Limiting docs: \"Requesting Higher Limits\")",
        `Subject: ${workspace}: ${ask.subject} for trigger "${t.name}"`,
        '',
        'Hello,',
        '',
        `We would like to ${ask.sentence} for the ${t.kind} trigger "${t.name}" (id ${t.id}) in the workspace "${workspace}".`,
        '',
        'Use case:',
        `  [Describe what "${t.name}" does and why each run matters, e.g. "reviews every pull request of our main repository".]`,
        `  It is a ${t.kind} trigger on ${canonicalMode(t.mode) === 'fair_use' ? 'fair use' : 'programmatic'} mode today, ${
          byDefault !== undefined
            ? defaultHeldUseCase(byDefault)
            : t.limit !== null
              ? `limited to ${counted(t.limit, 'run')} per 24 hours`
              : codeHeld
                ? `with no run limit per 24 hours in the docs, but held at ${DEFAULT_TRIGGER_LIMIT} runs per 24 hours by the platform (the default without an override)`
                : 'with no run limit per 24 hours'
        }.`,
        '',
        'Expected daily volume:',
        // the busy days first: the limit counts any 24 hours, so the days it must hold are the
        // busiest the forecast expects (recommend's busyDayVolume, what the ask is sized on), not
        // an average day; then what the average rests on (a held trigger's pace, which our
        // forecast's days are drawn around, or the forecast's P90 of its paths' daily means)
        `  About ${counted(t.busyDayVolume, 'run')} a day on our busy days (${busyDaysText(t.busyDays)}: the 90th percentile of those days in our ${report.days}-day forecast).`,
        // a figure the forecast assumed or extrapolated is not passed off as expected volume
        t.forecastCaveat === 'assumed_spread'
          ? `  That figure rests on an assumed spread: the limit held our runs every day, so our history shows nothing above it; the request is sized on our pace while admitted, raised only as far as our forecast's range needs.`
          : t.forecastCaveat === 'extrapolated_growth'
            ? `  That figure extrapolates compounding growth past the busiest day our history shows (${counted(t.daily.max, 'run')}), fitted on days the limit held: read it, and the request sized on it, as an upper bound.`
            : null,
        t.expectedFrom === 'held_pace' && t.heldPace !== undefined
          ? `  While the limit let them through, our runs came at ${t.expectedDailyVolume.toLocaleString('en-US')} per 24 hours (${counted(heldAt ?? DEFAULT_TRIGGER_LIMIT, 'run')} in ${counted(t.heldPace.hours, 'hour')}, then a pause until the 24-hour window freed, ${counted(t.heldPace.stretches, 'time')}), the pace our forecast's days are drawn around.`
          : t.busyDayVolume > t.expectedDailyVolume
            ? `  Averaged over the ${report.days} days, about ${counted(t.expectedDailyVolume, 'run')} a day (90th percentile of our forecast).`
            : null,
        // the day figures count calendar days, the limit a sliding 24 h that can span two of them:
        // "highest 41 a day" and "held at 42" are both true, and the draft says which is which
        `  Over ${lastDaysText(t.daily.daysObserved, report.history.days)}, counted per calendar day (UTC): median ${round1(t.daily.p50)}, 90th percentile ${round1(t.daily.p90)}, highest ${counted(t.daily.max, 'run')} a day;` +
          // with no limit in the docs there is nothing to be above: what held it is the code's default
          (codeHeld
            ? ` no run limit in the docs to be above`
            : // above the plan's limit, an override the plan does not state held it: never above the limit in force
              byDefault?.impliedLimit !== undefined
              ? ` never above the limit then in force`
              : ` above the current limit on ${t.daily.daysAboveLimit} of those days`) +
          (t.daily.daysAtLimit > 0 && heldAt !== null
            ? `, ${codeHeld ? 'but' : 'and'} held at ${byDefault !== undefined ? defaultHeldAt(byDefault) : `${heldAt}${codeHeld ? " (the platform's default)" : ''}`} on ${t.daily.daysAtLimit}, counted as the limit counts, in a sliding 24 hours (which can span two calendar days): runs refused at the limit are not in our usage exports, so our demand on those days was higher than they show.`
            : // held only before those days: the days the request rests on, said with when
              t.codeHeldBefore !== undefined && heldAt !== null
              ? `; before them it was held at ${heldAt} (the platform's default) on ${counted(t.codeHeldBefore.days, 'day')}, the last on ${t.codeHeldBefore.lastDay}, counted as the limit counts, in a sliding 24 hours: runs refused at the limit are not in our usage exports, so our demand on those days was higher than they show.`
              : '.'),
        '',
        `Requested: ${ask.requested}`,
        // the expected daily volume above is a forecast of calendar days; the limit is sized on
        // what decided it, which the draft states so the figure asked for is not left unexplained
        ...(t.requestBasis !== undefined && t.requestedLimit !== null ? [`  Sized on ${t.requestBasis}.`] : []),
        ...(t.profile === 'platform'
          ? ['', "(Sized against the limits as the platform's code enforces them: a programmatic trigger keeps the default of 42 runs per 24 hours unless raised.)"]
          : t.action === 'cannot_move'
            ? ['', "[Before sending: the docs limit scheduled triggers like any other, but the platform's code does not check a schedule against its run limit or the fair-use pool. If its runs already go through above the limit (they are in your usage exports), this request changes nothing; send it where the documented limit is enforced.]"]
          : t.action === 'programmatic' && t.requestedLimit !== null
            ? ['', "(The Rate Limiting docs lift the run limit in programmatic mode, but the platform's code limits programmatic triggers to 42 runs per 24 hours unless overridden, so we ask for both.)"]
            : []),
        '',
        'Thank you,',
        '[Your name], workspace admin',
        '',
      ];
      return { triggerId: t.id, subject: `${ask.subject} for trigger "${t.name}"`, body: lines.filter((l) => l !== null).join('\n') };
    });
}

/** The weekdays a busy-day figure is read on, as the draft says them. */
function busyDaysText(days: string): string {
  return days === 'every day' ? 'every day alike' : days;
}

/** The use case's limit for a webhook held at the platform's default before the plan's higher limit. */
function defaultHeldUseCase(h: NonNullable<TriggerRecommendation['heldAtDefault']>): string {
  if (h.stepOn === undefined) {
    return `limited to ${counted(h.planLimit, 'run')} per 24 hours in our plan, but held at the platform's default of ${counted(h.limit, 'run')} per 24 hours throughout our usage exports (the higher limit is not in force in them)`;
  }
  const after = h.after!;
  return `held at the platform's default of ${counted(h.limit, 'run')} per 24 hours until ${h.stepOn} and at ${counted(after, 'run')} per 24 hours since${after < h.planLimit ? ` (our plan sets ${h.planLimit.toLocaleString('en-US')}; the higher limit is not in force in our usage exports)` : ''}`;
}

/** The limit such a webhook was held at, as the draft's day counts say it. */
function defaultHeldAt(h: NonNullable<TriggerRecommendation['heldAtDefault']>): string {
  if (h.stepOn === undefined) return `${h.limit} (the platform's default)`;
  return `the limit then in force (${h.limit}, the platform's default, until ${h.stepOn}, on ${h.daysAtDefault} of them; ${h.after!.toLocaleString('en-US')} since)`;
}

function askFor(t: TriggerRecommendation): { subject: string; sentence: string; requested: string } {
  // the platform's code keeps 42 runs per 24 h on a programmatic trigger: the move needs the override too
  if (t.action === 'programmatic' && t.requestedLimit !== null) {
    return {
      subject: `Move to programmatic usage mode and raise the execution limit to ${t.requestedLimit} per 24 hours`,
      sentence: `move to programmatic usage mode and raise the execution limit to ${counted(t.requestedLimit, 'run')} per 24 hours`,
      requested:
        `1. programmatic usage mode (billed as programmatic usage, outside the fair-use pool); ` +
        `2. an execution limit override of ${counted(t.requestedLimit, 'run')} per 24 hours (the default of 42 applies to programmatic triggers too).`,
    };
  }
  if (t.action === 'programmatic') {
    return {
      subject: 'Move to programmatic usage mode',
      sentence: 'move to programmatic usage mode',
      requested: 'programmatic usage mode (billed as programmatic usage, outside the fair-use pool).',
    };
  }
  return {
    subject: `Raise the execution limit to ${t.requestedLimit} per 24 hours`,
    sentence: `raise the execution limit to ${counted(t.requestedLimit ?? 0, 'run')} per 24 hours`,
    requested: `an execution limit of ${counted(t.requestedLimit ?? 0, 'run')} per 24 hours${canonicalMode(t.mode) === 'fair_use' ? ' on fair use' : ''}.`,
  };
}

function round1(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toFixed(1);
}

/** The whole export: plan (JSON and YAML), keys CSV, support drafts, report (Markdown and HTML). */
/**
 * The forecast's first paths decided under the other enforcement profile, where they fare
 * differently (forecast/profile-differences.ts): where the docs and the code disagree, the report
 * an admin keeps shows both, as `headroom forecast` and the app do.
 */
function otherProfileSection(profile: ForecastReport['profile'], other: NonNullable<ForecastReport['otherProfile']>): ReportSection {
  const here = PROFILE_WORDS[profile];
  const there = PROFILE_WORDS[other.profile];
  const { triggers, keys } = profileDifferences(other);
  const whole = (x: number) => Math.round(x).toLocaleString('en-US');
  const band = (b: { p10: number; p50: number; p90: number }) => `${whole(b.p10)} / ${whole(b.p50)} / ${whole(b.p90)}`;
  return {
    title: `The same futures under ${there}`,
    paragraphs: [
      `The first ${whole(other.paths)} of the forecast's paths, decided as ${there} decides them rather than as ${here} (the plan's reading), each side over those paths (P10 / P50 / P90).` +
        other.notes.map((n) => ` ${n}.`).join(''),
      ...(triggers.length === 0 && keys.length === 0 ? [`The same: no trigger's runs and no key's blocking by its cap fare differently under ${there}.`] : []),
    ],
    tables: [
      ...(triggers.length > 0
        ? [
            {
              head: ['trigger', `delayed: ${here}`, there, `dropped or skipped: ${here}`, there, `still waiting: ${here}`, there],
              rows: triggers.map((t) => [
                t.id,
                band(t.here.delayed),
                band(t.there.delayed),
                band({ p10: t.here.dropped.p10 + t.here.skipped.p10, p50: t.here.dropped.p50 + t.here.skipped.p50, p90: t.here.dropped.p90 + t.here.skipped.p90 }),
                band({ p10: t.there.dropped.p10 + t.there.skipped.p10, p50: t.there.dropped.p50 + t.there.skipped.p50, p90: t.there.dropped.p90 + t.there.skipped.p90 }),
                band(t.here.pending),
                band(t.there.pending),
              ]),
            },
          ]
        : []),
      ...(keys.length > 0
        ? [{ head: ['key', `blocked by its cap in the simulation: ${here}`, there], rows: keys.map((k) => [k.id, `in ${chanceText(k.here)} of paths`, `in ${chanceText(k.there)} of paths`]) }]
        : []),
    ],
  };
}

/** " (thin history: spend on 5 days)" after a thin key's chance in the Monte Carlo table, else nothing. */
function thinCell(k: { thinHistory: { activeDays: number } | null }): string {
  return k.thinHistory === null ? '' : ` (${thinChanceShort(k.thinHistory.activeDays)})`;
}

export function buildExport(rec: RecommendReport, fc: ForecastReport | null): ExportFile[] {
  const name = rec.plan.workspace.name;
  const files: ExportFile[] = [
    { path: 'plan.json', content: planToJson(rec.plan) },
    { path: 'plan.yaml', content: planToYaml(rec.plan) },
    { path: 'keys.csv', content: keysToCsv(rec) },
  ];
  const drafts = supportRequests(rec, name);
  // ids that make the same file name (`t/pr`, `t_pr`, `t:pr`) still get a file each
  const names = uniqueFileNames(drafts.map((r) => r.triggerId));
  drafts.forEach((r, i) => files.push({ path: `support/${names[i]}.txt`, content: r.body }));
  const doc = reportDocument(rec, fc);
  files.push({ path: 'report.md', content: toMarkdown(doc) });
  files.push({ path: 'report.html', content: toHtml(doc) });
  return files;
}

export function safeName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'trigger';
}

/** A report as sections of text and tables, rendered to Markdown or HTML alike. */
export interface ReportSection {
  title: string;
  paragraphs: string[];
  tables: { head: string[]; rows: string[][] }[];
}
export interface ReportDocument {
  title: string;
  sections: ReportSection[];
}

// a dollar figure of the recommendation (micro-USD / 1e6) back to its micro-dollars, which every
// money cell and keys.csv round to cents alike (engine/units.ts centsOf)
const microsOf = (usd: number) => Math.round(usd * MICROS_PER_USD);
const money = (x: number) => formatUsd(microsOf(x));
const num = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toLocaleString('en-US', { maximumFractionDigits: 1 }));
// run and request counts are whole, even where a percentile falls between two paths
const whole = (x: number) => Math.round(x).toLocaleString('en-US');
const pctOf = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(1)} %`);
const bandText = (b: { p10: number; p50: number; p90: number }, f: (x: number) => string = num) => `${f(b.p10)} / ${f(b.p50)} / ${f(b.p90)}`;

export function reportDocument(rec: RecommendReport, fc: ForecastReport | null): ReportDocument {
  const sections: ReportSection[] = [];
  const h = rec.history;
  sections.push({
    title: 'History',
    paragraphs: [`${h.from} to ${h.to}: ${counted(h.days, 'day')}, ${counted(h.events, 'event')}, ${counted(h.keys, 'API key')}, ${counted(h.triggers, 'trigger')}.`, ...rec.notes],
    tables: [],
  });
  if (fc) {
    sections.push({
      title: `Forecast: ${fc.horizon.from} to ${fc.horizon.to}`,
      paragraphs: [
        'Per series, weekly seasonal indices times the model that scored best on the last days held out (a local level, a linear trend or exponential growth); bands are P10 / P50 / P90 over the Monte Carlo draws.',
        ...(Object.keys(fc.whatIf).length ? [`What-if: ${JSON.stringify(fc.whatIf)}`] : []),
        ...fc.notes,
      ],
      tables: [
        {
          head: ['series', 'id', 'last 7 days, per day', `next ${fc.horizon.days} days P10 / P50 / P90`],
          rows: fc.series.map((s) => {
            const f = s.kind === 'key_spend' ? (x: number) => money(x / 1e6) : (x: number) => num(Math.round(x));
            return [s.kind.replace('_', ' '), s.id, f(s.recentDailyMean), bandText(s.total, f)];
          }),
        },
      ],
    });
    const bt = fc.backtest;
    sections.push({
      title: 'Backtest on the last 14 days',
      paragraphs: bt.overall
        ? [
            `Model: WAPE ${pctOf(bt.overall.model.wape)}; seasonal-naive (same weekday a week earlier): WAPE ${pctOf(bt.overall.naive.wape)} (share of volume mis-forecast, each series scaled to its own mean). ` +
              `${bt.overall.verdict === 'better' ? 'Overall the model beats the baseline' : bt.overall.verdict === 'equal' ? 'Overall the model ties with the baseline (the same error)' : 'Overall the model does NOT beat the baseline'}; ` +
              `it is better on ${bt.seriesBeatingNaive} of ${bt.series.length} series` +
              (bt.seriesLosingToNaive.length ? ` and worse on: ${bt.seriesLosingToNaive.join(', ')}.` : ' and worse on none.'),
          ]
        : [bt.note ?? 'no backtest'],
      tables: bt.series.length
        ? [
            {
              head: ['series', 'id', 'model MAE per day', 'model MAPE', 'naive MAE per day', 'naive MAPE', 'model better'],
              rows: bt.series.map((s) => {
                const f = s.kind === 'key_spend' ? (x: number) => money(x / 1e6) : num;
                return [s.kind.replace('_', ' '), s.id, f(s.model.mae), pctOf(s.model.mape), f(s.naive.mae), pctOf(s.naive.mape), s.verdict === 'better' ? 'yes' : s.verdict === 'equal' ? 'tie' : 'no'];
              }),
            },
          ]
        : [],
    });
    const mc = fc.monteCarlo;
    if (mc) {
      sections.push({
        title: `Monte Carlo: ${mc.paths} paths (seed ${mc.seed})`,
        paragraphs: [
          `Pool (limit ${mc.pool.limit === null ? 'none' : whole(mc.pool.limit)}): peak ${bandText(mc.pool.peak, whole)}, saturated in ${pctOf(mc.pool.saturatedShareOfPaths)} of paths, runs limited by it ${bandText(mc.pool.limitedRuns, whole)}.`,
          `Allowance (limit ${mc.allowance.limit === null ? 'none' : whole(mc.allowance.limit)}): peak ${bandText(mc.allowance.peak, whole)}, saturated in ${pctOf(mc.allowance.saturatedShareOfPaths)} of paths, people's messages blocked ${bandText(mc.allowance.blockedMessages, whole)}.`,
          `Programmatic spend: ${bandText(mc.programmaticUsd, money)}.`,
          `A key's capped-out chance is the share of the forecast's ${whole(mc.cappedOutPaths)} paths whose ordinary use reaches its cap: the figure the caps are sized on (Recommended API key caps). ` +
            "The paths' simulation also runs the runaway days and starts from the spend already in each key's window, so the share of paths in which it blocks the key is another figure, given beside it.",
          ...mc.keys.filter((k) => k.thinHistory !== null).map((k) => `${k.id}: ${k.thinHistory!.note}.`),
          ...mc.spendLimits.map(
            (l) =>
              `Spend limit ${l.id} (${money(l.amountUsd)}, ${l.window}): blocks something in ${pctOf(l.blockedShareOfPaths)} of paths; ` +
              `requests blocked ${bandText(l.blockedRequests, whole)}, programmatic runs blocked ${bandText(l.blockedRuns, whole)}, spend blocked ${bandText(l.blockedUsd, money)}.`,
          ),
        ],
        tables: [
          {
            // the capped-out chance is recommend's (the same computation on the same paths, said the
            // same way); what the simulation blocks counts more, and its column says so
            head: ['key', 'cap', 'capped-out chance (ordinary use reaches the cap)', 'blocked by its cap in the simulation (runaway days and spend already in its window included)', 'first capped out P10 / P50 / P90', 'days capped out'],
            rows: mc.keys.map((k) => [
              k.id,
              k.cap === null ? 'none' : money(k.cap),
              // a thin key's chances rest on its few days (its cap provisional): said in the cells
              (k.cappedOutChance === null ? '–' : chanceText(k.cappedOutChance)) + thinCell(k),
              `in ${chanceText(k.firstCappedOut.probability)} of paths${thinCell(k)}`,
              [k.firstCappedOut.p10, k.firstCappedOut.p50, k.firstCappedOut.p90].map((d) => (d ? d.slice(0, 10) : 'not capped')).join(' / '),
              bandText(k.daysCappedOut),
            ]),
          },
          {
            head: ['trigger', 'mode', 'runs', 'delayed', 'dropped', 'skipped', 'max delay (h)'],
            rows: mc.triggers.map((t) => [t.id, t.mode, bandText(t.arrivals, whole), bandText(t.delayed, whole), bandText(t.dropped, whole), bandText(t.skipped, whole), bandText(t.maxDelayHours)]),
          },
        ],
      });
      if (fc.otherProfile) sections.push(otherProfileSection(fc.profile, fc.otherProfile));
    }
  }
  // a cap resting on a thin or short history is said beside the table, where the admin reads the caps
  const warned = rec.keys.filter((k) => k.warning !== null);
  sections.push({
    title: 'Recommended API key caps',
    paragraphs: [
      `Cap = the smallest round cap that ordinary use reaches in at most ${chanceText(rec.risk)} of the forecast's paths over the next ${rec.days} days (the capped-out chance column, the Monte Carlo table's too). ` +
        "Runaway days (above 3 × the 90th percentile of the key's active days) are incidents the cap should stop: they are left out of ordinary use and simulated as a separate, rare process." +
        (rec.keys.some((k) => k.capBasis === 'observed_spend')
          ? ' A key with spend on fewer than 7 days has too thin a history to forecast: its cap is provisional, twice the most it has spent in any 30 days (basis "observed spend"), and its capped-out chance rests on that thin history: the forecast’s paths take its busiest 30 days as its spend per 30 days, with no trend, as the cap does.'
          : '') +
        (rec.keys.some((k) => k.rolling30.extrapolated)
          ? ' A key with under 30 days of history has no 30-day window to take percentiles of: its rolling 30-day cell gives what it has spent over the days it has, as recorded, not scaled up to 30 days.'
          : ''),
      ...warned.map((k) => `${k.name === k.id ? k.id : `${k.name} (${k.id})`}: ${k.warning}.`),
    ],
    tables: [
      {
        head: ['key', 'current cap', 'recommended', 'action', 'basis', 'rolling 30 d p50 / p90 / p99', 'days', 'capped-out chance', 'reason'],
        rows: rec.keys.map((k) => [
          k.id,
          k.currentCapUsd === null ? 'none' : money(k.currentCapUsd),
          money(k.recommendedCapUsd),
          k.action,
          k.capBasis === 'observed_spend' ? 'provisional (observed spend)' : k.evidence.short ? 'forecast (short history)' : 'forecast',
          rolling30Cell(k),
          String(k.rolling30.daysObserved),
          chanceText(k.throttleChance) + (k.evidence.thin ? ` (${thinChanceShort(k.evidence.activeDays)})` : ''),
          k.reason,
        ]),
      },
    ],
  });
  // The table's figures are the history's calendar days; the Monte Carlo runs the recommended
  // plan over forecast days, whose spread the history's days do not show, against limits that
  // count any 24 hours. A trigger the table calls fine can still wait there: said beside it, so
  // the two sections of one report never read as contradicting each other.
  const forecastOf = new Map((fc?.monteCarlo?.triggers ?? []).map((m) => [m.id, m]));
  const paths = fc?.monteCarlo?.paths ?? 0;
  sections.push({
    title: 'Triggers',
    paragraphs: [
      ...rec.triggers.filter((t) => t.alternatives.length).map((t) => `${t.id}: ${t.alternatives.join('; ')}.`),
      ...rec.triggers.flatMap((t) => {
        const m = forecastOf.get(t.id);
        return m ? heldInForecast(t, m, rec.risk) : [];
      }),
    ],
    tables: [
      {
        head: ['trigger', 'kind', 'mode', 'limit', 'daily p50 / p90 / max', 'expected per day (forecast P90, or pace where held)', 'busy day (forecast P90, the days its limit must hold)', 'action', ...(paths > 0 ? ['forecast: runs held back'] : []), 'reason'],
        rows: rec.triggers.map((t) => {
          const m = forecastOf.get(t.id);
          return [
            t.id,
            t.kind,
            t.mode,
            t.limit === null ? 'none' : String(t.limit),
            `${num(t.daily.p50)} / ${num(t.daily.p90)} / ${num(t.daily.max)}`,
            // a held trigger's is its pace, not a P90: said in the cell and the heading, as the draft says it
            t.expectedFrom === 'held_pace' ? `${t.expectedDailyVolume} (pace while held; the forecast's days drawn around it)` : String(t.expectedDailyVolume),
            `${t.busyDayVolume} (${t.busyDays})`,
            t.action + (t.requestedLimit !== null ? ` (${t.requestedLimit})` : '') + (t.heldByPool !== undefined ? `; held back by the pool: ${t.heldByPool.seats === null ? 'no seat count holds it' : counted(t.heldByPool.seats, 'seat')} (see Seats)` : ''),
            ...(paths > 0 ? [m ? heldChances(t, m) : '–'] : []),
            t.reason,
          ];
        }),
      },
    ],
  });
  sections.push({
    title: 'Workspace spend limits',
    paragraphs: [
      'Every key request and programmatic run counts towards these limits. The recommended plan is replayed over the history; limits are not changed in plan.json (a budget decision): raise them by hand where advised.',
      ...rec.spendLimits.map((l) => `${l.id}: ${l.action === 'raise' ? `RAISE to ${money(l.recommendedAmountUsd)}. ` : 'keep. '}${l.reason}.`),
    ],
    tables: rec.spendLimits.length
      ? [
          {
            head: ['limit', 'window', 'amount', 'blocked requests / runs (history)', 'blocked spend', 'ordinary p50 / p99 / max', 'action'],
            rows: rec.spendLimits.map((l) => [
              l.id,
              l.window,
              money(l.amountUsd),
              `${num(l.blockedRequests)} / ${num(l.blockedRuns)}`,
              money(l.blockedUsd),
              `${money(l.ordinary.p50)} / ${money(l.ordinary.p99)} / ${money(l.ordinary.max)}`,
              l.action === 'raise' ? `raise to ${money(l.recommendedAmountUsd)}` : 'keep',
            ]),
          },
        ]
      : [],
  });
  sections.push({ title: 'Seats', paragraphs: [rec.seats.reason], tables: [] });
  if (rec.recovery.length) sections.push({ title: 'Keys at their cap', paragraphs: rec.recovery.map((r) => r.summary), tables: [] });
  return { title: `Headroom report: ${rec.plan.workspace.name}`, sections };
}

type ForecastTrigger = NonNullable<ForecastReport['monteCarlo']>['triggers'][number];

/**
 * The key table's rolling 30-day cell: the percentiles of the history's 30-day windows, or, for a
 * key with under 30 days of history, which has no such window, what it has spent over the days it
 * has (key-evidence.ts, as recorded; a thin key's provisional cap is twice it) and how few days
 * those are. recommend scales such a total to 30 days (rolling30.extrapolated): a thin key's $1,250
 * over 9 days read as $4,166.67 under this heading, a 30-day spend its history never shows.
 */
function rolling30Cell(k: KeyRecommendation): string {
  const spent = spentOverHistory(k);
  if (spent === null) return `${money(k.rolling30.p50)} / ${money(k.rolling30.p90)} / ${money(k.rolling30.p99)}`;
  return `${money(spent.usd)} ${historyDaysText(spent.days)}`;
}

/** The table's cell: in how many of the forecast's paths the recommended plan holds back some of its runs. */
function heldChances(t: TriggerRecommendation, m: ForecastTrigger): string {
  const parts: string[] = [];
  if (m.delayChance > 0) parts.push(`delayed in ${pctOf(m.delayChance)} of paths`);
  if (m.dropChance > 0) parts.push(`${t.kind === 'scheduled' ? 'skipped' : 'dropped'} in ${pctOf(m.dropChance)} of paths`);
  return parts.length > 0 ? parts.join('; ') : 'none';
}

/**
 * A sentence for a trigger whose runs the recommended plan holds back in the forecast: by what,
 * how many and how long, and why the history's figures in the table did not show it.
 */
function heldInForecast(t: TriggerRecommendation, m: ForecastTrigger, risk: number): string[] {
  const chance = Math.max(m.delayChance, m.dropChance);
  if (chance === 0) return [];
  const what: string[] = [];
  if (m.delayChance > 0) {
    // under 10 % of paths the P90 is 0 runs: the band would read as "nothing"
    const band = m.delayed.p90 > 0 ? ` (P50 / P90: ${whole(m.delayed.p50)} / ${whole(m.delayed.p90)} runs, waiting up to ${num(m.maxDelayHours.p90)} h at P90)` : '';
    what.push(`delays some of its runs in ${pctOf(m.delayChance)} of paths${band}`);
  }
  if (m.dropChance > 0) {
    // a webhook is dropped, a schedule skipped: one of the two bands is all zero
    const lost = t.kind === 'scheduled' ? m.skipped : m.dropped;
    what.push(`${t.kind === 'scheduled' ? 'skips' : 'drops'} some in ${pctOf(m.dropChance)} of paths${lost.p90 > 0 ? ` (P50 / P90: ${whole(lost.p50)} / ${whole(lost.p90)} runs)` : ''}`);
  }
  const by = m.causes.map((c) => c.label);
  const sentences = [`${t.id}: the forecast of the recommended plan ${what.join(' and ')}${by.length > 0 ? `, held back by ${by.join(', ')}` : ''}.`];
  const ownLimit = m.causes.some((c) => c.cause === 'trigger_limit');
  const aboveRisk = chance > risk ? `${pctOf(chance)} of paths is above the ${Math.round(risk * 1000) / 10} % risk the key caps are sized at` : null;
  if (ownLimit) {
    sentences.push(
      "The table's daily figures count the history's calendar days (UTC); its limit counts any 24 hours, which can span two busy days, and the forecast's days vary beyond the history's" +
        (aboveRisk !== null ? `: ${aboveRisk}, and a higher limit would hold back fewer.` : '.'),
    );
  } else if (aboveRisk !== null) sentences.push(`${aboveRisk[0]!.toUpperCase()}${aboveRisk.slice(1)}.`);
  return [sentences.join(' ')];
}

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function toMarkdown(doc: ReportDocument): string {
  const out: string[] = [`# ${doc.title}`, ''];
  for (const s of doc.sections) {
    out.push(`## ${s.title}`, '');
    for (const p of s.paragraphs) out.push(p, '');
    for (const t of s.tables) {
      out.push(`| ${t.head.map(mdCell).join(' | ')} |`, `|${t.head.map(() => ' --- ').join('|')}|`);
      for (const r of t.rows) out.push(`| ${r.map(mdCell).join(' | ')} |`);
      out.push('');
    }
  }
  return out.join('\n');
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export function toHtml(doc: ReportDocument): string {
  const out: string[] = [
    '<!doctype html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(doc.title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}' +
      'table{border-collapse:collapse;margin:1em 0;font-size:14px}th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}' +
      'th{background:#f3f3f3}</style>',
    '</head><body>',
    `<h1>${escapeHtml(doc.title)}</h1>`,
  ];
  for (const s of doc.sections) {
    out.push(`<h2>${escapeHtml(s.title)}</h2>`);
    for (const p of s.paragraphs) out.push(`<p>${escapeHtml(p)}</p>`);
    for (const t of s.tables) {
      out.push('<table><thead><tr>' + t.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('') + '</tr></thead><tbody>');
      for (const r of t.rows) out.push('<tr>' + r.map((c) => `<td>${escapeHtml(c)}</td>`).join('') + '</tr>');
      out.push('</tbody></table>');
    }
  }
  out.push('</body></html>', '');
  return out.join('\n');
}
