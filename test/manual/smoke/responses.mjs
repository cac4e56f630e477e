// Claude Code through the worker to a scripted OpenAI Responses API model (`openai-responses`
// route, as for GPT-5 Codex), thinking on: it reads a file, runs `wc -c` on it with Bash, then
// answers with both results. The scripted endpoint refuses with 400 what the real one refuses
// (checkResponsesRequest: unanswered calls, reasoning replayed without its following item or not
// issued by it, non-strict schemas sent as strict, unknown parameters…), and each tool turn's
// reasoning must come back on the next request (the chain of thought continues).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkResponsesRequest, item, responseEvents, responseObject, sse } from '../../fixtures/scripted-responses.mjs';
import { printRun, printTraces, readAndCount, report, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'responses';

export async function run() {
  const workspace = scratch(name);
  const secret = `proxy-smoke-${Math.random().toString(36).slice(2, 8)}`;
  writeFileSync(join(workspace, 'notes.txt'), `The secret word is ${secret}.\n`);

  const issued = new Map();
  const seen = [];
  const decide = (body) => {
    const toolNames = (body.tools ?? []).filter((tool) => tool.type === 'function').map((tool) => tool.name);
    const outputs = body.input.filter((entry) => entry.type === 'function_call_output').map((entry) => entry.output);
    if (!toolNames.includes('Read')) return [item.message('Proxy smoke session')]; // side queries: titles, classifiers
    if (outputs.length === 0) return [item.reasoning('The user wants the file first.'), item.call('Read', { file_path: join(workspace, 'notes.txt') })];
    if (outputs.length === 1) {
      return [item.reasoning('Now count its bytes.'), item.call('Bash', { command: 'wc -c notes.txt', description: 'Count the bytes of notes.txt' })];
    }
    const word = /proxy-smoke-\w+/.exec(outputs[0])?.[0] ?? 'missing';
    const count = /\d+/.exec(outputs[1])?.[0] ?? 'missing';
    return [item.reasoning('Both results are in.'), item.message(`RESULT word=${word} bytes=${count}`)];
  };
  const upstream = await startUpstream((req, raw, res) => {
    const body = JSON.parse(raw);
    const refused = checkResponsesRequest(body, issued);
    const record = {
      path: req.url,
      stream: body.stream === true,
      tools: (body.tools ?? []).length,
      strict: (body.tools ?? []).filter((tool) => tool.strict).length,
      items: body.input.length,
      replayed: body.input.filter((entry) => entry.type === 'reasoning').length,
      reasoning: body.reasoning?.effort ?? null,
      cacheKey: body.prompt_cache_key ?? null,
      refused: refused?.body.error.message ?? null,
      answer: null,
    };
    seen.push(record);
    if (refused) {
      res.writeHead(refused.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(refused.body));
      return;
    }
    const output = decide(body);
    record.answer = output.map((entry) => (entry.type === 'function_call' ? entry.name : entry.type)).join('+');
    for (const entry of output) if (entry.type === 'reasoning') issued.set(entry.id, entry.encrypted_content);
    const options = { model: body.model, usage: { input_tokens: 1000 + Math.round(raw.length / 4), output_tokens: 20, cached: 800 } };
    if (body.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(responseEvents(output, options)));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(responseObject(output, options)));
    }
  });
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([
        { match: 'claude-*', provider: 'openai-responses', baseUrl: `${upstream.url}/v1`, model: 'gpt-5.1-codex', apiKey: 'UPSTREAM_KEY' },
      ]),
    },
    secrets: { UPSTREAM_KEY: 'sk-smoke-upstream', PROXY_API_KEYS: 'smoke:smoke-proxy-key' },
  });
  try {
    const run = await readAndCount(workspace, worker);
    printRun(run);
    console.log('requests the scripted Responses API received:');
    for (const r of seen) {
      console.log(
        `  ${r.path} stream=${r.stream} tools=${r.tools} (strict ${r.strict}) items=${r.items} reasoning=${r.reasoning} replayed=${r.replayed} cache_key=${r.cacheKey ? 'session' : 'none'} → ${r.refused ? `400 ${r.refused}` : r.answer}`,
      );
    }
    const traces = await printTraces(worker);
    const main = seen.filter((r) => r.tools > 1 && !r.refused);
    const expected = `RESULT word=${secret} bytes=${Buffer.byteLength(`The secret word is ${secret}.\n`)}`;
    const session = traces.find((row) => row.session_id)?.session_id;
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes(expected), `the final answer carries both tool results (${expected})`],
      [seen.every((r) => r.path === '/v1/responses'), 'every call went to /v1/responses'],
      [seen.every((r) => !r.refused), 'the scripted Responses API refused nothing'],
      [seen.some((r) => r.answer === 'reasoning+Read') && seen.some((r) => r.answer === 'reasoning+Bash'), 'Read, then Bash: two sequential tool turns'],
      [main.length >= 3 && main.every((r) => r.reasoning !== null), 'thinking on: every main-loop request asked for reasoning'],
      [
        main.filter((r) => r.answer?.startsWith('reasoning+Bash') || r.answer === 'reasoning+message').every((r) => r.replayed >= 1),
        'each tool turn replayed the reasoning before it',
      ],
      [main.every((r) => r.cacheKey === session), 'prompt_cache_key is the Claude Code session'],
      [traces.filter((row) => row.path === '/v1/messages').length >= seen.length, 'every upstream call is traced'],
      [traces.every((row) => row.status === 200), 'every traced request succeeded'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
