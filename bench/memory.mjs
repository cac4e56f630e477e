#!/usr/bin/env node
/**
 * Peak memory per request against body size: claude-proxy built as deployed, under Miniflare
 * (bench/lib/host.mjs), passes large Claude-shaped requests through to the loopback upstream.
 * For each body size and concurrency a fresh Worker starts; the workerd process's resident
 * memory is sampled every 5 ms during the burst. The ratio is the growth over the body bytes in
 * flight: (peak − before) / (concurrency × body size).
 *
 *   node bench/memory.mjs [--sizes=1,8,31] [--concurrency=1,16] [--route=passthrough|translated]
 */
import { execFile as execFileCb } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { groupPids, killAllSync, startUpstream, startWorker } from './lib/procs.mjs';

const execFile = promisify(execFileCb);
const ROOT = path.resolve(import.meta.dirname, '..');
const STATE = path.join(ROOT, 'node_modules/.cache/claude-proxy-bench/memory');
mkdirSync(STATE, { recursive: true });
process.on('exit', () => killAllSync());

const args = Object.fromEntries(process.argv.slice(2).map((arg) => arg.replace(/^--/, '').split('=')));
const SIZES_MB = (args.sizes ?? '1,8,31').split(',').map(Number);
const CONCURRENCY = (args.concurrency ?? '1,16').split(',').map(Number);
const ROUTE = args.route ?? 'passthrough';

const wrangler = JSON.parse(readFileSync(path.join(ROOT, 'wrangler.jsonc'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
const outdir = path.join(STATE, 'build');
await execFile(path.join(ROOT, 'node_modules/.bin/wrangler'), ['deploy', '--dry-run', '--outdir', outdir], { cwd: ROOT, maxBuffer: 16 << 20 });

/** Resident memory of the group's workerd, in MB. */
function workerdRssMb(pgid) {
  const workerd = groupPids(pgid).find((p) => p.comm === 'workerd');
  if (!workerd) return 0;
  const status = readFileSync(`/proc/${workerd.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** A Claude-Code-shaped request of about `mb` megabytes: the bulk in tool results, as long sessions grow. */
function bodyOf(mb, model) {
  const chunk = 'const value = compute(input); // a line of a file the agent read\n'.repeat(1024); // ~66 KB
  const messages = [];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: `toolu_${i}`, name: 'Read', input: { file_path: `/src/file-${i}.ts` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: chunk }] });
    size += chunk.length + 200;
  }
  messages.unshift({ role: 'user', content: 'Read the files.' });
  return Buffer.from(JSON.stringify({ model, max_tokens: 1024, messages }));
}

const upstream = await startUpstream(STATE);
const results = [];
for (const mb of SIZES_MB) {
  for (const concurrency of CONCURRENCY) {
    const routes = [
      ROUTE === 'passthrough'
        ? { match: '*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' }
        : { match: '*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'bench' },
    ];
    const proxy = await startWorker(
      STATE,
      `memory-${mb}-${concurrency}`,
      args.script
        ? {
            script: args.script,
            compatibilityDate: wrangler.compatibility_date,
            compatibilityFlags: [],
            bindings: { MODE: args.mode ?? 'read', UPSTREAM: upstream.url },
          }
        : {
            script: path.join(outdir, 'index.js'),
            compatibilityDate: wrangler.compatibility_date,
            compatibilityFlags: wrangler.compatibility_flags ?? [],
            bindings: {
              ROUTES: JSON.stringify(routes),
              LOG_REQUESTS: 'off',
              MAX_REQUEST_BYTES: String(64 * 1024 * 1024),
              ...(args.tracing === 'off' ? { TRACING: 'off' } : {}),
            },
            d1: true,
            migrationsDir: path.join(ROOT, 'drizzle'),
          },
    );
    const body = bodyOf(mb, 'claude-sonnet-4-6');
    const send = () =>
      fetch(new URL('/v1/messages', proxy.url), { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-bench' }, body }).then(
        (r) => r.arrayBuffer(),
      );
    await send(); // warm: code loaded, first D1 write done
    await new Promise((resolve) => setTimeout(resolve, 500));
    const before = workerdRssMb(proxy.pgid);
    let peak = before;
    const sampler = setInterval(() => {
      peak = Math.max(peak, workerdRssMb(proxy.pgid));
    }, 5);
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, send));
    await new Promise((resolve) => setTimeout(resolve, 300)); // trace writes in waitUntil
    clearInterval(sampler);
    peak = Math.max(peak, workerdRssMb(proxy.pgid));
    const inFlight = (concurrency * body.length) / 1024 / 1024;
    results.push({
      route: ROUTE,
      body_mb: Math.round((body.length / 1024 / 1024) * 10) / 10,
      concurrency,
      rss_before_mb: Math.round(before),
      rss_peak_mb: Math.round(peak),
      growth_mb: Math.round(peak - before),
      ratio: Math.round(((peak - before) / inFlight) * 100) / 100,
      ms: Date.now() - started,
    });
    console.error(JSON.stringify(results.at(-1)));
    await proxy.stop();
  }
}
await upstream.stop();
process.stdout.write(`${JSON.stringify({ results }, null, 2)}\n`);
