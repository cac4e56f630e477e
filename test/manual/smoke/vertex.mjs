// Claude Code through the worker to Google Vertex AI scripted on loopback: the worker signs a JWT
// with the service account's key, the scripted token endpoint verifies it (RS256, against the
// key's public half) and issues an access token, and Vertex accepts only that token, the
// vertex-2023-10-16 body and the beta flags it takes. The session reads a file, runs `wc`, and
// answers with both results.
import { makeServiceAccount, scriptedVertex } from '../../helpers/platforms.mjs';
import { serveFetch } from '../../helpers/serve.mjs';
import { printTurns, runSession, sessionChecks, sessionTraces, toolSession } from '../tool-session.mjs';
import { report, scratch, startWorker } from './lib.mjs';

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
    const run = await runSession(worker, workspace);
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
    printTurns(session);
    const traces = await sessionTraces(worker, 'vertex');
    const tokens = new Set(platform.calls.map((call) => call.token));
    const stored = JSON.stringify(traces);
    return report(name, [
      ...sessionChecks({ run, session, calls: platform.calls, traces, platform: 'Vertex' }),
      [platform.exchanges.length === 1 && platform.exchanges[0].error === null, 'one token exchange, its JWT verified, served the whole session'],
      [platform.calls.length > 0 && platform.calls.every((call) => call.refused === null), 'Vertex accepted every request: token, body and beta flags'],
      [platform.calls.some((call) => call.path.endsWith(':streamRawPredict')), 'answers were streamed over streamRawPredict'],
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
