import type { FC } from 'hono/jsx';
import type { SessionSummary, SessionTurn, TraceSummary } from '../../storage/queries';
import { DurationBar } from '../charts';
import { Status, failedTrace } from '../components';
import { ms, tokens, usd } from '../format';
import { Layout, Time } from '../layout';

/** A timeline row: the trace, its number in time order, how deep among subagents, and whether it starts an agent. */
interface Row {
  trace: TraceSummary;
  n: number;
  depth: number;
  startsAgent: boolean;
}

/** The tree, depth first: a turn, then the turns of each subagent it started. */
function rowsOf(tree: SessionTurn[], traces: TraceSummary[]): Row[] {
  const byId = new Map(traces.map((trace, i) => [trace.id, { trace, n: i + 1 }]));
  const rows: Row[] = [];
  const walk = (turns: SessionTurn[], depth: number) => {
    turns.forEach((turn, i) => {
      const found = byId.get(turn.traceId);
      if (found) rows.push({ ...found, depth, startsAgent: depth > 0 && i === 0 });
      for (const agent of turn.subagents) walk(agent.turns, depth + 1);
    });
  };
  walk(tree, 0);
  return rows;
}

export const SessionPage: FC<{
  session: SessionSummary & { userAgent: string | null; apiKeyName: string | null };
  traces: TraceSummary[];
  tree: SessionTurn[];
}> = ({ session, traces, tree }) => {
  const max = Math.max(1, ...traces.map((trace) => trace.durationMs ?? 0));
  const rows = rowsOf(tree, traces);
  return (
    <Layout title={`Session ${session.sessionId}`} section="sessions">
      <h1>{`Session ${session.sessionId}`}</h1>
      <dl class="kv">
        <dt>Started</dt>
        <dd>
          <Time at={session.firstAt} seconds />
        </dd>
        <dt>Span</dt>
        <dd>{ms(session.lastAt.getTime() - session.firstAt.getTime())}</dd>
        <dt>Requests</dt>
        <dd id="session-requests">{`${session.requests} (${session.errors} failed)`}</dd>
        <dt>Tokens</dt>
        <dd>{`${tokens(session.inputTokens)} in, ${tokens(session.cacheReadInputTokens)} cache read, ${tokens(session.cacheCreationInputTokens)} cache write, ${tokens(session.outputTokens)} out`}</dd>
        <dt>Cost</dt>
        <dd id="session-cost">{usd(session.costMicros)}</dd>
        <dt>Models</dt>
        <dd>{`${session.requestedModels.join(', ')} → ${session.targetModels.join(', ')}`}</dd>
        {session.userAgent && (
          <>
            <dt>Client</dt>
            <dd>{session.userAgent}</dd>
          </>
        )}
        {session.apiKeyName && (
          <>
            <dt>Key</dt>
            <dd>{session.apiKeyName}</dd>
          </>
        )}
      </dl>
      <h2>Timeline</h2>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th class="num">#</th>
              <th>Time</th>
              <th>Model</th>
              <th>Duration (| first token)</th>
              <th class="num">Tokens in / out</th>
              <th class="num">Cost</th>
              <th>Status</th>
              <th>Stop</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ trace, n, depth, startsAgent }) => (
              <tr class={trace.agentId ? 'subagent' : undefined}>
                <td class={depth > 0 ? `num depth-${Math.min(depth, 4)}` : 'num'}>
                  <a href={`/ui/traces/${trace.id}`}>{depth > 0 ? `↳ ${n}` : String(n)}</a>
                </td>
                <td>
                  <Time at={trace.createdAt} seconds />
                </td>
                <td>
                  {startsAgent && <span class="agent">{`subagent ${trace.agentId}`}</span>}
                  {`${trace.requestedModel ?? '—'} → ${trace.targetModel ?? '—'}`}
                </td>
                <td>
                  <DurationBar durationMs={trace.durationMs} ttftMs={trace.ttftMs} max={max} failed={failedTrace(trace)} /> {ms(trace.durationMs)}
                </td>
                <td class="num">{`${tokens((trace.inputTokens ?? 0) + (trace.cacheReadInputTokens ?? 0) + (trace.cacheCreationInputTokens ?? 0))} / ${tokens(trace.outputTokens)}`}</td>
                <td class="num">{usd(trace.costMicros)}</td>
                <td>
                  <Status trace={trace} />
                </td>
                <td>{trace.stopReason ?? trace.endReason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Layout>
  );
};
