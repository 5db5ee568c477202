import type { TriggerModeFact } from '../ledger/entities.ts';

/** Where a trigger's lines said something: the line, and the agent it names. */
export interface AgentLine {
  agent: string;
  line: number;
}

/**
 * A trigger id under two agents in one file: the first row that gave it a second agent, the agent
 * and line it was first seen with, and how many trigger ids do so. A trigger id names one trigger
 * (SPEC section 3: a run's subject is its trigger's id; section 4: its limit counts that id's runs),
 * so their runs are read as that one trigger's: said, since two agents' triggers never share an id
 * on the platform. An agent renamed inside the export's span gives all of one agent's lines, then
 * all of the other's; lines that go back to an agent after another's (`back`) are no rename.
 */
export interface TriggerAgents {
  trigger: string;
  agent: string;
  line: number;
  firstAgent: string;
  firstLine: number;
  triggers: number;
  /** the first line whose agent's lines had given way to another's: the agents' lines interleave; null when each agent's lines come in one run (a rename) */
  back: AgentLine | null;
  /**
   * The mode the trigger is read with and the line it was taken from (programmatic when any of its
   * lines is, ledger/entities.ts EntityFacts), and, when another agent's lines give it the other
   * mode, the first such line.
   */
  mode: { taken: TriggerModeFact; from: AgentLine; other: (AgentLine & { mode: TriggerModeFact }) | null } | null;
}

/** One trigger id's lines as read so far. */
interface Seen {
  first: AgentLine;
  second: AgentLine | null;
  /** the agent of its latest line, and the agents whose lines gave way to another's */
  last: string;
  ended: Set<string> | null;
  back: AgentLine | null;
  /** per mode, the first line of each agent that gives it */
  modes: Record<TriggerModeFact, Map<string, number>>;
}

/**
 * Watches a file's trigger facts (each change of a trigger's agent or mode: the importer passes
 * the facts that differ from the line before) for trigger ids under more than one agent.
 */
export class TriggerAgentWatch {
  private readonly seen = new Map<string, Seen>();
  /** the trigger ids under more than one agent, the first first */
  private readonly shared: string[] = [];

  add(trigger: string, agent: string, mode: TriggerModeFact | undefined, line: number): void {
    let s = this.seen.get(trigger);
    if (s === undefined) {
      s = { first: { agent, line }, second: null, last: agent, ended: null, back: null, modes: { fair_use: new Map(), programmatic: new Map() } };
      this.seen.set(trigger, s);
    }
    if (mode !== undefined && !s.modes[mode].has(agent)) s.modes[mode].set(agent, line);
    if (agent === s.last) return;
    if (s.second === null) {
      s.second = { agent, line };
      this.shared.push(trigger);
    }
    (s.ended ??= new Set()).add(s.last);
    if (s.back === null && s.ended.has(agent)) s.back = { agent, line };
    s.last = agent;
  }

  /** The first trigger id under two agents, as the findings say it; null when each id keeps one agent. */
  result(): TriggerAgents | null {
    const trigger = this.shared[0];
    if (trigger === undefined) return null;
    const s = this.seen.get(trigger)!;
    return {
      trigger,
      agent: s.second!.agent,
      line: s.second!.line,
      firstAgent: s.first.agent,
      firstLine: s.first.line,
      triggers: this.shared.length,
      back: s.back,
      mode: modeOf(s),
    };
  }
}

/** The first of `lines` (agent → line), leaving out the agents of `except`. */
function firstLine(lines: Map<string, number>, except: ReadonlyMap<string, number> | null): AgentLine | null {
  let best: AgentLine | null = null;
  for (const [agent, line] of lines) if (except?.has(agent) !== true && (best === null || line < best.line)) best = { agent, line };
  return best;
}

/**
 * A programmatic line makes the trigger programmatic (EntityFacts): taken from the first, with the
 * first line of an agent whose lines all say fair use (the agents disagree, not one agent's lines).
 */
function modeOf(s: Seen): TriggerAgents['mode'] {
  const programmatic = firstLine(s.modes.programmatic, null);
  if (programmatic !== null) {
    const other = firstLine(s.modes.fair_use, s.modes.programmatic);
    return { taken: 'programmatic', from: programmatic, other: other === null ? null : { ...other, mode: 'fair_use' } };
  }
  const fair = firstLine(s.modes.fair_use, null);
  return fair === null ? null : { taken: 'fair_use', from: fair, other: null };
}
