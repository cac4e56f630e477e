// Claude Code through the worker to a scripted OpenAI-compatible "model": it asks Claude Code to
// Read a file, then to run `wc -c` on it with Bash, then answers with both results. Passes when
// Claude Code prints that answer (both tools really ran and their results made the round trip)
// and every request Claude Code sent is traced in D1.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'openai-tools';

/** A Chat Completions stream chunk. */
export const chunk = (delta, finish_reason = null) => ({
  id: 'chatcmpl-smoke',
  object: 'chat.completion.chunk',
  model: 'scripted',
  choices: [{ index: 0, delta, finish_reason }],
});

/** A streamed Chat Completions answer: one tool call, or text; then the usage chunk. */
export function chatStreamChunks(decision, callId, promptTokens) {
  const chunks = decision.tool
    ? [
        chunk({ role: 'assistant', content: '' }),
        chunk({ tool_calls: [{ index: 0, id: callId, type: 'function', function: { name: decision.tool.name, arguments: '' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: JSON.stringify(decision.tool.args) } }] }),
        chunk({}, 'tool_calls'),
      ]
    : [chunk({ role: 'assistant', content: '' }), chunk({ content: decision.text }), chunk({}, 'stop')];
  chunks.push({ id: 'chatcmpl-smoke', object: 'chat.completion.chunk', choices: [], usage: { prompt_tokens: promptTokens, completion_tokens: 20 } });
  return chunks;
}

export async function run() {
  const workspace = scratch(name);
  const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(join(workspace, 'notes.txt'), `The secret word is ${secret}.\n`);

  const seen = [];
  const decide = (body) => {
    const toolNames = (body.tools ?? []).map((tool) => tool.function.name);
    const results = body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
    if (!toolNames.includes('Read')) return { text: 'Proxy smoke session' }; // side queries: titles, classifiers
    if (results.length === 0) return { tool: { name: 'Read', args: { file_path: join(workspace, 'notes.txt') } } };
    if (results.length === 1) return { tool: { name: 'Bash', args: { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' } } };
    const word = /proxy-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
    const count = /\d+/.exec(results[1])?.[0] ?? 'missing';
    return { text: `RESULT word=${word} bytes=${count}` };
  };
  const upstream = await startUpstream((_req, raw, res) => {
    const body = JSON.parse(raw);
    const decision = decide(body);
    seen.push({ stream: body.stream === true, tools: (body.tools ?? []).length, messages: body.messages.length, decision: decision.tool?.name ?? 'text' });
    if (!body.stream) {
      const message = decision.tool
        ? {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: `call_${seen.length}`, type: 'function', function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) } },
            ],
          }
        : { role: 'assistant', content: decision.text };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'c',
          choices: [{ index: 0, message, finish_reason: decision.tool ? 'tool_calls' : 'stop' }],
          usage: { prompt_tokens: 100, completion_tokens: 10 },
        }),
      );
      return;
    }
    const chunks = chatStreamChunks(decision, `call_${seen.length}`, 1000 + Math.round(raw.length / 4));
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([{ match: 'claude-*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'scripted-model', apiKey: 'UPSTREAM_KEY' }]),
    },
    secrets: { UPSTREAM_KEY: 'sk-smoke-upstream', PROXY_API_KEYS: 'smoke:smoke-proxy-key' },
  });
  try {
    const run = await runClaude(
      [
        '-p',
        'Read notes.txt, count its bytes with wc, and tell me the secret word and the count.',
        '--output-format',
        'json',
        '--allowedTools',
        'Read',
        'Bash(wc:*)',
        '--model',
        'claude-sonnet-4-6',
      ],
      { cwd: workspace, baseUrl: worker.url, env: { ANTHROPIC_API_KEY: 'smoke-proxy-key' } },
    );
    console.log(`claude exited ${run.status} after ${run.ms} ms${run.stderr ? `; stderr: ${run.stderr.slice(0, 2000)}` : ''}`);
    console.log(`claude said: ${run.result}`);
    console.log('requests the scripted model received:');
    for (const request of seen) console.log(`  stream=${request.stream} tools=${request.tools} messages=${request.messages} → ${request.decision}`);
    const traces = await worker.query(
      "SELECT path, requested_model, target_model, status, stop_reason, end_reason, input_tokens, output_tokens, session_id FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
    );
    console.log(`traces in D1: ${traces.length}`);
    for (const row of traces) {
      console.log(
        `  ${row.path} ${row.requested_model}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} out=${row.output_tokens} session=${row.session_id}`,
      );
    }
    const expected = `RESULT word=${secret} bytes=${Buffer.byteLength(`The secret word is ${secret}.\n`)}`;
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes(expected), `the final answer carries both tool results (${expected})`],
      [seen.some((request) => request.decision === 'Read') && seen.some((request) => request.decision === 'Bash'), 'both tool calls were made'],
      [traces.filter((row) => row.path === '/v1/messages').length >= seen.length, 'every upstream call is traced'],
      [traces.every((row) => row.status === 200), 'every traced request succeeded'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
