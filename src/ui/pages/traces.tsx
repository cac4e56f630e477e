import type { FC } from 'hono/jsx';
import type { TraceSummary } from '../../storage/queries';
import { Listing, SessionLink, Status, TextFilter } from '../components';
import { ms, tokens, usd } from '../format';
import { Time } from '../layout';

export const TracesPage: FC<{ traces: TraceSummary[]; nextCursor: string | null; query: Record<string, string | undefined>; range: string }> = ({
  traces,
  nextCursor,
  query,
  range,
}) => (
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
              <td>{trace.sessionId ? <SessionLink id={trace.sessionId} keyName={trace.apiKeyName} /> : '—'}</td>
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
