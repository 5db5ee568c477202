/**
 * A seeded workspace written as the platform's two exports of the same spend: the consumption
 * export (a line per step of an agent message, credits) and the cost export (USD per UTC day,
 * agent, key and source), plus the truth both describe. Credits are whole per line (1 credit =
 * $0.01), so every cost row is exact to the cent and the truth is exact to the µUSD.
 */
import { intBelow, rngFor, uniform } from '../../src/demo/prng.ts';

const DAY = 86_400_000;

export const CONSUMPTION_HEADER =
  'completedAt,conversationId,spaceId,agentMessageId,consumptionType,agentId,agentName,agentVersion,agentTagIds,agentRootId,agentParentId,agentDepth,modelProviderId,modelId,modelName,modelReasoningEffort,modelResolutionMethod,userId,userName,userGroupIds,userGroupNames,triggerId,contextOrigin,apiKeyName,toolName,toolServerName,toolDisplayName,toolParentServerName,toolActionId,attributedSkillIds,attributedSkillNames,creditsSystem,creditsInput,creditsOutput,creditsReasoning,creditsAction,totalCredits,usageType,status,stepIndex,executionTimeMs';

/** A consumption export line with these cells and the others empty; a cell no column has is a mistake in the test. */
export function consumptionLine(cells: Record<string, string>): string {
  const columns = CONSUMPTION_HEADER.split(',');
  for (const k of Object.keys(cells)) if (!columns.includes(k)) throw new Error(`no column ${k}`);
  return columns.map((c) => cells[c] ?? '').join(',');
}

/**
 * Step `s` of message `msg` through API key `key-a`: `credits` whole credits, completed `s`
 * seconds after 2026-09-01T10:00Z; `more` cells beside them.
 */
export function apiStepLine(msg: string, s: number, credits: number, more: Record<string, string> = {}): string {
  return consumptionLine({
    completedAt: `2026-09-01T10:00:0${s}.000Z`,
    agentMessageId: msg,
    contextOrigin: 'api',
    apiKeyName: 'key-a',
    agentName: 'Bot',
    usageType: 'programmatic',
    totalCredits: `${credits}.00`,
    stepIndex: String(s),
    ...more,
  });
}

export interface DustWorkspaceOptions {
  seed: number;
  days: number;
  /** first UTC day, epoch ms */
  start?: number;
  keys?: number;
  people?: number;
  /** display labels (`API`, `Trigger`, `Web`) instead of raw values in contextOrigin */
  labels?: boolean;
  /** name the creditsAction column creditsDirect */
  creditsDirect?: boolean;
}

export interface DustTrigger {
  id: string;
  agent: string;
  programmatic: boolean;
  scheduled: boolean;
}

export interface DustWorkspace {
  consumption: string;
  /** cost export rows per calendar month, as files */
  cost: string[];
  /** µUSD per `key:<name>` or `agent:<name>` and UTC day (`YYYY-MM-DD`): what must be counted */
  truth: Map<string, number>;
  keys: string[];
  triggers: DustTrigger[];
  people: string[];
  /** lines and agent messages in the consumption export */
  lines: number;
  messages: number;
}

const AGENTS = ['Support bot', 'Release notes', '@Ops watcher', 'Data sync', 'Sales helper'];

function csvCell(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** the platform escapes a cell starting with `@` with a leading `'` */
function escapeAt(v: string): string {
  return v.startsWith('@') ? `'${v}` : v;
}

export function dustWorkspace(o: DustWorkspaceOptions): DustWorkspace {
  const rng = rngFor(o.seed, 'dust-exports');
  const start = o.start ?? Date.UTC(2026, 8, 1);
  const keys = Array.from({ length: o.keys ?? 4 }, (_, i) => `key-${['marketing', 'data', 'support', 'ci', 'growth', 'ops'][i % 6]}${i >= 6 ? i : ''}`);
  const people = Array.from({ length: o.people ?? 12 }, (_, i) => `u${String(i).padStart(3, '0')}`);
  const triggers: DustTrigger[] = [
    { id: 'trg_digest', agent: 'Release notes', programmatic: false, scheduled: true },
    { id: 'trg_prrev', agent: '@Ops watcher', programmatic: true, scheduled: false },
    { id: 'trg_sync', agent: 'Data sync', programmatic: true, scheduled: true },
  ];
  const labels = o.labels === true;
  const lines: string[] = [];
  const truth = new Map<string, number>();
  // cost rows: day|agent|key|source -> µUSD
  const costRows = new Map<string, number>();
  let messages = 0;
  let lineCount = 0;

  const emit = (time: number, agent: string, origin: string, key: string, trigger: string, user: string, usage: string): void => {
    messages++;
    const msgId = `m${o.seed}_${messages}`;
    const n = 1 + intBelow(rng, 3);
    let micros = 0;
    for (let s = 0; s < n; s++) {
      const credits = 1 + intBelow(rng, 40);
      micros += credits * 10_000;
      const t = new Date(time + s * 1500).toISOString();
      const action = s === n - 1 ? credits : 0;
      const rest = credits - action;
      const f = [t, `c${messages}`, 'sp1', msgId, 'model', `ag_${agent.length}`, escapeAt(agent), '3', '', '', '', '0', 'anthropic', 'claude', 'Claude', '', 'auto', user, user === '' ? '' : `Person ${user}`, '', '', trigger, origin, key, '', '', '', '', '', '', '', '0.00', `${rest}.00`, '0.00', '0.00', `${action}.00`, `${credits}.00`, usage, 'succeeded', String(s), '1200'];
      lines.push(f.map(csvCell).join(','));
      lineCount++;
    }
    if (usage !== 'programmatic') return;
    const day = new Date(time).toISOString().slice(0, 10);
    const scope = key !== '' && key !== 'N/A' ? `key:${key}` : `agent:${agent}`;
    truth.set(`${scope}|${day}`, (truth.get(`${scope}|${day}`) ?? 0) + micros);
    const source = key !== '' && key !== 'N/A' ? 'api' : trigger !== '' ? 'trigger' : 'workflow';
    const ck = `${day}|${agent}|${key === '' ? 'N/A' : key}|${source}`;
    costRows.set(ck, (costRows.get(ck) ?? 0) + micros);
  };

  for (let d = 0; d < o.days; d++) {
    const day = start + d * DAY;
    const weekday = new Date(day).getUTCDay() % 6 !== 0;
    const events: { time: number; f: () => void }[] = [];
    for (const p of people) {
      const n = weekday ? intBelow(rng, 6) : intBelow(rng, 2);
      for (let k = 0; k < n; k++) {
        const time = day + Math.floor(uniform(rng, 8, 18) * 3_600_000);
        const agent = AGENTS[intBelow(rng, AGENTS.length)]!;
        events.push({ time, f: () => emit(time, agent, labels ? (intBelow(rng, 2) === 0 ? 'Web' : 'Slack') : 'web', '', '', p, 'user') });
      }
    }
    keys.forEach((key, i) => {
      const n = intBelow(rng, 8 + i * 4);
      for (let k = 0; k < n; k++) {
        const time = day + Math.floor(uniform(rng, 0, 24) * 3_600_000);
        const agent = AGENTS[(i + k) % AGENTS.length]!;
        events.push({ time, f: () => emit(time, agent, labels ? 'API' : 'api', key, '', '', 'programmatic') });
      }
    });
    for (const t of triggers) {
      if (t.scheduled) {
        const time = day + 9 * 3_600_000 + intBelow(rng, 60_000);
        events.push({ time, f: () => emit(time, t.agent, labels ? 'Trigger' : t.programmatic ? 'triggered_programmatic' : 'triggered', 'N/A', t.id, '', t.programmatic ? 'programmatic' : 'user') });
      } else {
        const n = 5 + intBelow(rng, 20);
        for (let k = 0; k < n; k++) {
          const time = day + Math.floor(uniform(rng, 0, 24) * 3_600_000);
          events.push({ time, f: () => emit(time, t.agent, labels ? 'Trigger' : t.programmatic ? 'triggered_programmatic' : 'triggered', 'N/A', t.id, '', t.programmatic ? 'programmatic' : 'user') });
        }
      }
    }
    events.sort((a, b) => a.time - b.time);
    for (const e of events) e.f();
  }

  let header = CONSUMPTION_HEADER;
  if (o.creditsDirect === true) header = header.replace('creditsAction', 'creditsDirect');
  const consumption = `${header}\n${lines.join('\n')}\n`;
  const months = new Map<string, string[]>();
  for (const [k, micros] of [...costRows].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const [day, agent, key, source] = k.split('|') as [string, string, string, string];
    const month = day.slice(0, 7);
    let rows = months.get(month);
    if (rows === undefined) months.set(month, (rows = []));
    rows.push([day, escapeAt(agent), key, source, (micros / 1e6).toFixed(2)].map(csvCell).join(','));
  }
  const cost = [...months.values()].map((rows) => `date,agent_name,api_key,source,total_spend_usd\n${rows.join('\n')}\n`);
  return { consumption, cost, truth, keys, triggers, people, lines: lineCount, messages };
}
