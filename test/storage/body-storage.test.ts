import { env } from 'cloudflare:workers';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { forgetConversations } from '../../src/storage/conversations';
import { persist } from '../../src/storage/persist';
import { forgetReadPieces, forgetStoredPieces } from '../../src/storage/pieces';
import { forgetAssembled } from '../../src/storage/body-read';
import { forgetRecentPieces } from '../../src/storage/body-store';
import { getSession, getTrace } from '../../src/storage/queries';
import { bodyPieces, traces } from '../../src/storage/schema';
import { claudeCodeRequests } from '../fixtures/claude-code';
import { answerMessage, completed, withCacheMarkers } from '../helpers/records';

/**
 * Body format 1 reads back exactly: over generated session histories, every request and
 * translated request read through getTrace (what /api, RPC and the viewer use) and through a
 * session export is the very text that was received or sent.
 */

const db = () => drizzle(env.DB);
const config = () => loadConfig(env as never);

type Json = Record<string, unknown>;
type Message = { role: string; content: string | Json[] };

// ---- a model of Claude Code sessions

const real = claudeCodeRequests[4]! as { system: Json[]; tools: Json[]; messages: Message[] };
/** System prompts: two sessions or a session and its subagents share them. */
const SYSTEMS = [real.system, [{ type: 'text', text: 'You are a file search specialist.', cache_control: { type: 'ephemeral' } }], real.system.slice(0, 2)];
const TOOLSETS = [
  real.tools,
  real.tools.slice(0, 5),
  [...real.tools.slice(2), { name: 'Extra', description: 'added mid-session', input_schema: { type: 'object' } }],
];

interface SessionState {
  id: string | null;
  system: number;
  tools: number;
  messages: Message[];
  translated: boolean;
  key: string | null;
  turn: number;
}

const step = fc.record({
  op: fc.constantFrom('turn', 'turn', 'turn', 'turn', 'compact', 'edit', 'clear', 'tools', 'retry', 'switch', 'forget', 'marker'),
  size: fc.constantFrom(10, 300, 2_000, 12_000),
  pick: fc.nat({ max: 1000 }),
  odd: fc.boolean(),
});

function text(size: number, seed: number, odd: boolean): string {
  const base = `line ${seed}: const value = compute(${seed}); // “quoted” ünïcödé 🚀\n`;
  const body = base.repeat(Math.ceil(size / base.length)).slice(0, size);
  // Strings that look like the storage's own references must survive as themselves.
  return odd ? `\u0000piece:${'A'.repeat(22)}${body}` : body;
}

/** A translation of the request, shaped like the OpenAI-compatible one (system as a message, tool calls with JSON arguments). */
function translate(request: Json): Json {
  const system = (request.system as Json[]).map((block) => block.text).join('\n');
  const messages: Json[] = [{ role: 'system', content: system }];
  for (const message of request.messages as Message[]) {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
      continue;
    }
    for (const block of message.content) {
      if (block.type === 'tool_result') messages.push({ role: 'tool', tool_call_id: block.tool_use_id, content: block.content });
      else if (block.type === 'tool_use')
        messages.push({
          role: 'assistant',
          content: null,
          tool_calls: [{ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } }],
        });
      else if (block.type === 'text')
        messages.push({
          role: message.role,
          content: [{ type: 'text', text: block.text, ...(block.cache_control ? { cache_control: block.cache_control } : {}) }],
        });
    }
  }
  const tools = (request.tools as Json[]).map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
  }));
  return { model: 'gpt-5', messages, tools, stream: true, stream_options: { include_usage: true } };
}

interface Sent {
  id: string;
  request: string;
  upstream: string | null;
  session: string | null;
  key: string | null;
}

async function runSession(steps: { op: string; size: number; pick: number; odd: boolean }[], sessions: SessionState[]): Promise<Sent[]> {
  forgetConversations();
  forgetStoredPieces();
  forgetRecentPieces();
  const sent: Sent[] = [];
  let current = sessions[0]!;
  for (const [i, s] of steps.entries()) {
    const state = current;
    switch (s.op) {
      case 'switch':
        current = sessions[s.pick % sessions.length]!;
        continue;
      case 'forget':
        forgetConversations();
        if (s.odd) forgetStoredPieces();
        continue;
      case 'compact':
        state.messages = [{ role: 'user', content: `Summary of the conversation so far: ${text(s.size, s.pick, false)}` }];
        break;
      case 'edit':
        if (state.messages.length > 1) state.messages[s.pick % (state.messages.length - 1)] = { role: 'user', content: text(s.size, s.pick + 1, s.odd) };
        break;
      case 'clear':
        state.messages = state.messages.map((message, m) =>
          m < state.messages.length - 2 && Array.isArray(message.content)
            ? {
                ...message,
                content: message.content
                  .map((block) => (block.type === 'tool_result' ? { ...block, content: '[cleared]' } : block))
                  .filter((block) => block.type !== 'thinking'),
              }
            : message,
        );
        break;
      case 'tools':
        state.tools = (state.tools + 1 + (s.pick % 2)) % TOOLSETS.length;
        break;
    }
    const request: Json = {
      model: 'claude-sonnet-4-6',
      messages: withCacheMarkers(state.messages, s.op === 'marker' && state.messages.length > 2 ? s.pick % (state.messages.length - 1) : null),
      system: SYSTEMS[state.system],
      tools: TOOLSETS[state.tools],
      metadata: { user_id: JSON.stringify({ session_id: state.id }) },
      max_tokens: 32000,
      stream: true,
    };
    const answer: Json[] = [
      ...(s.odd ? [{ type: 'thinking', thinking: `thinking ${i}`, signature: `sig${i}` }] : []),
      { type: 'text', text: `Reading file ${s.pick}.` },
      { type: 'tool_use', id: `toolu_${state.turn}_${i}`, name: 'Read', input: { file_path: `/src/file${s.pick}.ts`, limit: s.size } },
    ];
    const response = answerMessage(`msg_${i}`, answer);
    const requestText = JSON.stringify(request);
    const translation = state.translated ? translate(request) : null;
    const upstream = translation ? JSON.stringify(translation) : null;
    const record = completed({
      requestBody: requestText,
      upstreamRequestBody: upstream,
      // As the proxy records them: the values parsed on the way in and serialised on the way out (here, every other step).
      ...(i % 2 === 0 ? { requestJson: request, upstreamRequestJson: translation ?? undefined } : {}),
      responseBody: JSON.stringify(response),
      sessionId: state.id,
      apiKeyName: state.key,
    });
    await persist(config(), record);
    sent.push({ id: record.id, request: requestText, upstream, session: state.id, key: state.key });
    if (s.op !== 'retry') {
      state.messages = [
        ...state.messages,
        { role: 'assistant', content: answer },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${state.turn}_${i}`, content: text(s.size, s.pick, s.odd && s.size === 10) }] },
      ];
      state.turn++;
    }
  }
  return sent;
}

function newSessions(count: number, translated: boolean[]): SessionState[] {
  return Array.from({ length: count }, (_, n) => ({
    id: n === count - 1 ? null : `prop-${crypto.randomUUID()}`,
    system: n % SYSTEMS.length,
    tools: 0,
    messages: [{ role: 'user', content: [{ type: 'text', text: `Task ${n}: measure the files in src/` }] }],
    translated: translated[n % translated.length]!,
    key: n % 2 === 0 ? null : 'team',
    turn: 0,
  }));
}

async function expectExact(sent: Sent[]) {
  for (const one of sent) {
    const trace = await getTrace(db(), one.id);
    expect(trace, one.id).not.toBeNull();
    expect(trace!.requestBody).toBe(one.request);
    expect(trace!.upstreamRequestBody).toBe(one.upstream);
  }
  // The reads above remembered what they put together; the session export reads it all afresh.
  forgetAssembled();
  forgetReadPieces();
  for (const session of new Set(sent.map((one) => one.session))) {
    if (session === null) continue;
    const mine = sent.filter((one) => one.session === session);
    const found = await getSession(db(), session, { bodies: true, key: mine[0]!.key });
    const bodies = (found!.traces as { id: string; requestBody: string | null; upstreamRequestBody: string | null }[]).map((t) => [
      t.id,
      t.requestBody,
      t.upstreamRequestBody,
    ]);
    expect(bodies).toEqual(mine.map((one) => [one.id, one.request, one.upstream]));
  }
}

beforeEach(() => {
  forgetConversations();
  forgetStoredPieces();
});

describe('body format 1: exact over generated session histories', () => {
  it('growing conversations, moving markers, compaction, edits, cleared tool results, changing tools, shared system prompts, interleaved sessions, no session', async () => {
    const seen = { traces: 0, chained: 0, upstreamChained: 0, shared: 0, patched: 0, messagePieces: 0, escaped: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 18 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }), async (steps, translated) => {
        const sent = await runSession(steps, newSessions(3, translated));
        await expectExact(sent);
        for (const one of sent) {
          const row = (await db().select().from(traces).where(eq(traces.id, one.id)).get())!;
          seen.traces++;
          if (row.historyTraceId) seen.chained++;
          if (row.upstreamHistoryLength) seen.upstreamChained++;
          if (/\\u0000(ref|json):/.test(row.upstreamNewMessages ?? '')) seen.shared++;
          if (row.requestPatch) seen.patched++;
          if ((row.newMessages ?? '').includes('\\u0000piece:')) seen.messagePieces++;
          if ((row.newMessages ?? '').includes('\\u0000\\u0000piece:')) seen.escaped++;
        }
      }),
      { numRuns: 40 },
    );
    // The generated histories reached every path of the format, not only whole bodies.
    expect(seen.chained / seen.traces).toBeGreaterThan(0.3);
    for (const count of [seen.upstreamChained, seen.shared, seen.patched, seen.messagePieces, seen.escaped]) expect(count).toBeGreaterThan(0);
  }, 120_000);

  it('a new isolate (nothing remembered) finds the history in D1, by the session and the conversation hash', async () => {
    const [session] = newSessions(2, [true]);
    const steps = Array.from({ length: 6 }, (_, i) => [
      { op: 'turn', size: 300, pick: i, odd: false },
      { op: 'forget', size: 0, pick: 0, odd: true },
    ]).flat();
    const sent = await runSession(steps, [session!]);
    await expectExact(sent);
    const rows = await db().select().from(traces).where(eq(traces.sessionId, session!.id!)).orderBy(traces.id);
    expect(rows.map((row) => row.historyTraceId)).toEqual([null, ...rows.slice(0, -1).map((row) => row.id)]);
    expect(rows.slice(1).every((row) => row.upstreamHistoryLength! > 0)).toBe(true);
  });

  it('a 30-turn session stores each turn as its news: the history is named, not copied', async () => {
    const [session] = newSessions(2, [false]);
    const steps = Array.from({ length: 30 }, (_, i) => ({ op: 'turn', size: 2_000, pick: i, odd: false }));
    const sent = await runSession(steps, [session!]);
    await expectExact(sent);
    const rows = await db().select().from(traces).where(eq(traces.sessionId, session!.id!)).orderBy(traces.id);
    expect(rows).toHaveLength(30);
    rows.forEach((row, i) => {
      expect(row.requestBody).toBeNull();
      expect(row.bodyFormat).toBe(1);
      // Each turn continues the one before: its answer, then the tool's result, are all that is new.
      expect(row.historyTraceId).toBe(i === 0 ? null : rows[i - 1]!.id);
      if (i === 0) return;
      expect(row.historyLength).toBe(2 * i);
      expect(JSON.parse(row.newMessages!)).toHaveLength(1);
      expect(row.newMessages!.length).toBeLessThan(2_500);
    });
    // Studio's view of the session: its turns in order, each with what it added.
    const turns = await env.DB.prepare('SELECT turn, trace_id, history_trace_id, new_messages FROM session_turns WHERE session_id = ? ORDER BY turn')
      .bind(session!.id)
      .all();
    expect(turns.results).toEqual(
      rows.map((row, i) => ({ turn: i + 1, trace_id: row.id, history_trace_id: row.historyTraceId, new_messages: row.newMessages })),
    );
    // System prompt and tools are stored once, for all thirty.
    expect(new Set(rows.map((row) => row.requestFrame)).size).toBe(1);
    const pieces = await db().select({ kind: bodyPieces.kind }).from(bodyPieces).where(eq(bodyPieces.hash, rows[0]!.requestFrame!));
    expect(pieces).toEqual([{ kind: 'frame' }]);
  });
});
