// Claude Code through the worker to Amazon Bedrock scripted on loopback (InvokeModel, the
// default API): every request's SigV4 signature is recomputed and checked, the body must have
// only the fields and beta flags Bedrock takes, streams go back in AWS's binary event-stream
// framing. The session reads a file, runs `wc`, and answers with both results.
import { scriptedBedrock } from '../../helpers/platforms.mjs';
import { serveFetch } from '../../helpers/serve.mjs';
import { printTurns, runSession, sessionChecks, sessionTraces, toolSession } from '../tool-session.mjs';
import { report, scratch, startWorker } from './lib.mjs';

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
    const run = await runSession(worker, workspace);
    console.log('requests scripted Bedrock received (SigV4 verified, body checked):');
    for (const call of platform.calls) {
      const betas = call.body?.anthropic_beta?.join(',') ?? call.headers.get('anthropic-beta') ?? '';
      console.log(`  ${call.path} ${call.refused ? `REFUSED ${call.refused}` : 'accepted'} fields=${Object.keys(call.body ?? {}).join(',')} betas=${betas}`);
    }
    printTurns(session);
    const traces = await sessionTraces(worker, 'bedrock');
    return report(name, [
      ...sessionChecks({ run, session, calls: platform.calls, traces, platform: 'Bedrock' }),
      [
        platform.calls.length > 0 && platform.calls.every((call) => call.refused === null),
        'Bedrock accepted every request: SigV4 signature, fields and beta flags',
      ],
      [platform.calls.some((call) => call.path.endsWith('/invoke-with-response-stream')), 'answers were streamed in the binary event-stream framing'],
    ]);
  } finally {
    await worker.close();
    await upstream.close();
  }
}
