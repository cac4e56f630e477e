// Claude Code through the worker to Amazon Bedrock scripted on loopback (InvokeModel, the
// default API): every request's SigV4 signature is recomputed and checked, the body must have
// only the fields and beta flags Bedrock takes, streams go back in AWS's binary event-stream
// framing. The session reads a file, runs `wc`, and answers with both results.
import { scriptedBedrock } from '../../helpers/platforms.mjs';
import { serveFetch } from '../../helpers/serve.mjs';
import { printSent, toolSession } from '../tool-session.mjs';
import { report, runClaude, scratch, startWorker } from './lib.mjs';

export const name = 'bedrock';

export async function run() {
  const workspace = scratch(name);
  const session = toolSession(workspace);
  const credentials = { accessKeyId: 'AKIASMOKETEST0000001', secretAccessKey: `smoke/${Math.random().toString(36).slice(2)}/secret-access-key` };
  const platform = scriptedBedrock({ auth: { credentials, region: 'us-east-1' }, reply: session.reply });
  const upstream = await serveFetch((request) => platform.handle(request));
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([
        {
          match: 'claude-*',
          provider: 'bedrock',
          region: 'us-east-1',
          baseUrl: upstream.url,
          awsAccessKeyId: 'AWS_ACCESS_KEY_ID',
          awsSecretAccessKey: 'AWS_SECRET_ACCESS_KEY',
        },
      ]),
    },
    secrets: { AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, PROXY_API_KEYS: 'smoke:smoke-proxy-key' },
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
    console.log('requests scripted Bedrock received (SigV4 verified, body checked):');
    for (const call of platform.calls) {
      const betas = call.body?.anthropic_beta?.join(',') ?? call.headers.get('anthropic-beta') ?? '';
      console.log(`  ${call.path} ${call.refused ? `REFUSED ${call.refused}` : 'accepted'} fields=${Object.keys(call.body ?? {}).join(',')} betas=${betas}`);
    }
    console.log('what the scripted model answered:');
    for (const turn of session.seen)
      console.log(`  stream=${turn.stream} model=${turn.model} tools=${turn.tools} messages=${turn.messages} → ${turn.decision}`);
    const traces = await worker.query(
      "SELECT path, requested_model, target_model, status, stop_reason, end_reason, input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens, cost_micros, attempts, request_headers, request_body FROM traces WHERE api_key_name = 'smoke' ORDER BY id",
    );
    printSent(traces[0]);
    console.log(`traces in D1: ${traces.length}`);
    for (const row of traces) {
      const attempt = JSON.parse(row.attempts ?? '[]')[0];
      console.log(
        `  ${row.path} ${row.requested_model}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} out=${row.output_tokens} cache_read=${row.cache_read_input_tokens} cache_write=${row.cache_creation_input_tokens} cost_micros=${row.cost_micros} bedrock_request_id=${attempt?.requestId}`,
      );
    }
    const answered = traces.filter((row) => row.path === '/v1/messages');
    const requestIds = new Set(platform.calls.map((call) => call.requestId));
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes(session.expected), `the final answer carries both tool results (${session.expected})`],
      [session.seen.some((turn) => turn.decision === 'Read') && session.seen.some((turn) => turn.decision === 'Bash'), 'both tool calls were made'],
      [
        platform.calls.length > 0 && platform.calls.every((call) => call.refused === null),
        'Bedrock accepted every request: SigV4 signature, fields and beta flags',
      ],
      [platform.calls.some((call) => call.path.endsWith('/invoke-with-response-stream')), 'answers were streamed in the binary event-stream framing'],
      [answered.length >= session.seen.length, 'every upstream call is traced'],
      [answered.every((row) => row.status === 200 && row.end_reason === 'complete'), 'every traced request succeeded'],
      [answered.every((row) => requestIds.has(JSON.parse(row.attempts)[0].requestId)), "every trace holds Bedrock's request id"],
      [answered.every((row) => row.cost_micros > 0 && row.cache_read_input_tokens > 0), 'every trace has usage with cache reads, and a cost'],
    ]);
  } finally {
    await worker.close();
    await upstream.close();
  }
}
