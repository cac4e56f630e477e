// Claude Code through the worker to a scripted Gemini 3 on its OpenAI-compatible endpoint,
// thinking on: it reads a file, runs `wc -c` on it with Bash, then answers with both results.
// Like the real Gemini 3, the scripted model attaches a thought signature to each function call
// and answers 400 when a call in the history comes back without it (or with another one), and
// refuses tool schemas with keywords outside its subset.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';
import { chunk } from './openai-tools.mjs';

export const name = 'gemini3';

const PLACEHOLDER = 'skip_thought_signature_validator';
/** The JSON-schema keywords Gemini takes in function parameters. */
const GEMINI_KEYWORDS = new Set([
  'type',
  'format',
  'description',
  'nullable',
  'enum',
  'items',
  'properties',
  'required',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'anyOf',
  'default',
  'title',
]);

function unknownKeyword(schema) {
  if (Array.isArray(schema)) return schema.map(unknownKeyword).find(Boolean) ?? null;
  if (!schema || typeof schema !== 'object') return null;
  for (const [key, value] of Object.entries(schema)) {
    if (!GEMINI_KEYWORDS.has(key)) return key;
    const inner =
      key === 'properties' ? Object.values(value).map(unknownKeyword).find(Boolean) : key === 'items' || key === 'anyOf' ? unknownKeyword(value) : null;
    if (inner) return inner;
  }
  return null;
}

const geminiError = (message) => [{ error: { code: 400, message, status: 'INVALID_ARGUMENT' } }];

export async function run() {
  const workspace = scratch(name);
  const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(join(workspace, 'notes.txt'), `The secret word is ${secret}.\n`);

  const issued = new Map();
  let serial = 0;
  const sign = (id) => {
    const signature = Buffer.from(`gemini-3-thought/${id}/${++serial}/${'\u00ff'.repeat(40)}`, 'latin1').toString('base64');
    issued.set(id, signature);
    return signature;
  };
  /** What the real Gemini 3 refuses: a function call in the history without its signature, or unknown schema keywords. */
  const refusal = (body) => {
    for (const tool of body.tools ?? []) {
      const keyword = unknownKeyword(tool.function.parameters);
      if (keyword) return `Invalid JSON payload received. Unknown name "${keyword}" at 'tools[0].function_declarations[0].parameters': Cannot find field.`;
    }
    for (const message of body.messages) {
      const first = message.tool_calls?.[0];
      if (!first) continue;
      const signature = first.extra_content?.google?.thought_signature;
      if (signature !== PLACEHOLDER && signature !== issued.get(first.id))
        return `Function call is missing a thought_signature in functionCall parts. (call ${first.id})`;
    }
    return null;
  };

  const seen = [];
  const decide = (body) => {
    const toolNames = (body.tools ?? []).map((tool) => tool.function.name);
    const results = body.messages.filter((message) => message.role === 'tool').map((message) => message.content);
    if (!toolNames.includes('Read')) return { text: 'Proxy smoke session' };
    if (results.length === 0) return { tool: { name: 'Read', args: { file_path: join(workspace, 'notes.txt') } } };
    if (results.length === 1) return { tool: { name: 'Bash', args: { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' } } };
    const word = /proxy-smoke-\w+/.exec(results[0])?.[0] ?? 'missing';
    const count = /\d+/.exec(results[1])?.[0] ?? 'missing';
    return { text: `RESULT word=${word} bytes=${count}` };
  };
  const upstream = await startUpstream((req, raw, res) => {
    const body = JSON.parse(raw);
    const refused = refusal(body);
    const signed = body.messages.filter((message) => message.tool_calls).map((message) => message.tool_calls[0].extra_content?.google?.thought_signature);
    const record = {
      path: req.url,
      stream: body.stream === true,
      tools: (body.tools ?? []).length,
      reasoning: body.reasoning_effort ?? null,
      signatures: signed.map((signature) => (signature === PLACEHOLDER ? 'placeholder' : signature ? 'issued' : 'missing')),
      refused,
      decision: null,
    };
    seen.push(record);
    if (refused) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(geminiError(refused)));
      return;
    }
    const decision = decide(body);
    record.decision = decision.tool?.name ?? 'text';
    const id = `function-call-${seen.length}`;
    const call = decision.tool && {
      id,
      type: 'function',
      function: { name: decision.tool.name, arguments: JSON.stringify(decision.tool.args) },
      extra_content: { google: { thought_signature: sign(id) } },
    };
    const usage = { prompt_tokens: 1000 + Math.round(raw.length / 4), completion_tokens: 20, prompt_tokens_details: { cached_tokens: 600 } };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const message = call ? { role: 'assistant', content: null, tool_calls: [call] } : { role: 'assistant', content: decision.text };
      res.end(JSON.stringify({ id: 'g', choices: [{ index: 0, message, finish_reason: call ? 'tool_calls' : 'stop' }], usage }));
      return;
    }
    const chunks = call
      ? [chunk({ role: 'assistant', tool_calls: [{ index: 0, ...call }] }), chunk({}, 'tool_calls')]
      : [chunk({ role: 'assistant', content: decision.text }), chunk({}, 'stop')];
    chunks.push({ id: 'g', object: 'chat.completion.chunk', choices: [], usage });
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const item of chunks) res.write(`data: ${JSON.stringify(item)}\n\n`);
    res.end('data: [DONE]\n\n');
  });
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([
        {
          match: 'claude-*',
          provider: 'openai',
          baseUrl: `${upstream.url}/v1beta/openai`,
          compat: 'gemini',
          model: 'gemini-3-pro-preview',
          apiKey: 'UPSTREAM_KEY',
        },
      ]),
    },
    secrets: { UPSTREAM_KEY: 'AIzaSmokeUpstreamKey000000000000000000', PROXY_API_KEYS: 'smoke:smoke-proxy-key' },
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
    console.log('requests the scripted Gemini 3 received:');
    for (const r of seen) {
      console.log(
        `  ${r.path} stream=${r.stream} tools=${r.tools} reasoning_effort=${r.reasoning} signatures in history=[${r.signatures.join(',')}] → ${r.refused ? `400 ${r.refused}` : r.decision}`,
      );
    }
    const traces = await worker.query(
      "SELECT path, provider, target_model, status, stop_reason, end_reason, input_tokens, cache_read_input_tokens, output_tokens FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
    );
    console.log(`traces in D1: ${traces.length}`);
    for (const row of traces) {
      console.log(
        `  ${row.path} ${row.provider}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} cache_read=${row.cache_read_input_tokens} out=${row.output_tokens}`,
      );
    }
    const main = seen.filter((r) => r.tools > 1);
    const expected = `RESULT word=${secret} bytes=${Buffer.byteLength(`The secret word is ${secret}.\n`)}`;
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes(expected), `the final answer carries both tool results (${expected})`],
      [seen.every((r) => !r.refused), 'the scripted Gemini 3 refused nothing (signatures and schemas)'],
      [seen.some((r) => r.decision === 'Read') && seen.some((r) => r.decision === 'Bash'), 'Read, then Bash: two sequential tool turns'],
      [main.some((r) => r.signatures.length === 2 && r.signatures.every((s) => s === 'issued')), 'the last turn carried both signatures Gemini issued'],
      [main.every((r) => r.reasoning !== null), 'thinking on: every main-loop request asked for reasoning'],
      [traces.filter((row) => row.path === '/v1/messages').length >= seen.length, 'every upstream call is traced'],
      [traces.every((row) => row.status === 200), 'every traced request succeeded'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
