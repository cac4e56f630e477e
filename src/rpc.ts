import { WorkerEntrypoint } from 'cloudflare:workers';
import { withParsedBodies } from './api/json';
import { type RangeQuery, resolveRangeQuery, resolveSessionQuery, resolveTraceQuery, type SessionQuery, type TraceQuery } from './api/query';
import { type Bindings, loadConfig } from './config';
import { checkHealth } from './health';
import { type FullTrace, getSession, getTrace, listSessions, listTraces, stats } from './storage/queries';

/**
 * Read access to the traces for other Workers, over a service binding: the same queries as
 * /api, with typed arguments and results (camelCase fields, Date times, bodies parsed).
 * A service binding is its own authorisation: only Workers of this account that declare one can
 * call it, so no ADMIN_TOKEN is asked for. Bad arguments throw, with the /api error message.
 *
 * A consumer's wrangler.jsonc:
 *   "services": [{ "binding": "CLAUDE_PROXY", "service": "claude-proxy", "entrypoint": "ClaudeProxyRpc" }]
 */
export class ClaudeProxyRpc extends WorkerEntrypoint<Bindings> {
  /** Traces newest first, without bodies; the filters of /api/traces. Page on with `cursor: nextCursor`. */
  async listTraces(query: TraceQuery = {}) {
    const result = await listTraces(loadConfig(this.env).db, resolveTraceQuery(query, Date.now()));
    return { ...result, hasMore: result.nextCursor !== null };
  }

  /** One trace with everything, bodies parsed (fetched back from R2 if they were moved there); null if unknown. */
  async getTrace(id: string) {
    const trace = await getTrace(loadConfig(this.env).db, id, loadConfig(this.env).trace.store?.bucket);
    return trace ? withParsedBodies(trace) : null;
  }

  /** Sessions with activity in the range, most recent (or most expensive, `sort: 'cost'`) first. */
  async listSessions(query: SessionQuery = {}) {
    const result = await listSessions(loadConfig(this.env).db, resolveSessionQuery(query, Date.now()));
    return { ...result, hasMore: result.nextCursor !== null };
  }

  /** A session's totals, its traces in order (with `bodies: true` each carries its bodies) and their subagent tree. Null if unknown. */
  async getSession(id: string, options: { bodies?: boolean; key?: string | null } = {}) {
    const found = await getSession(loadConfig(this.env).db, id, { bodies: options.bodies, bucket: loadConfig(this.env).trace.store?.bucket, key: options.key });
    if (!found) return null;
    return {
      session: found.session,
      traces: options.bodies ? found.traces.map((trace) => withParsedBodies(trace as FullTrace)) : found.traces,
      tree: found.tree,
    };
  }

  /** Requests, errors, latency percentiles, tokens and cost per model and per day; the last 24 h by default. */
  async stats(query: RangeQuery = {}) {
    return stats(loadConfig(this.env).db, resolveRangeQuery(query, Date.now(), { range: '24h' }));
  }

  /** The same report as GET /health. */
  async health() {
    return checkHealth(loadConfig(this.env));
  }
}
