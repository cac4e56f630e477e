// Claude Code's subagents through the worker: the scripted model (Chat Completions) has the main
// conversation start an Agent, the subagent runs `wc -c` with Bash and reports, and the main
// conversation answers with the report. Passes when the subagent's requests are traced with
// Claude Code's agent id (`agent_id`) and the main conversation's without one, and the session
// API nests the subagent's turns under the turn that started it.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chunk } from './openai-tools.mjs';
import { printRun, printTraces, report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'agents';

const TASK = 'Run wc -c notes.txt with Bash and report the byte count.';

export async function run() {
  const workspace = scratch(name);
  writeFileSync(join(workspace, 'notes.txt'), 'Counting bytes through a subagent.\n');

  const seen = [];
  const decide = (body) => {
    const toolNames = (body.tools ?? []).map((tool) => tool.function.name);
    const firstUser = body.messages.find((message) => message.role === 'user');
    const firstText = typeof firstUser?.content === 'string' ? firstUser.content : (firstUser?.content ?? []).map((part) => part.text ?? '').join(' ');
    const results = body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
    if (firstText.includes(TASK)) {
      // the subagent
      if (results.length === 0) return { who: 'subagent', tool: { name: 'Bash', args: { command: 'wc -c notes.txt', description: 'Count bytes' } } };
      return { who: 'subagent', text: `SUBAGENT bytes=${/\d+/.exec(results[0])?.[0] ?? 'missing'}` };
    }
    if (!toolNames.includes('Agent')) return { who: 'side', text: 'Proxy smoke session' };
    if (results.length === 0) {
      return {
        who: 'main',
        tool: { name: 'Agent', args: { description: 'Count the bytes', prompt: TASK, subagent_type: 'general-purpose', run_in_background: false } },
      };
    }
    return { who: 'main', text: `RESULT ${/SUBAGENT bytes=\d+/.exec(results.join(' '))?.[0] ?? 'missing'}` };
  };
  const upstream = await startUpstream((_req, raw, res) => {
    const body = JSON.parse(raw);
    const decision = decide(body);
    seen.push({ who: decision.who, decision: decision.tool?.name ?? 'text' });
    const chunks = decision.tool
      ? [
          chunk({
            role: 'assistant',
            tool_calls: [
              { index: 0, id: `call_${seen.length}`, type: 'function', function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) } },
            ],
          }),
          chunk({}, 'tool_calls'),
        ]
      : [chunk({ role: 'assistant', content: decision.text }), chunk({}, 'stop')];
    chunks.push({ id: 'c', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: 1000, completion_tokens: 20 } });
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const message = decision.tool
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: `call_${seen.length}`, type: 'function', function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) } },
            ],
          }
        : { role: 'assistant', content: decision.text };
      res.end(
        JSON.stringify({
          id: 'c',
          choices: [{ index: 0, message, finish_reason: decision.tool ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 1000, completion_tokens: 20 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  const adminToken = 'smoke-admin-token-0000000001';
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([{ match: 'claude-*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'scripted-model', apiKey: 'UPSTREAM_KEY' }]),
    },
    secrets: { UPSTREAM_KEY: 'sk-smoke-upstream', PROXY_API_KEYS: 'smoke:smoke-proxy-key', ADMIN_TOKEN: adminToken },
  });
  try {
    const run = await runClaude(
      [
        '-p',
        'Use a subagent to count the bytes of notes.txt, then tell me the count.',
        '--output-format',
        'json',
        '--allowedTools',
        'Agent',
        'Bash(wc:*)',
        '--model',
        'claude-sonnet-4-6',
      ],
      { cwd: workspace, baseUrl: worker.url, env: { ANTHROPIC_API_KEY: 'smoke-proxy-key' } },
    );
    printRun(run);
    console.log(`requests the scripted model received: ${seen.map((r) => `${r.who}→${r.decision}`).join(', ')}`);
    await printTraces(worker);
    const rows = await worker.query(
      "SELECT session_id, agent_id, parent_agent_id FROM traces WHERE api_key_name = 'smoke' AND path = '/v1/messages' ORDER BY id",
    );
    for (const row of rows) console.log(`  agent_id=${row.agent_id ?? '—'} parent_agent_id=${row.parent_agent_id ?? '—'}`);
    const session = rows.find((row) => row.session_id)?.session_id;
    const api = await fetch(`${worker.url}/api/sessions/${session}`, { headers: { authorization: `Bearer ${adminToken}` } }).then((response) =>
      response.json(),
    );
    console.log(`/api/sessions/:id tree: ${JSON.stringify(api.tree)}`);
    const subagentTurns = api.tree?.flatMap((turn) => turn.subagents.flatMap((agent) => agent.turns)) ?? [];
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [/RESULT SUBAGENT bytes=35/.test(run.result), 'the final answer carries the subagent’s report'],
      [rows.some((row) => row.agent_id) && rows.some((row) => !row.agent_id), 'subagent requests carry an agent_id, the main conversation’s none'],
      [
        subagentTurns.length === seen.filter((r) => r.who === 'subagent').length && subagentTurns.length >= 2,
        'the tree nests every subagent turn under the turn that started it',
      ],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
