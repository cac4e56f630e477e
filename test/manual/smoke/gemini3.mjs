// Claude Code through the worker to a scripted Gemini 3 on its OpenAI-compatible endpoint,
// thinking on: it reads a file, runs `wc -c` on it with Bash, then answers with both results.
// Like the real Gemini 3, the scripted model attaches a thought signature to each function call
// and answers 400 when a call in the history comes back without it (or with another one), and
// refuses tool schemas with keywords outside its subset.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printRun, printTraces, readAndCount, report, scratch, startUpstream, startWorker } from './lib.mjs';
import { chunk } from './openai-tools.mjs';
import { checkGeminiRequest, SKIP_THOUGHT_SIGNATURE } from '../../fixtures/scripted-gemini.mjs';

export const name = 'gemini3';

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
    const refused = checkGeminiRequest(body, issued)?.body[0].error.message ?? null;
    const signed = body.messages.filter((message) => message.tool_calls).map((message) => message.tool_calls[0].extra_content?.google?.thought_signature);
    const record = {
      path: req.url,
      stream: body.stream === true,
      tools: (body.tools ?? []).length,
      reasoning: body.reasoning_effort ?? null,
      signatures: signed.map((signature) => (signature === SKIP_THOUGHT_SIGNATURE ? 'placeholder' : signature ? 'issued' : 'missing')),
      refused,
      decision: null,
    };
    seen.push(record);
    if (refused) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify(checkGeminiRequest(body, issued).body));
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
    const run = await readAndCount(workspace, worker);
    printRun(run);
    console.log('requests the scripted Gemini 3 received:');
    for (const r of seen) {
      console.log(
        `  ${r.path} stream=${r.stream} tools=${r.tools} reasoning_effort=${r.reasoning} signatures in history=[${r.signatures.join(',')}] → ${r.refused ? `400 ${r.refused}` : r.decision}`,
      );
    }
    const traces = await printTraces(worker);
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
