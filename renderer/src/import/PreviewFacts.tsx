import type { ImportFacts } from '../../../src/api/types.ts';
import { dateWithYear as day, usd } from '../format.ts';
import { disagreementsText, foundText, linesText, rangeText, seatsText, summaryRowsText } from './facts-words.ts';
import type { FactsStage } from './facts-words.ts';
import { DayOrderChoice, offersDayOrder } from './DayOrderChoice.tsx';
import type { GivenDayOrder } from '../../../src/import/day-order.ts';

/** The preview's "Dates are" for this file: the order given (null: automatic), and how to change it. */
export interface DayOrderControl {
  value: GivenDayOrder | null;
  onChange: (next: GivenDayOrder | null) => void;
  disabled: boolean;
}

/**
 * What the file holds, in the terms that matter before importing it (`stage` "preview") or what
 * it added (`stage` "imported"). `dayOrder`: the preview's "Dates are", beside the "read as" line
 * it changes, shown where the file's dates leave a choice (offersDayOrder).
 */
export function PreviewFacts({
  facts,
  format,
  stage,
  refused = 0,
  dayOrder,
}: {
  facts: ImportFacts;
  format: string;
  stage: FactsStage;
  /** lines refused by the import (stage "imported") */
  refused?: number;
  dayOrder?: DayOrderControl;
}) {
  const range = rangeText(facts);
  const seats = seatsText(facts, stage);
  const choice = dayOrder !== undefined && offersDayOrder(facts, dayOrder.value) ? dayOrder : null;
  return (
    <div className="preview-facts" data-testid="preview-facts">
      <dl className="figures">
        {range !== null && (
          <div>
            <dt>Dates</dt>
            <dd data-testid="facts-range">{range}</dd>
          </div>
        )}
        <div>
          <dt>Lines → events</dt>
          <dd data-testid="facts-events">
            {linesText(facts, refused)}
          </dd>
        </div>
        {/* of the new events, as the lines' count is: a line already in the ledger adds no spend, key or person */}
        <div>
          <dt>New spend</dt>
          <dd className="num" data-testid="facts-spend">{usd(facts.spendMicros / 1e6)}</dd>
        </div>
        <div>
          <dt>In the new events</dt>
          <dd data-testid="facts-found">{foundText(facts)}</dd>
        </div>
        {(facts.findings.readAs ?? facts.form) !== null && (
          <div className={choice !== null ? 'read-as with-choice' : 'read-as'}>
            <dt>Read as</dt>
            <dd data-testid="facts-read-as">{facts.findings.readAs ?? facts.form}</dd>
            {choice !== null && (
              <dd className="read-as-choice">
                <DayOrderChoice value={choice.value} onChange={choice.onChange} disabled={choice.disabled} />
              </dd>
            )}
          </div>
        )}
      </dl>
      {format === 'dust-consumption' && <p className="muted">Lines of one agent message make one event; a trigger’s lines marked programmatic make it a programmatic trigger.</p>}
      {/* the cost export told by its columns' meaning: which column was read as which */}
      {facts.findings.recognised !== null && (
        <p className="muted" data-testid="facts-recognised">
          {facts.findings.recognised}
        </p>
      )}
      {facts.findings.sheetsBefore !== null && (
        <p className="warning" role="status" data-testid="facts-sheets-before">
          {facts.findings.sheetsBefore}
        </p>
      )}
      <ExportLikeWarning facts={facts} />
      {facts.summaryRows > 0 && <p className="muted">{summaryRowsText(facts.summaryRows)}</p>}
      {facts.findings.preamble !== null && (
        <p className="muted" data-testid="facts-preamble">
          {facts.findings.preamble}
        </p>
      )}
      {/* the order chosen under “Dates are”, which no date contradicts, scattering the rows: said beside the choice that undoes it */}
      {facts.findings.givenOrderDoubt !== null && (
        <p className="warning" role="status" data-testid="facts-given-order-doubt">
          {facts.findings.givenOrderDoubt}
        </p>
      )}
      {facts.findings.dottedMonthFirst !== null && (
        <p className="warning" role="status" data-testid="facts-dotted-month-first">
          {facts.findings.dottedMonthFirst}
        </p>
      )}
      {facts.findings.timeOfDay !== null && (
        <p className="warning" role="status" data-testid="facts-time-of-day">
          {facts.findings.timeOfDay}
        </p>
      )}
      {/* one trigger's runs under two agents are counted against one limit: said where the admin can tell a renamed agent from a mislabelled export */}
      {facts.findings.triggerAgents !== null && (
        <p className="warning" role="status" data-testid="facts-trigger-agents">
          {facts.findings.triggerAgents}
        </p>
      )}
      {facts.findings.repeatedHeaders !== null && (
        <p className="muted" data-testid="facts-repeated-headers">
          {facts.findings.repeatedHeaders}
        </p>
      )}
      {facts.findings.completed !== null && <p data-testid="facts-completed">{facts.findings.completed}</p>}
      {facts.findings.differing !== null && (
        <div className="warning" role="status" data-testid="facts-differing">
          <strong>{facts.findings.differing.summary}</strong>
          <ul>
            {facts.findings.differing.rows.map((row) => (
              <li key={row}>{row}</li>
            ))}
          </ul>
        </div>
      )}
      {facts.spread !== null && <p data-testid="facts-spread">{facts.spread}</p>}
      {facts.overlap !== null && (
        <p data-testid="facts-overlap">
          <strong>Counted once:</strong> {facts.overlap}
        </p>
      )}
      {facts.disagreements.length > 0 && (
        <div className="warning" data-testid="facts-disagreements">
          <strong>{disagreementsText(facts.disagreements.length)}</strong>
          <ul>
            {facts.disagreements.slice(0, 10).map((d) => (
              <li key={`${d.scope}${d.day}`}>
                {day(d.day)} {d.scope}: cost export {usd(d.costUsd)}, consumption {usd(d.consumptionUsd)} (spend counted: {d.counted === 'cost' ? "the cost export's, over the consumption's runs" : 'the consumption lines'})
              </li>
            ))}
          </ul>
        </div>
      )}
      {seats !== null && (
        <p className="muted" data-testid="facts-seats">
          {seats}
        </p>
      )}
    </div>
  );
}

/**
 * A file read as a sheet to map that looks like the platform's cost export: its spend counts again
 * beside the exports of the same days. Shown with the facts, and above the mapping step of a file
 * whose columns are still to be mapped (where the facts are not).
 */
export function ExportLikeWarning({ facts }: { facts: ImportFacts }) {
  if (facts.findings.exportLike === null) return null;
  return (
    <p className="warning" role="status" data-testid="facts-export-like">
      {facts.findings.exportLike}
    </p>
  );
}
