// The scripted side of a Claude Code tool session in Anthropic's format (for the Bedrock and
// Vertex smoke scenarios): the "model" asks Claude Code to Read notes.txt, then to run `wc -c`
// on it with Bash, then answers with both results. Side queries (titles, classifiers: requests
// without the Read tool) get a short text.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runClaude } from './smoke/lib.mjs';

function resultText(block) {
  if (typeof block.content === 'string') return block.content;
  return (block.content ?? []).map((part) => part.text ?? '').join('');
}

export function toolSession(workspace) {
  const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
  const notes = `The secret word is ${secret}.\n`;
  writeFileSync(join(workspace, 'notes.txt'), notes);
  const seen = [];
  const reply = (body, { stream, modelId }) => {
    const tools = (body.tools ?? []).map((tool) => tool.name);
    const results = body.messages
      .flatMap((message) => (Array.isArray(message.content) ? message.content.filter((block) => block.type === 'tool_result') : []))
      .map(resultText);
    let answer;
    if (!tools.includes('Read')) answer = { text: 'Proxy smoke session' };
    else if (results.length === 0) answer = { tool: { name: 'Read', input: { file_path: join(workspace, 'notes.txt') } } };
    else if (results.length === 1) answer = { tool: { name: 'Bash', input: { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' } } };
    else {
      const word = /proxy-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
      const count = /\d+/.exec(results[1])?.[0] ?? 'missing';
      answer = { text: `RESULT word=${word} bytes=${count}` };
    }
    seen.push({ stream, model: modelId, tools: tools.length, messages: body.messages.length, decision: answer.tool?.name ?? 'text' });
    return answer;
  };
  return { reply, seen, expected: `RESULT word=${secret} bytes=${Buffer.byteLength(notes)}` };
}

/** Runs the session with Claude Code through the worker, with the proxy key `smoke-proxy-key`. */
export async function runSession(worker, workspace) {
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
  return run;
}

/** The session's traces, printed with what Claude Code itself sent (before the proxy shaped it) and the platform's request ids. */
export async function sessionTraces(worker, platform) {
  const traces = await worker.query(
    "SELECT path, requested_model, target_model, status, stop_reason, end_reason, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_micros, attempts, (SELECT json FROM body_pieces WHERE hash = request_frame) AS frame FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
  );
  if (traces[0]?.frame) {
    // The request's frame piece: its stable headers and top-level fields (README, "How bodies are stored").
    const frame = JSON.parse(traces[0].frame);
    console.log(`Claude Code sent: fields=${Object.keys(frame.body).join(',')} betas=${frame.headers['anthropic-beta'] ?? ''}`);
  }
  console.log(`traces in D1: ${traces.length}`);
  for (const row of traces) {
    console.log(
      `  ${row.path} ${row.requested_model}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} out=${row.output_tokens} cache_read=${row.cache_read_input_tokens} cache_write=${row.cache_creation_input_tokens} cost_micros=${row.cost_micros} ${platform}_request_id=${JSON.parse(row.attempts ?? '[]')[0]?.requestId}`,
    );
  }
  return traces;
}

/** The checks both platform scenarios make of the session, its calls and its traces. */
export function sessionChecks({ run, session, calls, traces, platform }) {
  const answered = traces.filter((row) => row.path === '/v1/messages');
  const requestIds = new Set(calls.map((call) => call.requestId));
  return [
    [run.status === 0, 'claude exited 0'],
    [run.result.includes(session.expected), `the final answer carries both tool results (${session.expected})`],
    [session.seen.some((turn) => turn.decision === 'Read') && session.seen.some((turn) => turn.decision === 'Bash'), 'both tool calls were made'],
    [answered.length >= session.seen.length, 'every upstream call is traced'],
    [answered.every((row) => row.status === 200 && row.end_reason === 'complete'), 'every traced request succeeded'],
    [answered.every((row) => requestIds.has(JSON.parse(row.attempts)[0].requestId)), `every trace holds ${platform}'s request id`],
    [
      answered.every((row) => row.cost_micros > 0 && row.cache_read_input_tokens > 0 && row.cache_creation_input_tokens > 0),
      'every trace has usage with cache reads and writes, and a cost',
    ],
  ];
}

/** What the scripted model decided, turn by turn. */
export function printTurns(session) {
  console.log('what the scripted model answered:');
  for (const turn of session.seen) console.log(`  stream=${turn.stream} model=${turn.model} tools=${turn.tools} messages=${turn.messages} → ${turn.decision}`);
}
