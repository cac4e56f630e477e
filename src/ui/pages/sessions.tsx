import type { FC } from 'hono/jsx';
import type { SessionSummary } from '../../storage/queries';
import { Listing, SessionTable, TextFilter } from '../components';

export const SessionsPage: FC<{ sessions: SessionSummary[]; nextCursor: string | null; query: Record<string, string | undefined>; range: string }> = ({
  sessions,
  nextCursor,
  query,
  range,
}) => (
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
