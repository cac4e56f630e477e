// Claude Code through the worker's default passthrough route to a scripted Anthropic Messages
// API on loopback: the model reads a file, runs `wc -c`, repeats for CAPTURE_TURNS tool turns
// (default 2), then answers. With CAPTURE_FIXTURES=<dir>, every request body the upstream
// receives is written there (`<n>.json`), to test with real Claude Code traffic.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'anthropic-tools';

const sse = (events) => events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');

/** An Anthropic stream answering with one tool call, or with text. */
export function anthropicStream(id, decision, inputTokens) {
  const start = {
    type: 'message_start',
    message: {
      id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-6',
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: inputTokens, output_tokens: 1 },
    },
  };
  const block = decision.tool
    ? [
        { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: `toolu_${id}`, name: decision.tool.name, input: {} } },
        { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(decision.tool.args) } },
      ]
    : [
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: decision.text } },
      ];
  return sse([
    start,
    ...block,
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: decision.tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 25 } },
    { type: 'message_stop' },
  ]);
}

export async function run() {
  const turns = Number(process.env.CAPTURE_TURNS ?? 2);
  const captureDir = process.env.CAPTURE_FIXTURES;
  if (captureDir) mkdirSync(captureDir, { recursive: true });
  const workspace = scratch(name);
  for (let i = 0; i < turns; i++) writeFileSync(join(workspace, `part-${i}.txt`), `Part ${i}: ${'lorem ipsum dolor sit amet '.repeat(20 + i)}\n`);

  const seen = [];
  const upstream = await startUpstream((req, raw, res) => {
    if (captureDir) writeFileSync(join(captureDir, `${String(seen.length).padStart(3, '0')}${req.url.includes('count_tokens') ? '-count' : ''}.json`), raw);
    const body = JSON.parse(raw);
    if (req.url.includes('count_tokens')) {
      seen.push({ count: true });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.round(raw.length / 4) }));
      return;
    }
    const tools = (body.tools ?? []).map((tool) => tool.name);
    const results = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result');
    let decision;
    if (!tools.includes('Read')) decision = { text: 'Proxy smoke session' };
    else if (results.length < 2 * turns) {
      const step = Math.floor(results.length / 2);
      decision =
        results.length % 2 === 0
          ? { tool: { name: 'Read', args: { file_path: join(workspace, `part-${step}.txt`) } } }
          : { tool: { name: 'Bash', args: { command: `wc -c part-${step}.txt`, description: `Count the bytes of part-${step}.txt` } } };
    } else decision = { text: `RESULT done after ${results.length} tool results` };
    seen.push({ decision: decision.tool?.name ?? 'text', messages: body.messages.length, bytes: raw.length });
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': `req_smoke_${seen.length}` });
    res.end(anthropicStream(`msg_smoke_${seen.length}`, decision, Math.round(raw.length / 4)));
  });
  const worker = await startWorker({
    vars: { ROUTES: JSON.stringify([{ match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' }]) },
  });
  try {
    const run = await runClaude(
      [
        '-p',
        `Read each part-N.txt file in turn (N from 0 to ${turns - 1}) and count its bytes with wc, one file at a time; then say RESULT.`,
        '--output-format',
        'json',
        '--allowedTools',
        'Read',
        'Bash(wc:*)',
        '--model',
        'claude-sonnet-4-6',
      ],
      { cwd: workspace, baseUrl: worker.url, env: { ANTHROPIC_API_KEY: 'sk-ant-api03-smoke-client-key-not-real' }, timeoutMs: 600_000 },
    );
    console.log(`claude exited ${run.status} after ${run.ms} ms${run.stderr ? `; stderr: ${run.stderr.slice(0, 2000)}` : ''}`);
    console.log(`claude said: ${run.result}`);
    for (const request of seen)
      console.log(`  ${request.count ? 'count_tokens' : `messages=${request.messages} bytes=${request.bytes} → ${request.decision}`}`);
    const traces = await worker.query("SELECT path, status, end_reason FROM traces WHERE path LIKE '/v1/messages%' ORDER BY id");
    if (captureDir) console.log(`captured ${seen.length} request bodies into ${captureDir}`);
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes('RESULT'), 'claude answered after the tool turns'],
      [
        seen.filter((r) => r.decision === 'Read').length === turns && seen.filter((r) => r.decision === 'Bash').length === turns,
        `${turns} Read and ${turns} Bash calls`,
      ],
      [traces.length === seen.length && traces.every((row) => row.status === 200 && row.end_reason === 'complete'), 'every request traced, complete'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
