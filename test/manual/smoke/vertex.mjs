// Claude Code through the worker to Google Vertex AI scripted on loopback: the worker signs a JWT
// with the service account's key, the scripted token endpoint verifies it (RS256, against the
// key's public half) and issues an access token, and Vertex accepts only that token, the
// vertex-2023-10-16 body and the beta flags it takes. The session reads a file, runs `wc`, and
// answers with both results.
import { makeServiceAccount, scriptedVertex } from '../../helpers/platforms.mjs';
import { serveFetch } from '../../helpers/serve.mjs';
import { printSent, toolSession } from '../tool-session.mjs';
import { report, runClaude, scratch, startWorker } from './lib.mjs';

export const name = 'vertex';

export async function run() {
  const workspace = scratch(name);
  const session = toolSession(workspace);
  let handle = async () => new Response(null, { status: 503 });
  const upstream = await serveFetch((request) => handle(request));
  const account = await makeServiceAccount({ tokenUri: `${upstream.url}/token`, project: 'smoke-project' });
  const platform = scriptedVertex({ account, project: 'smoke-project', region: 'us-east5', reply: session.reply });
  handle = (request) => platform.handle(request);
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([
        { match: 'claude-*', provider: 'vertex', project: 'smoke-project', region: 'us-east5', baseUrl: upstream.url, serviceAccount: 'GCP_SERVICE_ACCOUNT' },
      ]),
    },
    secrets: { GCP_SERVICE_ACCOUNT: account.json, PROXY_API_KEYS: 'smoke:smoke-proxy-key' },
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
    console.log('token exchanges at the scripted token endpoint (JWT verified with the public key):');
    for (const exchange of platform.exchanges) {
      console.log(
        `  ${exchange.error ? `REFUSED ${exchange.error}` : 'issued'} iss=${exchange.claims?.iss} aud=${exchange.claims?.aud} lifetime=${exchange.claims ? exchange.claims.exp - exchange.claims.iat : '-'}s`,
      );
    }
    console.log('requests scripted Vertex received (token and body checked):');
    for (const call of platform.calls) {
      console.log(
        `  ${call.path} ${call.refused ? `REFUSED ${call.refused}` : 'accepted'} fields=${Object.keys(call.body ?? {}).join(',')} betas=${call.headers.get('anthropic-beta') ?? ''}`,
      );
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
        `  ${row.path} ${row.requested_model}→${row.target_model} ${row.status} ${row.stop_reason ?? ''} ${row.end_reason} in=${row.input_tokens} out=${row.output_tokens} cache_read=${row.cache_read_input_tokens} cache_write=${row.cache_creation_input_tokens} cost_micros=${row.cost_micros} vertex_request_id=${attempt?.requestId}`,
      );
    }
    const answered = traces.filter((row) => row.path === '/v1/messages');
    const requestIds = new Set(platform.calls.map((call) => call.requestId));
    const tokens = new Set(platform.calls.map((call) => call.token));
    const stored = JSON.stringify(traces);
    return report(name, [
      [run.status === 0, 'claude exited 0'],
      [run.result.includes(session.expected), `the final answer carries both tool results (${session.expected})`],
      [session.seen.some((turn) => turn.decision === 'Read') && session.seen.some((turn) => turn.decision === 'Bash'), 'both tool calls were made'],
      [platform.exchanges.length === 1 && platform.exchanges[0].error === null, 'one token exchange, its JWT verified, served the whole session'],
      [platform.calls.length > 0 && platform.calls.every((call) => call.refused === null), 'Vertex accepted every request: token, body and beta flags'],
      [platform.calls.some((call) => call.path.endsWith(':streamRawPredict')), 'answers were streamed over streamRawPredict'],
      [answered.length >= session.seen.length, 'every upstream call is traced'],
      [answered.every((row) => row.status === 200 && row.end_reason === 'complete'), 'every traced request succeeded'],
      [answered.every((row) => requestIds.has(JSON.parse(row.attempts)[0].requestId)), "every trace holds Vertex's request id"],
      [answered.every((row) => row.cost_micros > 0 && row.cache_creation_input_tokens > 0), 'every trace has usage with cache writes, and a cost'],
      [
        [...tokens].every((token) => !stored.includes(token)) && !stored.includes(account.privateKey.split('\n')[1]),
        'no access token or key material in the traces',
      ],
    ]);
  } finally {
    await worker.close();
    await upstream.close();
  }
}
