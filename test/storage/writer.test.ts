import { env } from 'cloudflare:workers';
import { waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { allTraces, post, scriptUpstream } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.restoreAllMocks();
});

const CLIENT_KEY = 'sk-ant-writer-test-client-key-1';

/** env.DB, except that its first `failures` inserts throw. */
function flakyD1(failures: number) {
  let left = failures;
  return {
    prepare(sql: string) {
      if (left > 0 && /^insert/i.test(sql)) {
        left--;
        throw new Error('D1_ERROR: Network connection lost');
      }
      return env.DB.prepare(sql);
    },
    batch: (statements: D1PreparedStatement[]) => env.DB.batch(statements),
  };
}

describe('trace writer', () => {
  it('retries a failed D1 write once', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const sent = await post('/v1/messages', messageRequest, { 'x-api-key': CLIENT_KEY }, { DB: flakyD1(1) });
    expect(await sent.response.json()).toEqual(messageResponse);
    await waitOnExecutionContext(sent.ctx);
    expect((await allTraces()).some((row) => row.id === sent.traceId)).toBe(true);
    expect(logged).not.toHaveBeenCalled();
  });

  it('logs the trace as one bounded JSON line when the retry fails too, and the client never notices', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const lines: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: unknown) => void lines.push(String(line)));
    const huge = { ...messageRequest, messages: [{ role: 'user', content: `my key is ${CLIENT_KEY} ${'z'.repeat(500_000)}` }] };
    const sent = await post('/v1/messages', huge, { 'x-api-key': CLIENT_KEY }, { DB: flakyD1(2) });
    expect(sent.response.status).toBe(200);
    expect(await sent.response.json()).toEqual(messageResponse);
    await waitOnExecutionContext(sent.ctx);

    expect((await allTraces()).some((row) => row.id === sent.traceId)).toBe(false);
    expect(lines).toHaveLength(1);
    expect(lines[0]!.length).toBeLessThan(64 * 1024);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ level: 'error', event: 'trace_write_failed', trace_id: sent.traceId, error: 'D1_ERROR: Network connection lost' });
    expect(entry.trace).toMatchObject({ id: sent.traceId, status: 200, requestedModel: 'claude-sonnet-4-6', stopReason: 'end_turn', outputTokens: 6 });
    // The row's own columns: the turn's 500 KB message is a piece, named by its hash.
    expect(entry.trace.newMessages).toMatch(/^\["\\u0000piece:[\w-]{22}"\]$/);
    expect(lines[0]).not.toContain(CLIENT_KEY);
  });
});
