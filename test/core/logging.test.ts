/// <reference types="vite/client" />
import { afterEach, describe, expect, it, vi } from 'vitest';
import wranglerConfig from '../../wrangler.jsonc?raw';
import { jsonResponse, messageRequest, messageResponse } from '../fixtures/anthropic';
import { post, scriptUpstream, traceOf } from '../helpers/worker';

let upstream: ReturnType<typeof scriptUpstream> | undefined;
afterEach(() => {
  upstream?.restore();
  vi.restoreAllMocks();
});

const sources = import.meta.glob('../../src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

describe('logs', () => {
  it('each request writes one JSON line carrying the trace id the client got in x-trace-id, and no secret', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: unknown) => void lines.push(String(line)));
    const key = 'team-proxy-key-logging-0001';
    const sent = await post(
      '/v1/messages',
      { ...messageRequest, metadata: { user_id: 'session_4f1e' } },
      { 'x-api-key': key },
      {
        LOG_REQUESTS: undefined,
        ROUTES: [{ match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'ANTHROPIC_API_KEY', retries: 0 }],
        ANTHROPIC_API_KEY: 'sk-ant-server-key-logging-0001',
        PROXY_API_KEYS: `team:${key}`,
      },
    );
    const row = await traceOf(sent);
    const requestLines = lines.map((line) => JSON.parse(line)).filter((entry) => entry.event === 'request');
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 'info',
      event: 'request',
      trace_id: sent.traceId,
      method: 'POST',
      path: '/v1/messages',
      status: 200,
      requested_model: 'claude-sonnet-4-6',
      route_name: 'ROUTES[0]',
      api_key_name: 'team',
      output_tokens: 6,
      cost_micros: row.costMicros,
      duration_ms: row.durationMs,
      stored: true,
    });
    for (const secret of [key, 'sk-ant-server-key-logging-0001']) expect(lines.join('\n')).not.toContain(secret);
  });

  it('LOG_REQUESTS=off writes no request line', async () => {
    upstream = scriptUpstream(() => jsonResponse(messageResponse));
    const logged = vi.spyOn(console, 'log').mockImplementation(() => {});
    await traceOf(await post('/v1/messages', messageRequest, { 'x-api-key': 'sk-ant-client-key-logging' }, { LOG_REQUESTS: 'off' }));
    expect(logged).not.toHaveBeenCalled();
  });

  it('all logging goes through src/core/log.ts (so every line is JSON with trace_id)', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(30);
    const offenders = Object.entries(sources)
      .filter(([path, text]) => !path.endsWith('src/core/log.ts') && /\bconsole\.\w+\(/.test(text))
      .map(([path]) => path);
    expect(offenders).toEqual([]);
  });

  it('wrangler.jsonc turns on Workers Logs with invocation logs and an explicit head sampling rate', () => {
    const config = JSON.parse(wranglerConfig.replace(/^\s*\/\/.*$/gm, ''));
    expect(config.observability).toEqual({ enabled: true, head_sampling_rate: 1, logs: { enabled: true, invocation_logs: true } });
  });
});
