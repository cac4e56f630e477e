// Real Claude Code traffic through body format 1: a passthrough session and a translated one, six
// tool turns each. The scripted upstreams keep every body they receive; afterwards each trace is
// read back through /api and must be the very text the proxy received (passthrough: what the
// upstream got) and the very translated text it sent; each turn after the first must be stored as
// news over the turn before, and a trace's own row must stay small.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { anthropicStream } from './anthropic-tools.mjs';
import { readAndCountArgs, report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';
import { chatStreamChunks } from './openai-tools.mjs';

export const name = 'storage';

const TURNS = 6;
const ADMIN_TOKEN = 'smoke-storage-admin-token-0123456789';

export async function run() {
  const workspaces = { passthrough: scratch(`${name}-pass`), translated: scratch(`${name}-trans`) };
  for (const workspace of Object.values(workspaces)) {
    for (let n = 0; n < TURNS / 2; n++) writeFileSync(join(workspace, `part-${n}.ts`), `export const part${n} = ${JSON.stringify('x'.repeat(1500 + n))};\n`);
  }
  const received = { passthrough: [], translated: [] };
  const decide = (results, workspace, tools) => {
    if (!tools.includes('Read')) return { text: 'Storage smoke' };
    if (results >= TURNS) return { text: 'RESULT done' };
    const n = Math.floor(results / 2);
    return results % 2 === 0
      ? { tool: { name: 'Read', args: { file_path: join(workspace, `part-${n}.ts`) } } }
      : { tool: { name: 'Bash', args: { command: `wc -c part-${n}.ts`, description: 'Count bytes' } } };
  };
  const upstream = await startUpstream((req, raw, res) => {
    const body = JSON.parse(raw);
    if (req.url.startsWith('/v1/chat/completions')) {
      received.translated.push(raw);
      const decision = decide(
        body.messages.filter((m) => m.role === 'tool').length,
        workspaces.translated,
        (body.tools ?? []).map((t) => t.function.name),
      );
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const item of chatStreamChunks(decision, `call_${received.translated.length}`, 1000)) res.write(`data: ${JSON.stringify(item)}\n\n`);
      return res.end('data: [DONE]\n\n');
    }
    received.passthrough.push(raw);
    const results = body.messages.flatMap((m) => (Array.isArray(m.content) ? m.content : [])).filter((b) => b.type === 'tool_result').length;
    const decision = decide(
      results,
      workspaces.passthrough,
      (body.tools ?? []).map((t) => t.name),
    );
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(anthropicStream(`msg_storage_${received.passthrough.length}`, decision, 1000));
  });
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([
        { match: 'claude-opus-4-6', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'scripted-model', apiKey: 'client' },
        { match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' },
      ]),
    },
    secrets: { ADMIN_TOKEN },
  });
  try {
    const runs = {};
    for (const [route, model] of [
      ['passthrough', 'claude-sonnet-4-6'],
      ['translated', 'claude-opus-4-6'],
    ]) {
      runs[route] = await runClaude(
        readAndCountArgs(`Read each part-N.ts in turn (N from 0 to ${TURNS / 2 - 1}) and count its bytes with wc; then say RESULT.`, model),
        {
          cwd: workspaces[route],
          baseUrl: worker.url,
          env: { ANTHROPIC_API_KEY: 'sk-ant-api03-storage-smoke-not-real' },
          timeoutMs: 300_000,
        },
      );
      console.log(`${route}: claude exited ${runs[route].status}; said ${runs[route].result}`);
    }
    const rows = await worker.query(
      "SELECT id, provider, history_trace_id, history_length, upstream_history_length, LENGTH(new_messages) AS news, LENGTH(upstream_new_messages) AS upstream_news, LENGTH(request_body) AS whole FROM traces WHERE path = '/v1/messages' ORDER BY id",
    );
    const read = async (id) => {
      const response = await fetch(`${worker.url}/api/traces/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      const text = await response.text();
      // The API splices stored bodies in as they are: the body's text is in the answer verbatim.
      return { text, trace: JSON.parse(text) };
    };
    const passthrough = rows.filter((row) => row.provider === 'anthropic');
    const translated = rows.filter((row) => row.provider === 'openai');
    let exact = 0;
    let translatedExact = 0;
    for (const [i, row] of passthrough.entries()) if ((await read(row.id)).text.includes(received.passthrough[i])) exact++;
    for (const [i, row] of translated.entries()) {
      const { trace } = await read(row.id);
      if (JSON.stringify(trace.upstream_request_body) === JSON.stringify(JSON.parse(received.translated[i]))) translatedExact++;
    }
    for (const row of rows)
      console.log(
        `  ${row.id} ${row.provider} history=${row.history_length ?? '-'} upstream_history=${row.upstream_history_length ?? '-'} news=${row.news} upstream_news=${row.upstream_news ?? '-'}`,
      );
    const chained = (list) => list.slice(1).every((row, i) => row.history_trace_id === list[i].id);
    return report(name, [
      [runs.passthrough.status === 0 && runs.translated.status === 0, 'claude exited 0 in both sessions'],
      [passthrough.length === received.passthrough.length && translated.length === received.translated.length, 'every request traced'],
      [exact === passthrough.length, `/api returns each passthrough request as the very text the upstream received (${exact}/${passthrough.length})`],
      [translatedExact === translated.length, `/api returns each translated request as the target received it (${translatedExact}/${translated.length})`],
      [chained(passthrough) && chained(translated), 'each turn is stored over the turn before it (history_trace_id)'],
      [translated.slice(1).every((row) => row.upstream_history_length > 0), 'each translated turn continues the translated request before it'],
      [rows.every((row) => row.whole === null && row.news < 8192), 'no request stored whole; each turn’s news under 8 KB'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
