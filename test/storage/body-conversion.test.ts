import { createExecutionContext, createScheduledController, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { describe, expect, it } from 'vitest';
import worker from '../../src/index';
import { withoutStorageColumns } from '../../src/storage/body-read';
import { forgetConversations } from '../../src/storage/conversations';
import { forgetStoredPieces } from '../../src/storage/pieces';
import { getSession, getTrace } from '../../src/storage/queries';
import { traces } from '../../src/storage/schema';
import { claudeCodeRequests } from '../fixtures/claude-code';
import { sessionRecords } from '../helpers/records';
import { DAY, seedTraces } from '../helpers/seed';

const db = () => drizzle(env.DB);
const fixture = claudeCodeRequests[4] as unknown as { system: unknown; tools: unknown };

/** The five-minute cron, as the runtime runs it: alerts, and a batch of conversion. */
async function cron(now: number, overrides: Record<string, unknown> = {}) {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ scheduledTime: now, cron: '*/5 * * * *' }), { ...env, ...overrides } as never, ctx);
  await waitOnExecutionContext(ctx);
}

/** Every column a reader sees of a trace, bodies put back together. */
async function readable(id: string) {
  return withoutStorageColumns((await getTrace(db(), id, env.TEST_BODIES))!);
}

describe('traces stored before body format 1', () => {
  it('are converted in the background, a bounded batch per cron run, and every body reads back the same', async () => {
    const now = Date.now();
    const sessionId = `legacy-${crypto.randomUUID()}`;
    // Twelve turns of a session as the previous writer stored them: whole bodies, all headers.
    const turns = sessionRecords(fixture, { turns: 12, sessionId, startAt: now - 2 * DAY });
    const translated = turns.slice(0, 3).map((record) => {
      const request = JSON.parse(record.requestBody!) as { messages: unknown[]; system: { text: string }[]; tools: unknown[] };
      return JSON.stringify({
        model: 'gpt-5',
        messages: [{ role: 'system', content: request.system.map((b) => b.text).join('\n') }, ...request.messages],
        tools: request.tools,
      });
    });
    const headers = { 'content-type': 'application/json', 'user-agent': 'claude-cli/2.1.330', 'x-api-key': '[redacted]', 'content-length': '123' };
    const gzipped = await new Response(new Response(turns[2]!.requestBody).body!.pipeThrough(new CompressionStream('gzip'))).arrayBuffer();
    await env.TEST_BODIES.put('traces/legacy/r2/request.json.gz', gzipped);
    const rows = await seedTraces([
      ...turns.map((record, i) => ({
        at: record.createdAt.getTime(),
        sessionId,
        requestHeaders: headers,
        requestBody: record.requestBody,
        responseBody: record.responseBody,
        upstreamRequestBody: translated[i] ?? null,
      })),
      // No session; a body that is not JSON; a body cut to fit; a body in R2.
      { at: now - DAY, requestHeaders: headers, requestBody: turns[1]!.requestBody, responseBody: turns[1]!.responseBody },
      { at: now - DAY, requestHeaders: headers, requestBody: 'not json {', status: 400 },
      { at: now - DAY, requestHeaders: headers, requestBody: turns[5]!.requestBody!.slice(0, 5000), requestBodyTruncated: true },
      { at: now - DAY, requestHeaders: headers, requestBody: null, requestBodyR2Key: 'traces/legacy/r2/request.json.gz' },
    ]);
    const before = new Map<string, unknown>();
    for (const row of rows) before.set(row.id, await readable(row.id));
    const sessionBefore = await getSession(db(), sessionId, { bodies: true, bucket: env.TEST_BODIES });
    const bytes = async () =>
      (await env.DB.prepare(
        'SELECT SUM(IFNULL(LENGTH(request_body), 0) + IFNULL(LENGTH(upstream_request_body), 0) + IFNULL(LENGTH(new_messages), 0) + IFNULL(LENGTH(upstream_new_messages), 0)) AS n FROM traces',
      ).first<{ n: number }>())!.n;
    const bytesBefore = await bytes();

    // A fresh isolate runs each cron: conversion finds histories in D1, not in memory.
    let runs = 0;
    while ((await db().select({ id: traces.id }).from(traces).where(isNull(traces.bodyFormat))).length > 0) {
      forgetConversations();
      forgetStoredPieces();
      await cron(now + runs * 300_000, { BODIES_BUCKET: env.TEST_BODIES });
      runs++;
      expect(runs).toBeLessThan(10);
    }
    expect(runs).toBe(Math.ceil(rows.length / 10));

    for (const row of rows) expect(await readable(row.id), row.id).toEqual(before.get(row.id));
    const readers = (found: Awaited<ReturnType<typeof getSession>>) => ({ ...found, traces: found!.traces.map((trace) => withoutStorageColumns(trace)) });
    expect(readers(await getSession(db(), sessionId, { bodies: true, bucket: env.TEST_BODIES }))).toEqual(readers(sessionBefore));
    const stored = await db().select().from(traces).orderBy(traces.id);
    const session = stored.filter((row) => row.sessionId === sessionId);
    expect(session.every((row) => row.bodyFormat === 1 && row.requestBody === null && row.requestFrame !== null)).toBe(true);
    expect(session.slice(1).every((row, i) => row.historyTraceId === session[i]!.id)).toBe(true);
    // The ones with nothing to split stay whole.
    const [notJson, cut, inR2] = stored.slice(-3);
    expect(notJson!.requestBody).toBe('not json {');
    expect(cut!.requestBodyTruncated).toBe(true);
    expect(inR2!.requestBodyR2Key).toBe('traces/legacy/r2/request.json.gz');
    expect(await bytes()).toBeLessThan(bytesBefore / 5);
  });
});
