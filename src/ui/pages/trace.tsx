import type { FC } from 'hono/jsx';
import type { Trace } from '../../storage/schema';
import { SessionLink, Status } from '../components';
import { isJsonText, jsonDepth, MAX_INDENT_LEVEL, prettyJsonText } from '../../core/json';
import { Conversation } from '../conversation';
import { bytes, ms, tokens, usd } from '../format';
import { Layout, Time, withQuery } from '../layout';

/** Raw bodies are shown pretty-printed up to this size; the API serves the rest. */
const RAW_LIMIT = 300_000;

/** A body exactly as stored: re-indented when it is JSON of a readable depth (in one pass), as stored otherwise. */
const Raw: FC<{ label: string; text: string | null | undefined; truncated: boolean }> = ({ label, text, truncated }) => {
  if (text == null) return null;
  const shown = truncated || jsonDepth(text) > MAX_INDENT_LEVEL || !isJsonText(text) ? text : prettyJsonText(text);
  return (
    <details>
      <summary>{`${label} (${bytes(text.length)}${truncated ? ', stored cut' : ''})`}</summary>
      <pre>
        {shown.length > RAW_LIMIT ? `${shown.slice(0, RAW_LIMIT)}\n… ${shown.length - RAW_LIMIT} more characters: GET /api/traces/<id> has it all` : shown}
      </pre>
    </details>
  );
};

export interface TracePageProps {
  trace: Trace;
  /** The request and the answer, parsed for drawing (null or text when they cannot be). */
  request: unknown;
  response: unknown;
  from: number;
  neighbours: { turn: number; turns: number; previous: string | null; next: string | null } | null;
  fullHistory: boolean;
}

export const TracePage: FC<TracePageProps> = ({ trace, request, response, from, neighbours, fullHistory }) => (
  <Layout title={`Trace ${trace.id}`} section="traces">
    <h1>
      {`${trace.requestedModel ?? 'request'} → ${trace.targetModel ?? '—'}`} <span class="muted">{trace.id}</span>
    </h1>
    {trace.sessionId && neighbours && (
      <p>
        {'Turn '}
        <strong>{`${neighbours.turn} of ${neighbours.turns}`}</strong>
        {' in session '}
        <SessionLink id={trace.sessionId} keyName={trace.apiKeyName} />
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
    <Conversation request={request} response={response} from={fullHistory ? 0 : from} fullHistoryHref={`/ui/traces/${trace.id}?history=full`} />
    <h2>Details</h2>
    <dl class="kv">
      <dt>When</dt>
      <dd>
        <Time at={trace.createdAt} seconds />
      </dd>
      <dt>Route</dt>
      <dd>
        {trace.routeName ? <a href={withQuery('/ui/traces', { route: trace.routeName })}>{trace.routeName}</a> : '—'}
        {trace.routeReason && <span class="muted">{` (${trace.routeReason})`}</span>}
      </dd>
      <dt>Target</dt>
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
                <th>Key</th>
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
                  <td>{attempt.key ?? ''}</td>
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
    <Raw label="Request" text={trace.requestBody} truncated={trace.requestBodyTruncated} />
    <Raw label="Translated upstream request" text={trace.upstreamRequestBody} truncated={trace.upstreamRequestBodyTruncated} />
    <Raw label="Response" text={trace.responseBody} truncated={trace.responseBodyTruncated} />
  </Layout>
);
