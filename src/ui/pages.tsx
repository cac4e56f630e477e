import type { Child, FC } from 'hono/jsx';
import type { SessionSummary, Stats, TraceSummary } from '../storage/queries';
import type { Trace } from '../storage/schema';
import { CostChart, DurationBar, LatencyChart, Legend, colors } from './charts';
import { Conversation } from './conversation';
import { bytes, count, ms, percent, tokens, usd } from './format';
import { Layout, Ranges, Time, withQuery } from './layout';

const failedTrace = (trace: Pick<TraceSummary, 'errorType'>) => trace.errorType != null && trace.errorType !== 'client_abort';

const Status: FC<{ trace: Pick<TraceSummary, 'status' | 'errorType' | 'endReason'> }> = ({ trace }) => (
  <span class={trace.errorType && trace.errorType !== 'client_abort' ? 'bad' : trace.errorType ? 'muted' : undefined}>
    {String(trace.status ?? '—')}
    {trace.errorType && (
      <>
        {' '}
        <a href={withQuery('/ui/traces', { error_type: trace.errorType })}>{trace.errorType}</a>
      </>
    )}
  </span>
);

const SessionLink: FC<{ id: string }> = ({ id }) => <a href={`/ui/sessions/${encodeURIComponent(id)}`}>{id.length > 18 ? `${id.slice(0, 8)}…${id.slice(-6)}` : id}</a>;

const SessionTable: FC<{ sessions: SessionSummary[] }> = ({ sessions }) => (
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
              <SessionLink id={session.sessionId} />
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

export const OverviewPage: FC<{ stats: Stats; range: string; expensive: SessionSummary[]; recent: SessionSummary[] }> = ({ stats, range, expensive, recent }) => {
  const palette = colors([...stats.models.map((model) => model.model), ...stats.days.map((day) => day.model)]);
  const inputAll = stats.inputTokens + stats.cacheReadInputTokens + stats.cacheCreationInputTokens;
  return (
    <Layout title="Overview" section="overview">
      <h1>Overview</h1>
      <Ranges current={range} base="/ui" query={{}} />
      <div class="cards">
        <div class="card">
          <div class="value" id="requests">{count(stats.requests)}</div>
          <div class="label">requests</div>
        </div>
        <div class="card">
          <div class={stats.errors > 0 ? 'value bad' : 'value'} id="error-rate">
            {percent(stats.errorRate)}
          </div>
          <div class="label">{`error rate (${count(stats.errors)} failed)`}</div>
        </div>
        <div class="card">
          <div class="value">{`${count(inputAll)} / ${count(stats.outputTokens)}`}</div>
          <div class="label">tokens in / out</div>
        </div>
        <div class="card">
          <div class="value" id="cost">{usd(stats.costMicros)}</div>
          <div class="label">cost (priced models)</div>
        </div>
      </div>
      {stats.errorsByType.length > 0 && (
        <p>
          {'Errors: '}
          {stats.errorsByType.map((error, i) => (
            <>
              {i > 0 && ', '}
              <a href={withQuery('/ui/traces', { error_type: error.errorType, range })}>{error.errorType}</a>
              {` (${error.count})`}
            </>
          ))}
        </p>
      )}
      <h2>Cost per day</h2>
      <CostChart days={stats.days} palette={palette} />
      <Legend palette={palette} />
      <h2>Latency per target model</h2>
      <LatencyChart models={stats.models} palette={palette} />
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th>Target model</th>
              <th class="num">Requests</th>
              <th class="num">Errors</th>
              <th class="num">p50 / p95 / p99</th>
              <th class="num">First token p50 / p95</th>
              <th class="num">Tokens in / out</th>
              <th class="num">Cost</th>
            </tr>
          </thead>
          <tbody>
            {stats.models.map((model) => (
              <tr>
                <td>
                  <a href={withQuery('/ui/traces', { target_model: model.model ?? undefined, range })}>{model.model ?? '(none)'}</a>
                </td>
                <td class="num">{count(model.requests)}</td>
                <td class="num">{count(model.errors)}</td>
                <td class="num">{`${ms(model.duration.p50)} / ${ms(model.duration.p95)} / ${ms(model.duration.p99)}`}</td>
                <td class="num">{`${ms(model.ttft.p50)} / ${ms(model.ttft.p95)}`}</td>
                <td class="num">{`${tokens(model.inputTokens + model.cacheReadInputTokens + model.cacheCreationInputTokens)} / ${tokens(model.outputTokens)}`}</td>
                <td class="num">{usd(model.costMicros)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Most expensive sessions</h2>
      <SessionTable sessions={expensive} />
      <h2>Most recent sessions</h2>
      <SessionTable sessions={recent} />
    </Layout>
  );
};

/** A filterable, paged list: range links, a filter form (GET, so every view is a URL), the pager. */
const Listing: FC<{
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

const TextFilter: FC<{ label: string; name: string; query: Record<string, string | undefined>; placeholder?: string }> = ({ label, name, query, placeholder }) => (
  <label>
    {label}
    <input name={name} value={query[name] ?? ''} placeholder={placeholder ?? 'any'} />
  </label>
);

export const SessionsPage: FC<{ sessions: SessionSummary[]; nextCursor: string | null; query: Record<string, string | undefined>; range: string }> = ({ sessions, nextCursor, query, range }) => (
  <Listing
    title="Sessions"
    section="sessions"
    range={range}
    query={query}
    nextCursor={nextCursor}
    labels={['First page', 'Next page']}
    filters={
      <>
        <TextFilter label="Model" name="model" query={query} />
        <label>
          Sort
          <select name="sort">
            <option value="recent" selected={query.sort !== 'cost'}>
              most recent
            </option>
            <option value="cost" selected={query.sort === 'cost'}>
              most expensive
            </option>
          </select>
        </label>
        <label>
          Errors
          <select name="errors">
            <option value="">all sessions</option>
            <option value="true" selected={query.errors === 'true'}>
              with errors
            </option>
          </select>
        </label>
      </>
    }
  >
    <SessionTable sessions={sessions} />
  </Listing>
);

export const SessionPage: FC<{ session: SessionSummary & { userAgent: string | null; apiKeyName: string | null }; traces: TraceSummary[] }> = ({ session, traces }) => {
  const max = Math.max(1, ...traces.map((trace) => trace.durationMs ?? 0));
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
            {traces.map((trace, i) => (
              <tr>
                <td class="num">
                  <a href={`/ui/traces/${trace.id}`}>{String(i + 1)}</a>
                </td>
                <td>
                  <Time at={trace.createdAt} seconds />
                </td>
                <td>{`${trace.requestedModel ?? '—'} → ${trace.targetModel ?? '—'}`}</td>
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

export const TracesPage: FC<{ traces: TraceSummary[]; nextCursor: string | null; query: Record<string, string | undefined>; range: string }> = ({ traces, nextCursor, query, range }) => (
  <Listing
    title="Traces"
    section="traces"
    range={range}
    query={query}
    nextCursor={nextCursor}
    labels={['Newest', 'Older']}
    filters={
      <>
        <TextFilter label="Model" name="model" query={query} />
        <TextFilter label="Status" name="status" query={query} placeholder="2xx, 4xx, 529…" />
        <TextFilter label="Error type" name="error_type" query={query} />
        <TextFilter label="Session" name="session" query={query} />
      </>
    }
  >
    <div class="scroll">
      <table>
        <thead>
          <tr>
            <th>Time</th>
            <th>Model</th>
            <th>Session</th>
            <th class="num">Duration</th>
            <th class="num">Tokens in / out</th>
            <th class="num">Cost</th>
            <th>Status</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((trace) => (
            <tr>
              <td>
                <a href={`/ui/traces/${trace.id}`}>
                  <Time at={trace.createdAt} seconds />
                </a>
              </td>
              <td>{`${trace.requestedModel ?? '—'} → ${trace.targetModel ?? '—'}`}</td>
              <td>{trace.sessionId ? <SessionLink id={trace.sessionId} /> : '—'}</td>
              <td class="num">{ms(trace.durationMs)}</td>
              <td class="num">{`${tokens((trace.inputTokens ?? 0) + (trace.cacheReadInputTokens ?? 0))} / ${tokens(trace.outputTokens)}`}</td>
              <td class="num">{usd(trace.costMicros)}</td>
              <td>
                <Status trace={trace} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {traces.length === 0 && <p class="muted">No traces match.</p>}
    </div>
  </Listing>
);

/** Raw bodies are shown pretty-printed up to this size; the API serves the rest. */
const RAW_LIMIT = 300_000;

const Raw: FC<{ label: string; value: unknown }> = ({ label, value }) => {
  if (value == null) return <></>;
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return (
    <details>
      <summary>{`${label} (${bytes(text.length)})`}</summary>
      <pre>{text.length > RAW_LIMIT ? `${text.slice(0, RAW_LIMIT)}\n… ${text.length - RAW_LIMIT} more characters: GET /api/traces/<id> has it all` : text}</pre>
    </details>
  );
};

export interface TracePageProps {
  trace: Trace;
  request: unknown;
  upstreamRequest: unknown;
  response: unknown;
  from: number;
  neighbours: { turn: number; turns: number; previous: string | null; next: string | null } | null;
  fullHistory: boolean;
}

export const TracePage: FC<TracePageProps> = ({ trace, request, upstreamRequest, response, from, neighbours, fullHistory }) => (
  <Layout title={`Trace ${trace.id}`} section="traces">
    <h1>
      {`${trace.requestedModel ?? 'request'} → ${trace.targetModel ?? '—'}`} <span class="muted">{trace.id}</span>
    </h1>
    {trace.sessionId && neighbours && (
      <p>
        {'Turn '}
        <strong>{`${neighbours.turn} of ${neighbours.turns}`}</strong>
        {' in session '}
        <SessionLink id={trace.sessionId} />
        {neighbours.previous && (
          <>
            {' · '}
            <a href={`/ui/traces/${neighbours.previous}`} rel="prev">
              ← previous turn
            </a>
          </>
        )}
        {neighbours.next && (
          <>
            {' · '}
            <a href={`/ui/traces/${neighbours.next}`} rel="next">
              next turn →
            </a>
          </>
        )}
      </p>
    )}
    <p>
      <Status trace={trace} /> {` · ${ms(trace.durationMs)} · ${tokens(trace.inputTokens)} in · ${tokens(trace.outputTokens)} out · ${usd(trace.costMicros)}`}
      {trace.stopReason && ` · ${trace.stopReason}`}
    </p>
    {trace.errorMessage && <p class="notice bad">{trace.errorMessage}</p>}
    <Conversation
      request={request}
      response={response}
      from={fullHistory ? 0 : from}
      fullHistoryHref={`/ui/traces/${trace.id}?history=full`}
    />
    <h2>Details</h2>
    <dl class="kv">
      <dt>When</dt>
      <dd>
        <Time at={trace.createdAt} seconds />
      </dd>
      <dt>Route</dt>
      <dd>{`${trace.provider ?? '—'} · ${trace.targetUrl ?? '—'}`}</dd>
      <dt>Stream</dt>
      <dd>{trace.stream ? 'yes' : 'no'}</dd>
      <dt>Ended</dt>
      <dd>{trace.endReason ?? '—'}</dd>
      <dt>Timing</dt>
      <dd>{`first byte ${ms(trace.ttftMs)}, total ${ms(trace.durationMs)}`}</dd>
      <dt>Tokens</dt>
      <dd>{`${tokens(trace.inputTokens)} in, ${tokens(trace.cacheReadInputTokens)} cache read, ${tokens(trace.cacheCreationInputTokens)} cache write, ${tokens(trace.outputTokens)} out`}</dd>
      <dt>Cost</dt>
      <dd>{usd(trace.costMicros)}</dd>
      <dt>Sizes</dt>
      <dd>{`request ${bytes(trace.requestBytes)}${trace.requestBodyTruncated ? ' (stored cut)' : ''}, response ${bytes(trace.responseBytes)}${trace.responseBodyTruncated ? ' (stored cut)' : ''}`}</dd>
      {trace.apiKeyName && (
        <>
          <dt>Key</dt>
          <dd>{trace.apiKeyName}</dd>
        </>
      )}
      <dt>Client</dt>
      <dd>{`${trace.userAgent ?? '—'} · ${trace.clientIp ?? '—'}`}</dd>
    </dl>
    {trace.attempts && trace.attempts.length > 0 && (
      <>
        <h2>Attempts</h2>
        <div class="scroll">
          <table>
            <thead>
              <tr>
                <th>Target</th>
                <th>URL</th>
                <th class="num">Status</th>
                <th class="num">Time</th>
                <th>Error</th>
              </tr>
            </thead>
            <tbody>
              {trace.attempts.map((attempt) => (
                <tr>
                  <td>{`${attempt.target} (${attempt.provider})`}</td>
                  <td>{attempt.url}</td>
                  <td class="num">{attempt.status === null ? '—' : String(attempt.status)}</td>
                  <td class="num">{ms(attempt.ms)}</td>
                  <td>{attempt.error ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </>
    )}
    {trace.requestHeaders && (
      <details>
        <summary>Request headers (credentials redacted)</summary>
        <table>
          <tbody>
            {Object.entries(trace.requestHeaders).map(([name, value]) => (
              <tr>
                <th>{name}</th>
                <td>{value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    )}
    <h2>Raw</h2>
    <Raw label="Request" value={request} />
    <Raw label="Translated upstream request" value={upstreamRequest} />
    <Raw label="Response" value={response} />
  </Layout>
);

export const LoginPage: FC<{ error?: string; next?: string; closed?: boolean }> = ({ error, next, closed }) => (
  <Layout title="Sign in">
    <div class="login card">
      <h1>claude-proxy</h1>
      {closed ? (
        <p class="notice">The trace viewer is closed: set the ADMIN_TOKEN secret to open it.</p>
      ) : (
        <form method="post" action="/ui/login">
          <label for="token">Admin token</label>
          <input id="token" name="token" type="password" autocomplete="current-password" required autofocus />
          {next && <input type="hidden" name="next" value={next} />}
          {error && (
            <p class="bad" role="alert">
              {error}
            </p>
          )}
          <button type="submit">Sign in</button>
        </form>
      )}
    </div>
  </Layout>
);
