// Claude Code through the worker's default passthrough route, whose event streams the runtime
// pipes natively, to a scripted Anthropic API on loopback that breaks its first answers: the
// first is cut mid-stream (the connection dropped after a few events), the second ends cleanly
// but without message_stop. The proxy aborts both client streams, so Claude Code must see two
// failed attempts (never a complete-looking answer), retry, and finish on the third; the traces
// record what happened to each.
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';
import { anthropicStream } from './anthropic-tools.mjs';

export const name = 'broken-streams';

export async function run() {
  const workspace = scratch(name);
  const answers = [];
  const upstream = await startUpstream((req, raw, res) => {
    if (req.url.includes('count_tokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ input_tokens: Math.round(raw.length / 4) }));
      return;
    }
    const n = answers.length;
    const full = anthropicStream(`msg_broken_${n}`, { text: 'RESULT the third answer' }, Math.round(raw.length / 4));
    // Up to the first text delta: message_start, content_block_start, content_block_delta.
    const partial = `${full.split('\n\n').slice(0, 3).join('\n\n')}\n\n`;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': `req_broken_${n}` });
    if (n === 0) {
      answers.push('cut');
      res.write(partial);
      setTimeout(() => res.socket.destroy(), 50);
    } else if (n === 1) {
      answers.push('ended early');
      res.end(partial);
    } else {
      answers.push('complete');
      res.end(full);
    }
  });
  const worker = await startWorker({
    vars: { ROUTES: JSON.stringify([{ match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' }]) },
  });
  try {
    const run = await runClaude(['-p', 'Say RESULT.', '--output-format', 'json', '--model', 'claude-sonnet-4-6'], {
      cwd: workspace,
      baseUrl: worker.url,
      env: { ANTHROPIC_API_KEY: 'sk-ant-api03-smoke-client-key-not-real' },
      timeoutMs: 300_000,
    });
    console.log(`claude exited ${run.status} after ${run.ms} ms${run.stderr ? `; stderr: ${run.stderr.slice(0, 2000)}` : ''}`);
    console.log(`claude said: ${run.result}`);
    console.log(`upstream answers: ${answers.join(', ')}`);
    const traces = await worker.query("SELECT status, end_reason, error_type, error_message FROM traces WHERE path = '/v1/messages' ORDER BY id");
    for (const row of traces) console.log(`  ${row.status} ${row.end_reason} ${row.error_type ?? ''} ${row.error_message ?? ''}`);
    return report(name, [
      [run.status === 0 && run.result.includes('RESULT the third answer'), 'claude retried past both broken answers and answered with the third'],
      [!run.result.includes('RESULT the third answer') || answers.length >= 3, 'the answer it gave came from the complete stream'],
      [
        traces[0]?.end_reason === 'upstream_error' && /connection failed mid-stream|without message_stop/.test(traces[0]?.error_message ?? ''),
        'the cut stream is traced as upstream_error',
      ],
      [
        traces[1]?.end_reason === 'upstream_error' && /without message_stop/.test(traces[1]?.error_message ?? ''),
        'the stream that ended early is traced as upstream_error (without message_stop)',
      ],
      [traces.at(-1)?.end_reason === 'complete', 'the last attempt is traced complete'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
