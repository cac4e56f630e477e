import type { Child, FC } from 'hono/jsx';
import { isFailure } from '../core/errors';
import type { SessionSummary, TraceSummary } from '../storage/queries';
import { count, ms, tokens, usd } from './format';
import { Layout, Ranges, Time, withQuery } from './layout';

/** What every list and page shows the same way: statuses, session links, the session table, a filtered list. */

export const failedTrace = (trace: Pick<TraceSummary, 'errorType'>) => isFailure(trace.errorType);

export const Status: FC<{ trace: Pick<TraceSummary, 'status' | 'errorType' | 'endReason'> }> = ({ trace }) => (
  <span class={isFailure(trace.errorType) ? 'bad' : trace.errorType ? 'muted' : undefined}>
    {String(trace.status ?? '—')}
    {trace.errorType && (
      <>
        {' '}
        <a href={withQuery('/ui/traces', { error_type: trace.errorType })}>{trace.errorType}</a>
      </>
    )}
  </span>
);

/** A session is its id and the key that sent it: the link names both. */
export const SessionLink: FC<{ id: string; keyName: string | null }> = ({ id, keyName }) => (
  <a href={`/ui/sessions/${encodeURIComponent(id)}?key=${encodeURIComponent(keyName ?? '')}`}>{id.length > 18 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id}</a>
);

export const SessionTable: FC<{ sessions: SessionSummary[] }> = ({ sessions }) => (
  <div class="scroll">
    <table>
      <thead>
        <tr>
          <th>Session</th>
          <th>Started</th>
          <th class="num">Duration</th>
          <th class="num">Requests</th>
          <th class="hide-narrow">Models</th>
          <th class="num">Tokens in / out</th>
          <th class="num">Cost</th>
          <th class="num">Errors</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => (
          <tr>
            <td>
              <SessionLink id={session.sessionId} keyName={session.apiKeyName} />
            </td>
            <td>
              <Time at={session.firstAt} />
            </td>
            <td class="num">{ms(session.lastAt.getTime() - session.firstAt.getTime())}</td>
            <td class="num">{count(session.requests)}</td>
            <td class="hide-narrow">{session.targetModels.join(', ')}</td>
            <td class="num">{`${tokens((session.inputTokens ?? 0) + (session.cacheReadInputTokens ?? 0) + (session.cacheCreationInputTokens ?? 0))} / ${tokens(session.outputTokens)}`}</td>
            <td class="num">{usd(session.costMicros)}</td>
            <td class={session.errors > 0 ? 'num bad' : 'num'}>{count(session.errors)}</td>
          </tr>
        ))}
      </tbody>
    </table>
    {sessions.length === 0 && <p class="muted">No sessions in this range.</p>}
  </div>
);

/** A filterable, paged list: range links, a filter form (GET, so every view is a URL), the pager. */
export const Listing: FC<{
  title: string;
  section: 'sessions' | 'traces';
  range: string;
  query: Record<string, string | undefined>;
  nextCursor: string | null;
  labels: [first: string, next: string];
  filters: Child;
  children?: Child;
}> = ({ title, section, range, query, nextCursor, labels, filters, children }) => {
  const base = `/ui/${section}`;
  return (
    <Layout title={title} section={section}>
      <h1>{title}</h1>
      <Ranges current={range} base={base} query={query} />
      <form class="filters" method="get" action={base}>
        <input type="hidden" name="range" value={range} />
        {filters}
        <button type="submit">Filter</button>
      </form>
      {children}
      <div class="pager">
        {query.cursor && <a href={withQuery(base, { ...query, cursor: undefined })}>{labels[0]}</a>}
        {nextCursor && <a href={withQuery(base, { ...query, cursor: nextCursor })}>{labels[1]}</a>}
      </div>
    </Layout>
  );
};

export const TextFilter: FC<{ label: string; name: string; query: Record<string, string | undefined>; placeholder?: string }> = ({
  label,
  name,
  query,
  placeholder,
}) => (
  <label>
    {label}
    <input name={name} value={query[name] ?? ''} placeholder={placeholder ?? 'any'} />
  </label>
);
