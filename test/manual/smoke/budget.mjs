// A proxy key over its KEY_BUDGETS cap: Claude Code must show the proxy's 403 budget message as
// is, without retrying, and nothing may reach the model.
import { report, runClaude, scratch, startUpstream, startWorker } from './lib.mjs';

export const name = 'budget';

export async function run() {
  let calls = 0;
  const upstream = await startUpstream((_req, _raw, res) => {
    calls++;
    res.writeHead(500).end();
  });
  const worker = await startWorker({
    vars: {
      ROUTES: JSON.stringify([{ match: 'claude-*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'scripted-model', apiKey: 'UPSTREAM_KEY' }]),
    },
    secrets: { UPSTREAM_KEY: 'sk-smoke-upstream', PROXY_API_KEYS: 'broke:broke-proxy-key', KEY_BUDGETS: JSON.stringify({ broke: { daily: 0 } }) },
  });
  try {
    const broke = await runClaude(['-p', 'Say hello.', '--model', 'claude-sonnet-4-6'], {
      cwd: scratch(name),
      baseUrl: worker.url,
      env: { ANTHROPIC_API_KEY: 'broke-proxy-key' },
    });
    const shown = `${broke.stdout}\n${broke.stderr}`.trim();
    console.log(`over budget: claude exited ${broke.status} and printed: ${shown.slice(0, 600)}`);
    const refused = await worker.query("SELECT path, status, error_type FROM traces WHERE api_key_name = 'broke' ORDER BY id");
    console.log(`traces for the key over budget: ${refused.map((row) => `${row.path} ${row.status} ${row.error_type ?? ''}`).join(', ')}`);
    const messages = refused.filter((row) => row.path === '/v1/messages');
    return report(name, [
      [broke.status !== 0, 'claude exits non-zero for a key over budget'],
      [
        shown.includes('Budget exceeded for API key "broke"') && shown.includes('daily budget (KEY_BUDGETS) is $0.00') && shown.includes('It resets at'),
        'claude shows the budget message as is',
      ],
      [
        messages.length >= 1 && messages.every((row) => row.status === 403 && row.error_type === 'permission_error'),
        'the refused requests are traced as 403 permission_error',
      ],
      [messages.length <= 2, `claude did not retry the 403 (${messages.length} /v1/messages requests)`],
      [calls === 0, 'nothing reached the model'],
    ]);
  } finally {
    await worker.close();
    upstream.close();
  }
}
