import { env } from 'cloudflare:workers';
import { drizzle } from 'drizzle-orm/d1';
/**
 * Claude Code's subagents: their requests carry `x-claude-code-agent-id` (and, for a subagent's
 * own subagents, `x-claude-code-parent-agent-id`); traces record both, the session API returns
 * the tree, and the session page nests each subagent's turns under the turn that started it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionTree } from '../../src/storage/queries';
import { issueSession } from '../../src/ui/session-cookie';
import { completion, openaiRoute, proxyAuth } from '../fixtures/openai';
import { post, scriptUpstream, send, traceOf } from '../helpers/worker';

const ADMIN_TOKEN = 'admin-token-for-agent-tests-00042';
const SESSION = 'agents-session-1';
const ids: Record<string, string> = {};
let upstream: ReturnType<typeof scriptUpstream>;

/** One request of the session, from the main conversation or an agent; returns its trace id. */
async function turn(name: string, agent?: string, parent?: string) {
  const headers: Record<string, string> = { ...proxyAuth, 'x-claude-code-session-id': SESSION };
  if (agent) headers['x-claude-code-agent-id'] = agent;
  if (parent) headers['x-claude-code-parent-agent-id'] = parent;
  const sent = await post('/v1/messages', { model: 'claude-sonnet-4-6', max_tokens: 50, messages: [{ role: 'user', content: name }] }, headers, openaiRoute());
  const row = await traceOf(sent);
  ids[name] = row.id;
  return row;
}

beforeAll(async () => {
  upstream = scriptUpstream(() => new Response(JSON.stringify(completion({ content: 'ok' })), { headers: { 'content-type': 'application/json' } }));
  // main 1 calls Task → agent A runs two turns, starting its own agent B → main 2 reads A's result; then agent C.
  const first = await turn('main-1');
  expect(first).toMatchObject({ agentId: null, parentAgentId: null });
  const a1 = await turn('a-1', 'agent-a');
  expect(a1).toMatchObject({ agentId: 'agent-a', parentAgentId: null });
  await turn('b-1', 'agent-b', 'agent-a');
  await turn('a-2', 'agent-a');
  await turn('main-2');
  await turn('c-1', 'agent-c');
});

afterAll(() => upstream.restore());

describe('subagents', () => {
  it('/api/sessions/:id returns the traces with their agent ids, and the tree', async () => {
    const { response } = await send(`/api/sessions/${SESSION}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } }, { ADMIN_TOKEN });
    const body = (await response.json()) as { traces: { id: string; agent_id: string | null; parent_agent_id: string | null }[]; tree: unknown };
    expect(body.traces.map((trace) => [trace.agent_id, trace.parent_agent_id])).toEqual([
      [null, null],
      ['agent-a', null],
      ['agent-b', 'agent-a'],
      ['agent-a', null],
      [null, null],
      ['agent-c', null],
    ]);
    expect(body.tree).toEqual([
      {
        trace_id: ids['main-1'],
        agent_id: null,
        subagents: [
          {
            agent_id: 'agent-a',
            parent_agent_id: null,
            turns: [
              {
                trace_id: ids['a-1'],
                agent_id: 'agent-a',
                subagents: [{ agent_id: 'agent-b', parent_agent_id: 'agent-a', turns: [{ trace_id: ids['b-1'], agent_id: 'agent-b', subagents: [] }] }],
              },
              { trace_id: ids['a-2'], agent_id: 'agent-a', subagents: [] },
            ],
          },
        ],
      },
      {
        trace_id: ids['main-2'],
        agent_id: null,
        subagents: [{ agent_id: 'agent-c', parent_agent_id: null, turns: [{ trace_id: ids['c-1'], agent_id: 'agent-c', subagents: [] }] }],
      },
    ]);
  });

  it('the session page nests each subagent under the turn that started it', async () => {
    const cookie = `cp_ui=${await issueSession(drizzle(env.DB), ADMIN_TOKEN)}`;
    const { response } = await send(`/ui/sessions/${SESSION}`, { headers: { cookie } }, { ADMIN_TOKEN });
    const html = await response.text();
    const order = ['main-1', 'a-1', 'b-1', 'a-2', 'main-2', 'c-1'].map((name) => html.indexOf(`/ui/traces/${ids[name]}`));
    expect(order.every((at) => at > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    expect(html).toContain('subagent agent-a');
    expect(html).toContain('subagent agent-b');
    expect(html.match(/class="num depth-2"/g)).toHaveLength(1); // agent-b, two levels down
    expect(html.match(/class="num depth-1"/g)).toHaveLength(3); // a-1, a-2, c-1
  });

  it('hangs an agent whose parent has no earlier turn under the latest turn, or at the top', () => {
    expect(
      sessionTree([
        { id: '1', agentId: 'x', parentAgentId: 'gone' },
        { id: '2', agentId: null, parentAgentId: null },
        { id: '3', agentId: 'y', parentAgentId: 'gone' },
        { id: '4', agentId: 'x', parentAgentId: 'gone' },
      ]),
    ).toEqual([
      { traceId: '1', agentId: 'x', subagents: [] },
      { traceId: '2', agentId: null, subagents: [{ agentId: 'y', parentAgentId: 'gone', turns: [{ traceId: '3', agentId: 'y', subagents: [] }] }] },
      { traceId: '4', agentId: 'x', subagents: [] },
    ]);
  });
});
