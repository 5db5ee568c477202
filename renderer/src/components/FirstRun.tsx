import { useState } from 'react';
import { useGo, useLedger } from '../nav.ts';
import type { Page } from '../nav.ts';

/**
 * What a new admin sees on an empty ledger: the two platform exports to import (named, and where
 * to download them), or the demo workspace to look around first. Zeros and green bars over no
 * data would read as "all fine".
 */
export function FirstRun() {
  const go = useGo();
  return (
    <section className="first-run" aria-labelledby="first-run-h" data-testid="first-run">
      <h2 id="first-run-h">Start with your usage exports</h2>
      <p>
        This ledger holds no usage yet, so there is nothing to project. Headroom replays your workspace’s real history under a plan: import the
        platform’s two exports, then set caps and limits and see what they would have throttled.
      </p>
      <ol className="steps">
        <li>
          <strong>Download the two exports</strong> as a workspace admin, from the platform’s workspace <em>Analytics</em> (usage) page:
          <ul>
            <li>
              the <strong>programmatic cost export</strong> (<code>date, agent_name, api_key, source, total_spend_usd</code>): spend per day, agent and
              API key, what key caps count;
            </li>
            <li>
              the <strong>consumption export</strong> (<code>completedAt, agentMessageId, contextOrigin, triggerId, apiKeyName, …</code>): one line per
              message, API call or trigger run, what the allowance, the pool and trigger limits count.
            </li>
          </ul>
        </li>
        <li>
          <strong>Import them</strong> (both, in any order; importing a file twice adds nothing).
        </li>
        <li>
          <strong>Review</strong> the Overview, set caps on <em>API keys</em> and modes on <em>Triggers</em>, then <em>Export</em> the recommended plan.
        </li>
      </ol>
      <div className="actions">
        <button type="button" className="button primary" onClick={() => go('import')}>
          Import your exports
        </button>
        <DemoButton />
      </div>
    </section>
  );
}

/**
 * A page with nothing to show: why, and a link to the step that fills it. On an empty ledger the
 * demo workspace is one click away here too, not only on the Overview.
 */
export function NoData({ why, step = 'import', action = 'Import your exports' }: { why: string; step?: Page; action?: string }) {
  const go = useGo();
  const { events } = useLedger();
  return (
    <div className="empty-state" data-testid="no-data">
      <p>{why}</p>
      <div className="actions">
        <button type="button" className="button primary" onClick={() => go(step)}>
          {action}
        </button>
        {events === 0 && <DemoButton />}
      </div>
    </div>
  );
}

/** Opens the demo workspace (a ledger of its own) and goes to its Overview. */
function DemoButton() {
  const { openDemo } = useLedger();
  const [opening, setOpening] = useState(false);
  return (
    <button
      type="button"
      className="button"
      disabled={opening}
      onClick={() => {
        setOpening(true);
        void openDemo().finally(() => setOpening(false));
      }}
    >
      {opening ? 'Opening the demo…' : 'Open the demo workspace'}
    </button>
  );
}
