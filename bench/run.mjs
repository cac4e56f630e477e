#!/usr/bin/env node
/**
 * `npm run bench`: what claude-proxy costs over a Worker that does nothing (bench/README.md).
 *
 *   node bench/run.mjs [--quick] [--n=300] [--warmup=30] [--no-profile] [--delay-ms=0]
 *
 * Prints the tables on stdout (progress on stderr) and writes bench/results/<timestamp>.json.
 */
import { execFile as execFileCb } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { Client, Pool } from 'undici';
import { profileWhile } from './lib/cdp.mjs';
import { claudeCodeRequest, clientHeaders, smallRequest, STREAM_CHUNKS } from './lib/fixtures.mjs';
import { freePort, startDev } from './lib/dev.mjs';
import { groupCpuByName, groupCpuMs, killAllSync, startUpstream, startWorker } from './lib/procs.mjs';
import { readProfile, summarizeProfile } from './lib/profile.mjs';
import { fixed, median, signed, summary, table } from './lib/stats.mjs';

const execFile = promisify(execFileCb);
const ROOT = process.cwd();
const BENCH = path.join(ROOT, 'bench');
const BUILD = path.join(BENCH, '.build');
const STATE = path.join(BENCH, '.state');
const RESULTS = path.join(BENCH, 'results');

const args = Object.fromEntries(
  process.argv.slice(2).map((arg) => {
    const [key, value] = arg.replace(/^--/, '').split('=');
    return [key, value ?? true];
  }),
);
const QUICK = Boolean(args.quick);
const N = Number(args.n ?? (QUICK ? 60 : 300));
const WARMUP = Number(args.warmup ?? (QUICK ? 10 : 30));
const PROFILE = !args['no-profile'];
const DELAY_MS = Number(args['delay-ms'] ?? 0);
const THROUGHPUT_SECONDS = Number(args['tp-seconds'] ?? (QUICK ? 1 : 1.5));

const startedAt = Date.now();
const phases = [];
const progress = (message) => {
  const at = (Date.now() - startedAt) / 1000;
  phases.push({ at_s: Math.round(at * 10) / 10, phase: message });
  process.stderr.write(`[${at.toFixed(1).padStart(5)}s] ${message}\n`);
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n, digits = 3) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

if (!existsSync(path.join(ROOT, 'wrangler.jsonc')) || !existsSync(path.join(BENCH, 'run.mjs'))) {
  console.error('run from the project root: npm run bench');
  process.exit(2);
}

if (typeof args.print === 'string') {
  // Re-print a results file: node bench/run.mjs --print=bench/results/<file>.json
  print(JSON.parse(readFileSync(args.print, 'utf8')), args.print);
  process.exit(0);
}

const cleanup = () => killAllSync();
process.on('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    cleanup();
    process.exit(130);
  });
}

// ---------------------------------------------------------------------------------------------
// Configuration shared with the real deployment

/** JSONC → JSON: drops comments and trailing commas outside strings. */
function parseJsonc(text) {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j;
    } else if (ch === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (ch === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2) + 1;
    } else out += ch;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, '$1'));
}

const proxyConfig = parseJsonc(readFileSync(path.join(ROOT, 'wrangler.jsonc'), 'utf8'));
const nullConfig = parseJsonc(readFileSync(path.join(BENCH, 'null-worker/wrangler.jsonc'), 'utf8'));
const compat = { compatibilityDate: proxyConfig.compatibility_date, compatibilityFlags: proxyConfig.compatibility_flags ?? [] };
const nullCompat = { compatibilityDate: nullConfig.compatibility_date, compatibilityFlags: nullConfig.compatibility_flags ?? [] };
const compatWarning =
  JSON.stringify(compat) === JSON.stringify(nullCompat)
    ? null
    : `compatibility settings differ: proxy ${JSON.stringify(compat)}, null Worker ${JSON.stringify(nullCompat)}`;

const versions = {
  node: process.version,
  wrangler: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/wrangler/package.json'), 'utf8')).version,
  miniflare: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/miniflare/package.json'), 'utf8')).version,
  workerd: JSON.parse(readFileSync(path.join(ROOT, 'node_modules/workerd/package.json'), 'utf8')).version,
};

// ---------------------------------------------------------------------------------------------
// 1. Builds: both Workers with `wrangler deploy --dry-run --outdir`, the microbenchmark with esbuild

async function wranglerBuild(name, configPath, extraArgs = []) {
  const outdir = path.join(BUILD, name);
  rmSync(outdir, { recursive: true, force: true });
  const { stdout, stderr } = await execFile(
    path.join(ROOT, 'node_modules/.bin/wrangler'),
    ['deploy', '--dry-run', '--config', configPath, '--outdir', outdir, ...extraArgs],
    { cwd: ROOT, env: { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 16 << 20 },
  );
  const text = stdout + stderr;
  const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(text);
  const modules = readdirSync(outdir).filter((file) => /\.(m?js|wasm)$/.test(file));
  let raw = 0;
  let gzip = 0;
  for (const file of modules) {
    const bytes = readFileSync(path.join(outdir, file));
    raw += bytes.length;
    gzip += gzipSync(bytes, { level: 9 }).length;
  }
  return {
    script: path.join(outdir, 'index.js'),
    modules,
    bytes: raw,
    gzip_bytes: gzip,
    wrangler_reported_kib: reported ? { total: Number(reported[1]), gzip: Number(reported[2]) } : null,
  };
}

async function buildMicro() {
  const outfile = path.join(BUILD, 'micro.mjs');
  await execFile(
    path.join(ROOT, 'node_modules/.bin/esbuild'),
    [path.join(BENCH, 'micro.ts'), '--bundle', '--platform=node', '--format=esm', '--target=node22', `--outfile=${outfile}`, '--log-level=warning'],
    { cwd: ROOT },
  );
  return outfile;
}

// ---------------------------------------------------------------------------------------------
// Requests

const MODELS = { passthrough: 'claude-pass-bench-1', translated: 'claude-trans-bench-1' };

function makeRequest(route, size, stream, extraHeaders = {}, exchanges = 30) {
  const model = MODELS[route];
  const body = Buffer.from(JSON.stringify(size === 'small' ? smallRequest(model, { stream }) : claudeCodeRequest(model, { stream, exchanges })));
  const headers = { ...clientHeaders({ session: size === '80k' }), ...extraHeaders, 'content-length': String(body.length) };
  if (stream) headers.accept = 'text/event-stream';
  return { route, size, stream, body, headers };
}

/** A real Claude Code request (test/fixtures/claude-code/000.json, 87 KB, captured on loopback), sent to a bench route. */
const CAPTURE = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/claude-code/000.json'), 'utf8'));
function captureRequest(route, stream) {
  const body = Buffer.from(JSON.stringify({ ...CAPTURE, model: MODELS[route], stream }));
  const headers = { ...clientHeaders({ session: true }), 'content-length': String(body.length) };
  if (stream) headers.accept = 'text/event-stream';
  return { route, size: 'capture', stream, body, headers };
}

/** The small request answered with an `events`-event Anthropic stream (the upstream reads the count from the model name). */
function eventsRequest(events) {
  const body = Buffer.from(JSON.stringify(smallRequest(`${MODELS.passthrough}-${events}ev`, { stream: true })));
  return {
    route: 'passthrough',
    size: 'small',
    stream: true,
    events,
    body,
    headers: { ...clientHeaders(), accept: 'text/event-stream', 'content-length': String(body.length) },
  };
}
const LONG_STREAM_EVENTS = 1000;

const SCENARIOS = [
  { id: 'small', route: 'passthrough', size: 'small', stream: false },
  { id: 'small', route: 'translated', size: 'small', stream: false },
  { id: '80k', route: 'passthrough', size: '80k', stream: false },
  { id: '80k', route: 'translated', size: '80k', stream: false },
  { id: 'stream', route: 'passthrough', size: 'small', stream: true },
  { id: 'stream', route: 'translated', size: 'small', stream: true },
  { id: '80k-stream', route: 'passthrough', size: '80k', stream: true },
  { id: '80k-stream', route: 'translated', size: '80k', stream: true },
].map((s) => ({
  ...s,
  name: `${s.id}/${s.route}`,
  request: makeRequest(s.route, s.size, s.stream),
  n: s.id === '80k-stream' ? Math.max(100, Math.round(N / 2)) : N,
}));

/** The wrangler dev runner's scenarios: the issue's three, and the long passthrough stream. */
const DEV_SCENARIOS = [
  { name: 'small/passthrough', request: makeRequest('passthrough', 'small', false) },
  { name: 'capture-80k/passthrough', request: captureRequest('passthrough', false) },
  { name: 'capture-80k-stream/translated', request: captureRequest('translated', true) },
  { name: `stream-${LONG_STREAM_EVENTS}/passthrough`, request: eventsRequest(LONG_STREAM_EVENTS) },
];

/** One request; times in ms from performance.now(): first body byte and last. */
async function send(client, request) {
  const t0 = performance.now();
  const res = await client.request({ path: '/v1/messages', method: 'POST', headers: request.headers, body: request.body });
  let first = 0;
  let bytes = 0;
  let previous = null;
  let last = null;
  for await (const chunk of res.body) {
    if (!first) first = performance.now();
    bytes += chunk.length;
    previous = last;
    last = chunk;
  }
  const t1 = performance.now();
  const tail = last === null ? '' : (previous ? Buffer.concat([previous.subarray(-64), last]) : last).toString('latin1');
  const ok = res.statusCode === 200 && (!request.stream || tail.includes('message_stop'));
  return { ttfb: (first || t1) - t0, total: t1 - t0, ok, status: res.statusCode, bytes, traceId: res.headers['x-trace-id'] };
}

/** send(), with a connection error reported as a failed request rather than thrown. */
async function sendSafely(client, request) {
  const t0 = performance.now();
  try {
    return await send(client, request);
  } catch (err) {
    return { ttfb: NaN, total: performance.now() - t0, ok: false, status: 0, bytes: 0, error: String(err?.message ?? err) };
  }
}

// ---------------------------------------------------------------------------------------------

const results = {
  started: new Date(startedAt).toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    loadavg_start: os.loadavg().map((n) => round(n, 2)),
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
  },
  versions,
  runner: {
    name: 'miniflare',
    detail:
      'Both Workers run from their `wrangler deploy --dry-run` bundles under Miniflare directly (the workerd that this wrangler ships), each in its own process group, with identical options: no wrangler dev proxy in front and no Node hop for outbound fetches.',
    compat,
    compat_warning: compatWarning,
  },
  settings: { n: N, warmup: WARMUP, quick: QUICK, upstream_delay_ms: DELAY_MS, stream_chunks: STREAM_CHUNKS, throughput_seconds: THROUGHPUT_SECONDS },
  request_bytes: {
    small: SCENARIOS.find((s) => s.name === 'small/passthrough').request.body.length,
    '80k': SCENARIOS.find((s) => s.name === '80k/passthrough').request.body.length,
  },
};

const servers = [];
async function stopServers(list = servers) {
  await Promise.all(list.map((server) => server.stop().catch(() => {})));
  for (const server of list) servers.splice(servers.indexOf(server), 1);
}

try {
  mkdirSync(BUILD, { recursive: true });
  mkdirSync(RESULTS, { recursive: true });
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });

  // ---- 1. builds
  progress('building: wrangler deploy --dry-run (proxy, null Worker), esbuild (microbenchmark)');
  const [proxyBuild, nullBuild, microFile] = await Promise.all([
    wranglerBuild('proxy', path.join(ROOT, 'wrangler.jsonc')),
    wranglerBuild('null', path.join(BENCH, 'null-worker/wrangler.jsonc')),
    buildMicro(),
  ]);
  results.bundle = { proxy: { ...proxyBuild, script: undefined }, null_worker: { ...nullBuild, script: undefined } };

  if (args.only === 'dev') {
    // node bench/run.mjs --only=dev: just the wrangler dev runner
    const upstream = await startUpstream(STATE, { delayMs: DELAY_MS });
    servers.push(upstream);
    results.dev = await devRun(upstream, Number(args['dev-n'] ?? Math.min(N, 200)), Math.min(WARMUP, 20));
    results.duration_s = round((Date.now() - startedAt) / 1000, 1);
    console.log(printDev(results.dev).join('\n'));
    writeFileSync(path.join(RESULTS, `${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}-dev.json`), `${JSON.stringify(results, null, 2)}\n`);
    process.exit(0);
  }

  if (args.only === 'operations') {
    // node bench/run.mjs --only=operations: just the budget check and /health (about 20 s)
    const upstream = await startUpstream(STATE, { delayMs: DELAY_MS });
    servers.push(upstream);
    results.operations = await operationsRun(operationsHost(proxyBuild, upstream));
    results.duration_s = round((Date.now() - startedAt) / 1000, 1);
    console.log(printOperations(results.operations).join('\n'));
    writeFileSync(path.join(RESULTS, `${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}-operations.json`), `${JSON.stringify(results, null, 2)}\n`);
    process.exit(0);
  }

  // ---- 2. microbenchmark (before any server runs: a quiet machine)
  progress('microbenchmark: request path in Node, median of many iterations');
  const micro = JSON.parse((await execFile(process.execPath, [microFile, `--seconds=${QUICK ? 0.5 : 1}`], { cwd: ROOT, maxBuffer: 16 << 20 })).stdout);
  results.micro = micro;

  // ---- 3. servers
  progress('starting the upstream, the null Worker, claude-proxy (tracing on) and claude-proxy (TRACING=off)');
  const upstream = await startUpstream(STATE, { delayMs: DELAY_MS });
  servers.push(upstream);
  const ROUTES = JSON.stringify([
    { match: 'claude-pass*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' },
    { match: 'claude-trans*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'bench-model' },
  ]);
  const proxyVars = { ...(proxyConfig.vars ?? {}), ROUTES };
  const migrationsDir = path.join(ROOT, proxyConfig.d1_databases?.[0]?.migrations_dir ?? 'drizzle');
  const proxyHost = (extra = {}) => ({
    script: proxyBuild.script,
    ...compat,
    d1: true,
    migrationsDir,
    ...extra,
    bindings: { ...proxyVars, ...(extra.bindings ?? {}) },
  });
  const [nullWorker, proxy, proxyOff, nullJs] = await Promise.all([
    startWorker(STATE, 'null-worker', { script: nullBuild.script, ...nullCompat, bindings: { ...(nullConfig.vars ?? {}), UPSTREAM: upstream.url } }),
    startWorker(STATE, 'proxy', proxyHost()),
    startWorker(STATE, 'proxy-tracing-off', proxyHost({ bindings: { TRACING: 'off' } })),
    startWorker(STATE, 'null-worker-js-relay', {
      script: nullBuild.script,
      ...nullCompat,
      bindings: { ...(nullConfig.vars ?? {}), UPSTREAM: upstream.url, RELAY: 'js' },
    }),
  ]);
  servers.push(nullWorker, proxy, proxyOff, nullJs);

  const targets = [
    { key: 'upstream', label: 'upstream (bare)', server: upstream },
    { key: 'null', label: 'null Worker', server: nullWorker },
    { key: 'proxy', label: 'claude-proxy', server: proxy },
    { key: 'proxyOff', label: 'claude-proxy TRACING=off', server: proxyOff },
  ];
  for (const target of targets) target.client = new Client(target.server.url, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  const sentToProxy = { count: 0 };
  const sendTo = async (target, request) => {
    if (target.key === 'proxy') sentToProxy.count++;
    return sendSafely(target.client, request);
  };
  const failures = [];
  const failureCounts = {};
  const check = (target, scenario, r) => {
    if (r.ok) return;
    const key = `${target.key} ${scenario}`;
    failureCounts[key] = (failureCounts[key] ?? 0) + 1;
    if (failures.length < 20) failures.push({ target: target.key, scenario, status: r.status, bytes: r.bytes, error: r.error });
  };

  // ---- 4. warm-up: every scenario on every target, not measured
  const WARM_ROUNDS = 10;
  progress(`warm-up: ${WARM_ROUNDS} rounds of every scenario on every target`);
  for (let i = 0; i < WARM_ROUNDS; i++) {
    for (const scenario of SCENARIOS) for (const target of targets) check(target, scenario.name, await sendTo(target, scenario.request));
  }

  // ---- 5. latency + end-to-end CPU, round-robin over the targets
  const cpuOf = () => Object.fromEntries(targets.map((t) => [t.key, groupCpuMs(t.server.pgid)]));
  results.latency = {};
  for (const scenario of SCENARIOS) {
    const n = scenario.n;
    progress(`latency ${scenario.name}: ${WARMUP} + ${n} rounds × ${targets.length} targets`);
    const samples = Object.fromEntries(targets.map((t) => [t.key, []]));
    let cpuBefore = null;
    for (let i = 0; i < WARMUP + n; i++) {
      if (i === WARMUP) {
        await sleep(150);
        cpuBefore = cpuOf();
      }
      for (let j = 0; j < targets.length; j++) {
        const target = targets[(i + j) % targets.length];
        const r = await sendTo(target, scenario.request);
        check(target, scenario.name, r);
        if (i >= WARMUP) samples[target.key].push(r);
      }
    }
    await sleep(300); // waitUntil tails (trace writes) land inside the window
    const cpuAfter = cpuOf();
    const entry = { requests_per_target: n, targets: {}, cpu_ms_per_request: {} };
    for (const target of targets) {
      // latency of the requests that were answered in full; failures are counted apart
      const s = samples[target.key].filter((r) => r.ok);
      entry.targets[target.key] = {
        total: roundSummary(summary(s.map((r) => r.total))),
        ttfb: scenario.stream ? roundSummary(summary(s.map((r) => r.ttfb))) : undefined,
        errors: samples[target.key].length - s.length,
        response_bytes: Math.round(s.reduce((a, r) => a + r.bytes, 0) / (s.length || 1)),
      };
      entry.cpu_ms_per_request[target.key] = round((cpuAfter[target.key] - cpuBefore[target.key]) / n, 4);
    }
    const t = entry.targets;
    const diff = (a, b, metric) => ({
      p50: round(t[a][metric].p50 - t[b][metric].p50),
      p95: round(t[a][metric].p95 - t[b][metric].p95),
      p99: round(t[a][metric].p99 - t[b][metric].p99),
    });
    entry.added_total = diff('proxy', 'null', 'total');
    entry.added_total_tracing_off = diff('proxyOff', 'null', 'total');
    entry.tracing_cost_total = diff('proxy', 'proxyOff', 'total');
    entry.null_over_upstream_total = diff('null', 'upstream', 'total');
    // paired: each round's (proxy − null), a second view of the same runs
    const paired = samples.proxy.map((r, i) => (r.ok && samples.null[i].ok ? r.total - samples.null[i].total : NaN)).filter(Number.isFinite);
    entry.added_total_paired = roundSummary(summary(paired));
    if (scenario.stream) {
      entry.added_ttfb = diff('proxy', 'null', 'ttfb');
      entry.tracing_cost_ttfb = diff('proxy', 'proxyOff', 'ttfb');
    }
    entry.cpu_over_null_ms = round(entry.cpu_ms_per_request.proxy - entry.cpu_ms_per_request.null, 4);
    entry.cpu_over_null_tracing_off_ms = round(entry.cpu_ms_per_request.proxyOff - entry.cpu_ms_per_request.null, 4);
    results.latency[scenario.name] = entry;
  }
  results.failures = failures;
  results.failure_counts = failureCounts;

  // ---- 5b. the runtime's own price for touching a body from JavaScript: null Worker vs the
  // JS-relay null Worker (same code, RELAY=js), next to claude-proxy
  {
    const floorTargets = [targets[1], { key: 'nullJs', label: 'JS-relay null Worker', server: nullJs }, targets[3], targets[2]];
    floorTargets[1].client = new Client(nullJs.url, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    results.js_floor = {};
    const rounds = Math.max(60, Math.round(N / 2));
    const longStream = { name: `stream-${LONG_STREAM_EVENTS}/passthrough`, request: eventsRequest(LONG_STREAM_EVENTS) };
    for (const name of ['small/passthrough', 'stream/passthrough', longStream.name]) {
      const scenario = name === longStream.name ? longStream : SCENARIOS.find((s) => s.name === name);
      progress(`runtime floor ${name}: ${rounds} rounds × null Worker, JS-relay null Worker, claude-proxy TRACING=off, claude-proxy`);
      const samples = Object.fromEntries(floorTargets.map((t) => [t.key, []]));
      let cpuBefore = null;
      for (let i = 0; i < 10 + rounds; i++) {
        if (i === 10) {
          await sleep(150);
          cpuBefore = Object.fromEntries(floorTargets.map((t) => [t.key, groupCpuMs(t.server.pgid)]));
        }
        for (let j = 0; j < floorTargets.length; j++) {
          const target = floorTargets[(i + j) % floorTargets.length];
          const r = await sendTo(target, scenario.request);
          check(target, `floor ${name}`, r);
          if (i >= 10 && r.ok) samples[target.key].push(r.total);
        }
      }
      await sleep(300);
      results.js_floor[name] = Object.fromEntries(
        floorTargets.map((t) => [
          t.key,
          { p50_ms: round(summary(samples[t.key]).p50), cpu_ms_per_request: round((groupCpuMs(t.server.pgid) - cpuBefore[t.key]) / rounds, 4) },
        ]),
      );
    }
    const f = results.js_floor;
    const perChunk = (key) => ((f['stream/passthrough'][key].cpu_ms_per_request - f['small/passthrough'][key].cpu_ms_per_request) * 1000) / STREAM_CHUNKS;
    results.js_floor.per_chunk_cpu_us = {
      null: round(perChunk('null'), 1),
      nullJs: round(perChunk('nullJs'), 1),
      proxyOff: round(perChunk('proxyOff'), 1),
      proxy: round(perChunk('proxy'), 1),
    };
    // The issue's goal: a passthrough event stream's CPU no longer grows with per-chunk JavaScript.
    const long = f[longStream.name];
    results.js_floor.long_stream = {
      events: LONG_STREAM_EVENTS,
      proxy_over_null: round(long.proxy.cpu_ms_per_request / long.null.cpu_ms_per_request, 3),
      proxy_off_over_null: round(long.proxyOff.cpu_ms_per_request / long.null.cpu_ms_per_request, 3),
      js_relay_over_null: round(long.nullJs.cpu_ms_per_request / long.null.cpu_ms_per_request, 3),
    };
    await floorTargets[1].client.close();
  }

  // ---- 6. throughput: small non-streamed requests, null Worker and claude-proxy in the same run
  results.throughput = {};
  for (const route of ['passthrough', 'translated']) {
    const scenario = SCENARIOS.find((s) => s.name === `small/${route}`);
    for (const concurrency of [32, 128]) {
      progress(`throughput small/${route} at concurrency ${concurrency}: null Worker and claude-proxy, ${THROUGHPUT_SECONDS * 2} s each (ABBA)`);
      const runs = { null: [], proxy: [] };
      for (const key of ['null', 'proxy', 'proxy', 'null']) {
        const target = targets.find((t) => t.key === key);
        runs[key].push(await throughput(target, scenario.request, concurrency, THROUGHPUT_SECONDS, key === 'proxy' ? sentToProxy : null));
      }
      const combine = (list) => {
        const completed = list.reduce((a, r) => a + r.completed, 0);
        const seconds = list.reduce((a, r) => a + r.seconds, 0);
        const cpu = list.reduce((a, r) => a + r.cpu_ms, 0);
        return {
          rps: round(completed / seconds, 1),
          completed,
          errors: list.reduce((a, r) => a + r.errors, 0),
          cpu_ms_per_request: round(cpu / completed, 4),
          latency_p50_ms: round(median(list.flatMap((r) => r.latencies)), 3),
        };
      };
      const nullRun = combine(runs.null);
      const proxyRun = combine(runs.proxy);
      results.throughput[`small/${route}@${concurrency}`] = { concurrency, null: nullRun, proxy: proxyRun, ratio: round(proxyRun.rps / nullRun.rps, 3) };
    }
  }

  // ---- 6b. sustained traced requests/s with and without TRACE_QUEUE (the same build, its own D1)
  results.queue = await queueThroughput(
    proxyHost,
    targets.find((t) => t.key === 'proxy'),
    sentToProxy,
  );

  // ---- 7. every claude-proxy request traced; none with TRACING=off
  progress('waiting for every trace to land in D1');
  let traced = 0;
  const deadline = Date.now() + 60_000;
  let stableSince = Date.now();
  for (;;) {
    const now = Number((await proxy.sql('SELECT COUNT(*) AS n FROM traces')).results[0].n);
    if (now !== traced) stableSince = Date.now();
    traced = now;
    if (traced >= sentToProxy.count || Date.now() > deadline || Date.now() - stableSince > 5000) break;
    await sleep(250);
  }
  const byStatus = (await proxy.sql('SELECT status, COUNT(*) AS n FROM traces GROUP BY status')).results;
  const tracedOff = Number((await proxyOff.sql('SELECT COUNT(*) AS n FROM traces')).results[0].n);
  results.trace_accounting = {
    requests_sent: sentToProxy.count,
    traces: traced,
    missing: sentToProxy.count - traced,
    by_status: byStatus,
    tracing_off_traces: tracedOff,
  };

  // ---- 8. stored bytes per trace, by scenario, from the traced proxy's D1
  progress('storage: bytes and rows written per trace');
  const columns = (await proxy.sql("SELECT name FROM pragma_table_info('traces')")).results.map((c) => c.name);
  const rowBytes = columns.map((c) => `IFNULL(LENGTH(CAST("${c}" AS BLOB)), 0)`).join(' + ');
  const indexes = (await proxy.sql("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traces'")).results.map((r) => r.name);
  results.storage = { columns: columns.length, trace_indexes: indexes, by_scenario: {} };
  for (const scenario of SCENARIOS) {
    const sizeCond = scenario.size === 'small' ? 'request_bytes < 10000' : 'request_bytes >= 10000';
    const where = `requested_model = ? AND stream = ? AND ${sizeCond} AND status = 200`;
    const params = [MODELS[scenario.route], scenario.stream ? 1 : 0];
    const stats = (
      await proxy.sql(
        `SELECT COUNT(*) AS n, AVG(${rowBytes}) AS bytes, AVG(IFNULL(LENGTH(CAST(request_body AS BLOB)),0) + IFNULL(LENGTH(CAST(new_messages AS BLOB)),0)) AS request_body, AVG(IFNULL(LENGTH(CAST(upstream_request_body AS BLOB)),0) + IFNULL(LENGTH(CAST(upstream_new_messages AS BLOB)),0)) AS upstream_request_body, AVG(IFNULL(LENGTH(CAST(response_body AS BLOB)),0)) AS response_body, AVG(IFNULL(LENGTH(CAST(request_headers AS BLOB)),0) + IFNULL(LENGTH(CAST(attempts AS BLOB)),0)) AS headers_attempts FROM traces WHERE ${where}`,
        ...params,
      )
    ).results[0];
    const sample = (await proxy.sql(`SELECT id FROM traces WHERE ${where} LIMIT 1`, ...params)).results[0];
    const rowsWritten = sample ? await replayInsert(proxy, columns, sample.id) : null;
    results.storage.by_scenario[scenario.name] = {
      traces: Number(stats.n),
      row_bytes: Math.round(stats.bytes),
      request_body: Math.round(stats.request_body),
      upstream_request_body: Math.round(stats.upstream_request_body),
      response_body: Math.round(stats.response_body),
      headers_and_attempts: Math.round(stats.headers_attempts),
      rows_written: rowsWritten,
    };
  }

  // ---- 8b. what one D1 absorbs: SQLite time per trace insert, alone and in batches of 100
  results.d1_absorption = await d1Absorption(proxy);

  await stopServers([nullWorker, proxy, proxyOff, nullJs]);
  for (const target of targets) await target.client.close().catch(() => {});

  // ---- 9. D1 file growth per trace, and a 30-turn Claude Code session, without and with R2
  progress('storage: a fresh D1 per configuration; per-trace growth, then a 30-turn session (no R2, R2)');
  const [storeD1, storeR2] = await Promise.all([startWorker(STATE, 'store-d1', proxyHost()), startWorker(STATE, 'store-r2', proxyHost({ r2: true }))]);
  servers.push(storeD1, storeR2);
  results.storage.growth = await fileGrowth(storeD1, columns, rowBytes);
  results.session = {};
  for (const [label, store] of [
    ['d1', storeD1],
    ['r2', storeR2],
  ]) {
    for (const route of ['passthrough', 'translated']) {
      results.session[`${route}/${label}`] = await sessionRun(store, route, `bench-session-${route}-${label}`, rowBytes, label === 'r2');
    }
  }
  await stopServers([storeD1, storeR2]);

  // ---- 9b. operations: what the KEY_BUDGETS check and GET /health cost
  results.operations = await operationsRun(proxyHost);

  // ---- 9c. the same proxy under wrangler dev, beside the null Worker under wrangler dev
  let devSeconds = 0;
  if (!args['no-dev']) {
    const devStarted = Date.now();
    const upstream = await startUpstream(STATE, { delayMs: DELAY_MS });
    servers.push(upstream);
    results.dev = await devRun(upstream, Number(args['dev-n'] ?? Math.min(N, 200)), Math.min(WARMUP, 20));
    await stopServers([upstream]);
    devSeconds = (Date.now() - devStarted) / 1000;
  }

  // ---- 10. verdicts, then CPU profiles wherever a target is missed
  const verdicts = evaluate(results);
  results.targets = verdicts;
  results.profiles = {};
  if (PROFILE) {
    const missed = [
      ...new Set(
        verdicts
          .filter((v) => !v.pass)
          .map((v) => v.profile)
          .filter(Boolean),
      ),
    ];
    for (const what of missed.filter((w) => w.startsWith('micro:'))) {
      const name = what.slice(6);
      progress(`profiling the microbenchmark (${name}): per-step medians, then node --cpu-prof`);
      results.profiles[what] = await microProfile(microFile, name);
    }
    const inWorkerd = missed.filter((w) => w.startsWith('workerd:')).map((w) => w.slice(8));
    if (inWorkerd.length > 0) {
      const budgetS = Number(args['budget-s'] ?? 270);
      // warm-up + profiled requests at the latency measured above, with some slack
      const perProfileS = (name) => ((30 + profileCount(name)) * (results.latency[name]?.targets.proxy.total.p50 ?? 30) * 1.4) / 1000 + 0.5;
      const chosen = [];
      // The wrangler dev phase is not part of the budget the profiles share.
      let planned = (Date.now() - startedAt) / 1000 - devSeconds + 6;
      for (const name of inWorkerd) {
        if (planned + perProfileS(name) > budgetS) continue;
        planned += perProfileS(name);
        chosen.push(name);
      }
      const skipped = inWorkerd.filter((name) => !chosen.includes(name));
      if (skipped.length) results.profiles_skipped = { reason: `time budget (${budgetS} s)`, scenarios: skipped };
      if (chosen.length) {
        progress(`profiling claude-proxy in workerd through its inspector: ${chosen.join(', ')}`);
        // The same code unminified (wrangler.jsonc minifies), so the profile names functions and modules.
        const readable = await wranglerBuild('proxy-unminified', path.join(ROOT, 'wrangler.jsonc'), ['--minify=false']);
        Object.assign(
          results.profiles,
          await workerdProfiles(
            (extra = {}) => ({ ...proxyHost(extra), script: readable.script }),
            readable.script,
            chosen.map((name) => SCENARIOS.find((s) => s.name === name)),
          ),
        );
      }
    }
  }

  results.machine.loadavg_end = os.loadavg().map((n) => round(n, 2));
  results.duration_s = round((Date.now() - startedAt) / 1000, 1);
  results.phases = phases;
  const file = path.join(RESULTS, `${new Date(startedAt).toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  print(results, file);
} catch (err) {
  console.error(err?.stack ?? err);
  process.exitCode = 1;
} finally {
  await stopServers([...servers]).catch(() => {});
  killAllSync();
}

// ---------------------------------------------------------------------------------------------

/**
 * claude-proxy under `wrangler dev`, as `npm run dev` runs it, beside the null Worker under
 * `wrangler dev` too, in one round-robin (plus the proxy with LOG_REQUESTS=off and TRACING=off,
 * to take the cost apart). Each wrangler dev is its own process group: CPU per request is the
 * group's user + system time over the measured requests (wrangler's Node process and its
 * workerd processes: what a request costs on a developer's machine).
 */
async function devRun(upstream, n, warmup) {
  const wrangler = path.join(ROOT, 'node_modules/.bin/wrangler');
  const routes = JSON.stringify([
    { match: 'claude-pass*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' },
    { match: 'claude-trans*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'bench-model' },
  ]);
  const proxy = (vars, extra = {}) => ({ root: ROOT, config: proxyConfig, extra, vars: { ROUTES: routes, ...vars }, wrangler, migrate: true });
  // README's TRACE_QUEUE configuration (wrangler dev runs the queues locally).
  const queues = {
    producers: [{ binding: 'TRACE_QUEUE', queue: 'bench-traces' }],
    consumers: [
      { queue: 'bench-traces', max_batch_size: 100, max_batch_timeout: 5, max_retries: 5, dead_letter_queue: 'bench-traces-dlq' },
      { queue: 'bench-traces-dlq', max_batch_size: 100, max_batch_timeout: 30, max_retries: 0 },
    ],
  };
  const specs = [
    ['null', { root: path.join(BENCH, 'null-worker'), config: nullConfig, vars: { UPSTREAM: upstream.url }, wrangler }],
    ['proxy', proxy({})],
    ['proxyLogOff', proxy({ LOG_REQUESTS: 'off' })],
    ['proxyOff', proxy({ TRACING: 'off' })],
    ['proxyQueue', proxy({}, { queues })],
  ];
  progress(`wrangler dev: starting ${specs.map(([key]) => key).join(', ')} (one process group each)`);
  const targets = [];
  try {
    // One at a time: four wrangler starts at once overload a small machine.
    for (const [key, spec] of specs) targets.push({ key, server: await startDev(STATE, `dev-${key}`, spec) });
    for (const target of targets) {
      servers.push(target.server);
      target.client = new Client(target.server.url, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
    }
    const out = { requests_per_target: n, scenarios: {} };
    let sentToProxy = 0;
    let sentToQueue = 0;
    let failed = 0;
    for (const scenario of DEV_SCENARIOS) {
      progress(`wrangler dev ${scenario.name}: ${warmup} + ${n} rounds × ${targets.length} targets`);
      const samples = Object.fromEntries(targets.map((t) => [t.key, []]));
      let cpuBefore = null;
      for (let i = 0; i < warmup + n; i++) {
        if (i === warmup) {
          await sleep(300);
          cpuBefore = Object.fromEntries(targets.map((t) => [t.key, groupCpuByName(t.server.pgid)]));
        }
        for (let j = 0; j < targets.length; j++) {
          const target = targets[(i + j) % targets.length];
          if (target.key === 'proxy') sentToProxy++;
          if (target.key === 'proxyQueue') sentToQueue++;
          const r = await sendSafely(target.client, scenario.request);
          if (!r.ok) failed++;
          if (i >= warmup && r.ok) samples[target.key].push(r);
        }
      }
      await sleep(1000); // waitUntil tails (trace writes, log lines through wrangler) land inside the window
      const entry = { targets: {} };
      for (const target of targets) {
        const s = samples[target.key];
        const after = groupCpuByName(target.server.pgid);
        // Where the group's CPU went: wrangler's Node process, or the workerd processes.
        const byProcess = Object.fromEntries(Object.keys(after).map((name) => [name, round((after[name] - (cpuBefore[target.key][name] ?? 0)) / n, 4)]));
        entry.targets[target.key] = {
          total: roundSummary(summary(s.map((r) => r.total))),
          ttfb: scenario.request.stream ? roundSummary(summary(s.map((r) => r.ttfb))) : undefined,
          ok: s.length,
          cpu_ms_per_request: round(
            Object.values(byProcess).reduce((a, b) => a + b, 0),
            4,
          ),
          cpu_ms_by_process: byProcess,
        };
      }
      const t = entry.targets;
      const over = (a, b) => ({
        p50_ms: round(t[a].total.p50 - t[b].total.p50),
        p95_ms: round(t[a].total.p95 - t[b].total.p95),
        cpu_ms: round(t[a].cpu_ms_per_request - t[b].cpu_ms_per_request, 4),
      });
      entry.added = over('proxy', 'null');
      entry.log_line = over('proxy', 'proxyLogOff');
      entry.tracing = over('proxy', 'proxyOff');
      entry.added_tracing_off = over('proxyOff', 'null');
      entry.added_queue = over('proxyQueue', 'null');
      if (scenario.request.stream) entry.added_ttfb_p50_ms = round(t.proxy.ttfb.p50 - t.null.ttfb.p50);
      if (!scenario.request.stream) {
        // Back to back: blocks of requests to one Worker, each sent when the last answered, so the
        // work a request leaves in waitUntil (the trace write, the log line) can delay the next.
        const blocks = { null: [], proxy: [] };
        for (let block = 0; block < 10; block++) {
          for (const key of block % 2 ? ['proxy', 'null'] : ['null', 'proxy']) {
            const target = targets.find((x) => x.key === key);
            for (let i = 0; i < Math.max(5, Math.round(n / 10)); i++) {
              if (key === 'proxy') sentToProxy++;
              const r = await sendSafely(target.client, scenario.request);
              if (r.ok) blocks[key].push(r.total);
            }
          }
        }
        entry.back_to_back = {
          null_p50_ms: round(median(blocks.null)),
          proxy_p50_ms: round(median(blocks.proxy)),
          added_p50_ms: round(median(blocks.proxy) - median(blocks.null)),
        };
      }
      out.scenarios[scenario.name] = entry;
    }
    out.failed = failed;
    const count = async (key) => Number((await targets.find((t) => t.key === key).server.sql('SELECT COUNT(*) AS n FROM traces'))[0].n);
    const traced = await count('proxy');
    out.trace_accounting = { requests_sent: sentToProxy, traces: traced, missing: sentToProxy - traced };
    // The queue's last batch lands within its batch timeout.
    await sleep(6000);
    out.queue_accounting = { requests_sent: sentToQueue, traces: await count('proxyQueue') };
    return out;
  } finally {
    for (const target of targets) await target.client?.close().catch(() => {});
    await stopServers(targets.map((t) => t.server));
  }
}

function printDev(d) {
  const lines = [];
  lines.push(
    `wrangler dev (what \`npm run dev\` runs), ${d.requests_per_target} rounds per scenario, round-robin over the null Worker and claude-proxy (and the proxy with LOG_REQUESTS=off, TRACING=off, TRACE_QUEUE), each under its own wrangler dev`,
  );
  lines.push(
    table(
      [
        'scenario',
        'null p50',
        'proxy p50',
        'added p50 / p95',
        'CPU ms/req null / proxy',
        'CPU added',
        'log line p50 / CPU',
        'tracing p50 / CPU',
        'TRACE_QUEUE: added p50 / CPU',
        'back to back: added p50',
      ],
      Object.entries(d.scenarios).map(([name, e]) => [
        name,
        fixed(e.targets.null.total.p50),
        fixed(e.targets.proxy.total.p50),
        `${signed(e.added.p50_ms)} / ${signed(e.added.p95_ms)}`,
        `${fixed(e.targets.null.cpu_ms_per_request)} / ${fixed(e.targets.proxy.cpu_ms_per_request)}`,
        signed(e.added.cpu_ms),
        `${signed(e.log_line.p50_ms)} / ${signed(e.log_line.cpu_ms)}`,
        `${signed(e.tracing.p50_ms)} / ${signed(e.tracing.cpu_ms)}`,
        e.added_queue ? `${signed(e.added_queue.p50_ms)} / ${signed(e.added_queue.cpu_ms)}` : '',
        e.back_to_back ? signed(e.back_to_back.added_p50_ms) : '',
      ]),
    ),
  );
  const acc = d.trace_accounting;
  lines.push(
    `traces: ${acc.traces} in D1 for ${acc.requests_sent} requests to claude-proxy${acc.missing ? ` (${acc.missing} missing)` : ''}${d.failed ? `; ${d.failed} requests failed` : ''}`,
  );
  if (d.queue_accounting) lines.push(`with TRACE_QUEUE: ${d.queue_accounting.traces} traces for ${d.queue_accounting.requests_sent} requests`);
  const split = d.scenarios['small/passthrough']?.targets;
  if (split?.null?.cpu_ms_by_process) {
    lines.push("Where a small request's CPU goes under wrangler dev, ms per request (wrangler's Node processes / its workerd processes):");
    lines.push(
      table(
        ['Worker', 'node', 'workerd', 'all'],
        Object.entries(split).map(([key, t]) => {
          const by = t.cpu_ms_by_process;
          const sum = (name) => Object.entries(by).reduce((a, [n, ms]) => (n === name ? a + ms : a), 0);
          return [key, fixed(sum('node')), fixed(sum('workerd')), fixed(t.cpu_ms_per_request)];
        }),
      ),
    );
  }
  return lines;
}

/**
 * Sustained throughput of traced requests, closed loop at concurrency 32: claude-proxy writing
 * each trace itself, and claude-proxy with TRACE_QUEUE (Miniflare's queue, consumed by the same
 * Worker in batches of up to 100), ABBA, small and 80 KB requests. Then how long the queue takes
 * to drain, and whether every request sent to it was traced.
 */
async function queueThroughput(proxyHost, direct, sentToProxy) {
  progress('queue: starting claude-proxy with TRACE_QUEUE (Miniflare queue, consumed by the same Worker)');
  const queued = await startWorker(STATE, 'proxy-queue', proxyHost({ queue: true }));
  servers.push(queued);
  const target = { key: 'proxyQueue', server: queued };
  const sent = { count: 0 };
  const out = { concurrency: 32, seconds: THROUGHPUT_SECONDS * 2, scenarios: {} };
  try {
    for (const name of ['small/passthrough', '80k/passthrough']) {
      const scenario = SCENARIOS.find((s) => s.name === name);
      progress(`queue: ${name} at concurrency 32, direct writes and TRACE_QUEUE, ${THROUGHPUT_SECONDS * 2} s each (ABBA)`);
      const runs = { direct: [], queue: [] };
      for (const key of ['direct', 'queue', 'queue', 'direct']) {
        runs[key].push(
          key === 'direct'
            ? await throughput(direct, scenario.request, 32, THROUGHPUT_SECONDS, sentToProxy)
            : await throughput(target, scenario.request, 32, THROUGHPUT_SECONDS, sent),
        );
      }
      const combine = (list) => {
        const completed = list.reduce((a, r) => a + r.completed, 0);
        const seconds = list.reduce((a, r) => a + r.seconds, 0);
        return {
          rps: round(completed / seconds, 1),
          errors: list.reduce((a, r) => a + r.errors, 0),
          cpu_ms_per_request: round(list.reduce((a, r) => a + r.cpu_ms, 0) / completed, 4),
          latency_p50_ms: round(median(list.flatMap((r) => r.latencies)), 3),
        };
      };
      const d = combine(runs.direct);
      const q = combine(runs.queue);
      out.scenarios[name] = { direct: d, queue: q, ratio: round(q.rps / d.rps, 3) };
    }
    // The backlog the consumer still had when the load stopped, and how long it took.
    const drainStart = Date.now();
    let traced = 0;
    for (;;) {
      traced = Number((await queued.sql('SELECT COUNT(*) AS n FROM traces')).results[0].n);
      if (traced >= sent.count || Date.now() - drainStart > 120_000) break;
      await sleep(100);
    }
    out.drain_ms = Date.now() - drainStart;
    out.requests_sent = sent.count;
    out.traces = traced;
    out.missing = sent.count - traced;
  } finally {
    await stopServers([queued]);
  }
  return out;
}

/**
 * What one D1 database absorbs: trace inserts written as claude-proxy writes them, one D1 batch
 * per trace (each request's own write) and 100 per batch (the TRACE_QUEUE consumer), into a fresh
 * local D1 (bench/d1-writer), with a small and an 80 KB row copied from the run's traces. One D1
 * database writes one statement at a time, so traces/s here is its ceiling on this machine, and
 * CPU per trace is what the local D1 itself costs.
 */
async function d1Absorption(server) {
  progress('what one D1 absorbs: trace inserts one per batch and 100 per batch, into a fresh local D1');
  const writer = await startWorker(STATE, 'd1-writer', {
    script: path.join(BENCH, 'd1-writer/index.js'),
    ...compat,
    d1: true,
    migrationsDir: path.join(ROOT, proxyConfig.d1_databases?.[0]?.migrations_dir ?? 'drizzle'),
  });
  servers.push(writer);
  const out = {};
  try {
    for (const [label, where] of [
      ['small', 'request_bytes < 10000'],
      ['80k', 'request_bytes >= 10000'],
    ]) {
      const row = (await server.sql(`SELECT * FROM traces WHERE ${where} AND status = 200 LIMIT 1`)).results[0];
      if (!row) continue;
      // The frames the row refers to (D1 checks the foreign keys), copied once: later turns of a
      // session refer to the frame its first turn stored.
      const pieces = (
        await server.sql(
          'SELECT hash, kind, json, hex(gzip) AS gzip_hex, r2_key, chars, preview, created_at, last_day FROM body_pieces WHERE hash IN (?, ?)',
          row.request_frame,
          row.upstream_frame,
        )
      ).results;
      const write = async (mode, count) => {
        const cpu0 = groupCpuMs(writer.pgid);
        const res = await fetch(`${writer.url}/`, { method: 'POST', body: JSON.stringify({ row, pieces, mode, count }) });
        const text = await res.text();
        if (!res.ok) throw new Error(`d1-writer: ${text.slice(0, 500)}`);
        const { ms } = JSON.parse(text);
        return { traces_per_s: round((count * 1000) / Math.max(ms, 1), 0), cpu_ms_per_trace: round((groupCpuMs(writer.pgid) - cpu0) / count, 4) };
      };
      await write('alone', 50);
      await write('batched', 200);
      out[label] = { alone: await write('alone', 500), batched: await write('batched', 2000) };
    }
  } finally {
    await stopServers([writer]);
  }
  return out;
}

function printQueue(q, a) {
  const lines = [];
  lines.push(
    `TRACE_QUEUE: sustained traced requests/s, closed loop at concurrency ${q.concurrency}, direct D1 writes vs the queue (${q.seconds} s each, ABBA)`,
  );
  lines.push(
    table(
      ['scenario', 'direct req/s', 'queue req/s', 'queue / direct', 'CPU ms/req direct', 'CPU ms/req queue', 'p50 direct / queue', 'errors'],
      Object.entries(q.scenarios).map(([name, e]) => [
        name,
        fixed(e.direct.rps, 0),
        fixed(e.queue.rps, 0),
        fixed(e.ratio, 2),
        fixed(e.direct.cpu_ms_per_request, 3),
        fixed(e.queue.cpu_ms_per_request, 3),
        `${fixed(e.direct.latency_p50_ms)} / ${fixed(e.queue.latency_p50_ms)}`,
        e.direct.errors + e.queue.errors,
      ]),
    ),
  );
  lines.push(
    `queue drained ${fixed(q.drain_ms / 1000, 1)} s after the load stopped; ${q.traces} traces for ${q.requests_sent} requests${q.missing ? ` (${q.missing} missing)` : ' (every one)'}`,
  );
  if (a) {
    lines.push('What one local D1 absorbs (bench/d1-writer, a fresh D1 on this machine): trace inserts per second, and CPU ms per trace');
    lines.push(
      table(
        ['row', 'one per D1 batch: traces/s', 'CPU ms/trace', '100 per D1 batch: traces/s', 'CPU ms/trace'],
        Object.entries(a).map(([label, e]) => [
          label,
          fixed(e.alone.traces_per_s, 0),
          fixed(e.alone.cpu_ms_per_trace, 3),
          fixed(e.batched.traces_per_s, 0),
          fixed(e.batched.cpu_ms_per_trace, 3),
        ]),
      ),
    );
  }
  return lines;
}

/** The proxy as the main run starts it, for --only=operations (which skips the main run). */
function operationsHost(proxyBuild, upstream) {
  const ROUTES = JSON.stringify([{ match: 'claude-pass*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' }]);
  const migrationsDir = path.join(ROOT, proxyConfig.d1_databases?.[0]?.migrations_dir ?? 'drizzle');
  return (extra = {}) => ({
    script: proxyBuild.script,
    ...compat,
    d1: true,
    migrationsDir,
    ...extra,
    bindings: { ...(proxyConfig.vars ?? {}), ROUTES, ...(extra.bindings ?? {}) },
  });
}

/**
 * The budget check on the request path, and GET /health. Four proxies, round-robin on the small
 * passthrough request: the client's own key (no PROXY_API_KEYS), a named proxy key (two identical
 * proxies: their difference is the noise floor), and the same key under KEY_BUDGETS. budget − keys
 * is the check itself (the key_spend write happens in waitUntil for every named key, with or
 * without budgets: keys − plain holds it, with the key hashing). Then GET /health against GET /
 * on the budgeted proxy, each in its own CPU window.
 */
async function operationsRun(host) {
  const PROXY_KEY = 'sk-bench-proxy-key-0001';
  const named = { PROXY_API_KEYS: `bench:${PROXY_KEY}` };
  progress('operations: starting proxies without PROXY_API_KEYS, with a named key (twice), and with that key under KEY_BUDGETS');
  const [plain, keys, keysAgain, budget] = await Promise.all([
    startWorker(STATE, 'ops-plain', host()),
    startWorker(STATE, 'ops-keys', host({ bindings: named })),
    startWorker(STATE, 'ops-keys-again', host({ bindings: named })),
    startWorker(STATE, 'ops-budget', host({ bindings: { ...named, KEY_BUDGETS: JSON.stringify({ bench: { daily: 1e9, monthly: 1e9 } }) } })),
  ]);
  servers.push(plain, keys, keysAgain, budget);
  const withKey = makeRequest('passthrough', 'small', false, { 'x-api-key': PROXY_KEY });
  // keysAgain is keys run twice: how far two identical proxies differ here (the noise floor).
  const targets = [
    { key: 'plain', server: plain, request: makeRequest('passthrough', 'small', false) },
    { key: 'keys', server: keys, request: withKey },
    { key: 'keysAgain', server: keysAgain, request: withKey },
    { key: 'budget', server: budget, request: withKey },
  ];
  for (const target of targets) target.client = new Client(target.server.url, { pipelining: 1, keepAliveTimeout: 120_000, keepAliveMaxTimeout: 120_000 });
  const out = { requests_per_target: N, targets: {} };
  try {
    progress(`operations: budget check, ${WARMUP} + ${N} rounds × ${targets.length} proxies`);
    const samples = Object.fromEntries(targets.map((t) => [t.key, []]));
    let cpuBefore = null;
    let failed = 0;
    for (let i = 0; i < WARMUP + N; i++) {
      if (i === WARMUP) {
        await sleep(150);
        cpuBefore = Object.fromEntries(targets.map((t) => [t.key, groupCpuMs(t.server.pgid)]));
      }
      for (let j = 0; j < targets.length; j++) {
        const target = targets[(i + j) % targets.length];
        const r = await sendSafely(target.client, target.request);
        if (!r.ok) failed++;
        if (i >= WARMUP && r.ok) samples[target.key].push(r.total);
      }
    }
    await sleep(300);
    for (const target of targets) {
      out.targets[target.key] = {
        total: roundSummary(summary(samples[target.key])),
        cpu_ms_per_request: round((groupCpuMs(target.server.pgid) - cpuBefore[target.key]) / N, 4),
      };
    }
    const t = out.targets;
    out.failed = failed;
    out.budget_check = {
      p50_ms: round(t.budget.total.p50 - t.keys.total.p50),
      p95_ms: round(t.budget.total.p95 - t.keys.total.p95),
      cpu_ms: round(t.budget.cpu_ms_per_request - t.keys.cpu_ms_per_request, 4),
    };
    out.identical_proxies = {
      p50_ms: round(t.keysAgain.total.p50 - t.keys.total.p50),
      p95_ms: round(t.keysAgain.total.p95 - t.keys.total.p95),
      cpu_ms: round(t.keysAgain.cpu_ms_per_request - t.keys.cpu_ms_per_request, 4),
    };
    out.named_key = {
      p50_ms: round(t.keys.total.p50 - t.plain.total.p50),
      p95_ms: round(t.keys.total.p95 - t.plain.total.p95),
      cpu_ms: round(t.keys.cpu_ms_per_request - t.plain.cpu_ms_per_request, 4),
    };

    progress(`operations: GET /health and GET /, ${WARMUP} + ${N} each`);
    const client = targets[3].client;
    const get = async (p) => {
      const t0 = performance.now();
      const res = await client.request({ path: p, method: 'GET' });
      const text = await res.body.text();
      return { ms: performance.now() - t0, status: res.statusCode, text };
    };
    out.health = {};
    for (const p of ['/health', '/']) {
      for (let i = 0; i < WARMUP; i++) await get(p);
      await sleep(150);
      const cpu0 = groupCpuMs(budget.pgid);
      const times = [];
      let last = null;
      for (let i = 0; i < N; i++) {
        last = await get(p);
        if (last.status === 200) times.push(last.ms);
      }
      const cpu1 = groupCpuMs(budget.pgid);
      out.health[p] = { ...roundSummary(summary(times)), ok: times.length, cpu_ms_per_request: round((cpu1 - cpu0) / N, 4) };
      if (p === '/health') out.health.sample = JSON.parse(last.text);
    }
    out.health.added = {
      p50_ms: round(out.health['/health'].p50 - out.health['/'].p50),
      p95_ms: round(out.health['/health'].p95 - out.health['/'].p95),
      cpu_ms: round(out.health['/health'].cpu_ms_per_request - out.health['/'].cpu_ms_per_request, 4),
    };
  } finally {
    for (const target of targets) await target.client.close().catch(() => {});
    await stopServers([plain, keys, keysAgain, budget]);
  }
  return out;
}

function printOperations(o) {
  const lines = [];
  const t = o.targets;
  lines.push(`Operations (${o.requests_per_target} rounds each; small passthrough request; ms, p50 / p95; CPU ms per request of the whole workerd group)`);
  lines.push(
    table(
      ['proxy', 'total p50 / p95', 'CPU'],
      [
        ['client key, no PROXY_API_KEYS', `${fixed(t.plain.total.p50)} / ${fixed(t.plain.total.p95)}`, fixed(t.plain.cpu_ms_per_request, 3)],
        ['named proxy key', `${fixed(t.keys.total.p50)} / ${fixed(t.keys.total.p95)}`, fixed(t.keys.cpu_ms_per_request, 3)],
        [
          'named proxy key, a second identical proxy',
          `${fixed(t.keysAgain.total.p50)} / ${fixed(t.keysAgain.total.p95)}`,
          fixed(t.keysAgain.cpu_ms_per_request, 3),
        ],
        ['named proxy key + KEY_BUDGETS', `${fixed(t.budget.total.p50)} / ${fixed(t.budget.total.p95)}`, fixed(t.budget.cpu_ms_per_request, 3)],
      ],
    ),
  );
  lines.push(
    `budget check (KEY_BUDGETS − named key): p50 ${signed(o.budget_check.p50_ms)} ms, p95 ${signed(o.budget_check.p95_ms)} ms, CPU ${signed(o.budget_check.cpu_ms)} ms per request`,
  );
  lines.push(
    `noise floor (two identical proxies): p50 ${signed(o.identical_proxies.p50_ms)} ms, p95 ${signed(o.identical_proxies.p95_ms)} ms, CPU ${signed(o.identical_proxies.cpu_ms)} ms per request`,
  );
  lines.push(`named key (hashing + the key_spend write in waitUntil): p50 ${signed(o.named_key.p50_ms)} ms, CPU ${signed(o.named_key.cpu_ms)} ms per request`);
  const h = o.health;
  lines.push(
    `GET /health: p50 ${fixed(h['/health'].p50)} ms, p95 ${fixed(h['/health'].p95)} ms, CPU ${fixed(h['/health'].cpu_ms_per_request, 3)} ms; GET /: p50 ${fixed(h['/'].p50)} ms, CPU ${fixed(h['/'].cpu_ms_per_request, 3)} ms; /health over /: p50 ${signed(h.added.p50_ms)} ms, CPU ${signed(h.added.cpu_ms)} ms (one D1 query; d1.latency_ms ${h.sample.d1.latency_ms})`,
  );
  if (o.failed) lines.push(`WARNING: ${o.failed} requests failed`);
  return lines;
}

function roundSummary(s) {
  return { p50: round(s.p50), p95: round(s.p95), p99: round(s.p99), mean: round(s.mean) };
}

/** Closed-loop load: `concurrency` requests in flight for `seconds`, after 0.5 s not counted. */
async function throughput(target, request, concurrency, seconds, counter) {
  const pool = new Pool(target.server.url, { connections: concurrency, pipelining: 1, keepAliveTimeout: 120_000 });
  let counting = false;
  let stop = false;
  let completed = 0;
  let errors = 0;
  const latencies = [];
  const worker = async () => {
    while (!stop) {
      const t0 = performance.now();
      if (counter) counter.count++;
      try {
        const res = await pool.request({ path: '/v1/messages', method: 'POST', headers: request.headers, body: request.body });
        await res.body.dump({ limit: Infinity });
        if (counting && !stop) {
          if (res.statusCode === 200) {
            completed++;
            if (latencies.length < 20_000) latencies.push(performance.now() - t0);
          } else errors++;
        }
      } catch {
        if (counting) errors++;
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  await sleep(500);
  const cpu0 = groupCpuMs(target.server.pgid);
  const t0 = performance.now();
  counting = true;
  await sleep(seconds * 1000);
  stop = true;
  const elapsed = (performance.now() - t0) / 1000;
  const cpu1 = groupCpuMs(target.server.pgid);
  await Promise.all(workers);
  await pool.close();
  return { completed, errors, seconds: elapsed, cpu_ms: cpu1 - cpu0, latencies };
}

/** rows_written of the trace's own INSERT (indexes included): the row inserted again under a new id, then removed. */
async function replayInsert(server, columns, id) {
  const list = columns.map((c) => `"${c}"`).join(', ');
  const select = columns.map((c) => (c === 'id' ? `id || '-replay'` : `"${c}"`)).join(', ');
  const inserted = await server.sql(`INSERT INTO traces (${list}) SELECT ${select} FROM traces WHERE id = ?`, id);
  await server.sql('DELETE FROM traces WHERE id = ?', `${id}-replay`);
  return inserted.meta.rows_written;
}

async function waitForTrace(server, id, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rows = (await server.sql('SELECT id FROM traces WHERE id = ?', id)).results;
    if (rows.length > 0) return true;
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
}

async function dbSize(server) {
  return (await server.sql('SELECT 1')).meta.size_after;
}

/** The D1 file's growth over K traces of each kind, sent one at a time. */
async function fileGrowth(server, columns, rowBytes) {
  const client = new Client(server.url, { pipelining: 1 });
  const out = {};
  try {
    for (const [size, k] of [
      ['small', 40],
      ['80k', 10],
    ]) {
      for (const route of ['passthrough', 'translated']) {
        const request = makeRequest(route, size, false);
        const before = await dbSize(server);
        const ids = [];
        for (let i = 0; i < k; i++) {
          const r = await sendSafely(client, request);
          if (!r.traceId) continue;
          ids.push(r.traceId);
          await waitForTrace(server, r.traceId);
        }
        const after = await dbSize(server);
        const logical = (await server.sql(`SELECT AVG(${rowBytes}) AS b FROM traces WHERE id IN (${ids.map(() => '?').join(',')})`, ...ids)).results[0].b;
        out[`${size}/${route}`] = {
          traces: k,
          file_growth_bytes_per_trace: Math.round((after - before) / k),
          row_bytes: Math.round(logical),
          rows_written: await replayInsert(server, columns, ids[0]),
        };
      }
    }
  } finally {
    await client.close();
  }
  return out;
}

/** A 30-turn Claude Code session: each turn resends the whole growing history, streamed. */
async function sessionRun(server, route, sessionId, rowBytes, r2) {
  const client = new Client(server.url, { pipelining: 1 });
  const turns = [];
  const seenObjects = new Set(r2 ? (await server.r2list('')).map((object) => object.key) : []);
  try {
    for (let turn = 1; turn <= 30; turn++) {
      const request = makeRequest(route, '80k', true, { 'x-claude-code-session-id': sessionId }, turn - 1);
      const before = await dbSize(server);
      const r = await sendSafely(client, request);
      if (r.traceId) await waitForTrace(server, r.traceId);
      // R2 puts finish before the row is inserted (pieces and large bodies go first)
      const after = await dbSize(server);
      const row = (
        await server.sql(
          `SELECT ${rowBytes} AS b, IFNULL(request_bytes, 0) + IFNULL(upstream_request_bytes, 0) + IFNULL(response_bytes, 0) AS whole FROM traces WHERE id = ?`,
          r.traceId ?? '',
        )
      ).results[0] ?? { b: 0, whole: 0 };
      // What this turn added to R2: its own objects (traces/…/<id>/) and the new pieces (pieces/<hash>).
      let r2Bytes = 0;
      let r2Objects = 0;
      if (r2) {
        for (const object of await server.r2list('')) {
          if (seenObjects.has(object.key)) continue;
          seenObjects.add(object.key);
          r2Bytes += object.size;
          r2Objects++;
        }
      }
      turns.push({
        turn,
        request_bytes: request.body.length,
        d1_row_bytes: row.b,
        // What the bodies would take stored whole, as before body format 1 (request, translated request, answer).
        whole_bytes: row.whole,
        d1_file_growth_bytes: after - before,
        r2_bytes: r2Bytes,
        r2_objects: r2Objects,
        ok: r.ok,
      });
    }
  } finally {
    await client.close();
  }
  const sum = (key) => turns.reduce((a, t) => a + t[key], 0);
  return {
    turns,
    totals: {
      request_bytes: sum('request_bytes'),
      d1_row_bytes: sum('d1_row_bytes'),
      whole_bytes: sum('whole_bytes'),
      d1_file_growth_bytes: sum('d1_file_growth_bytes'),
      r2_bytes: sum('r2_bytes'),
      r2_objects: sum('r2_objects'),
    },
  };
}

async function microProfile(microFile, name) {
  const steps = JSON.parse(
    (await execFile(process.execPath, [microFile, `--only=${name}`, '--seconds=1', '--breakdown'], { cwd: ROOT, maxBuffer: 16 << 20 })).stdout,
  ).results[0].steps;
  const dir = path.join(BUILD, 'prof', `micro-${name.replace(/\W+/g, '-')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await execFile(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', microFile, `--only=${name}`, '--seconds=2'], {
    cwd: ROOT,
    maxBuffer: 16 << 20,
  });
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  const summary_ = summarizeProfile(readProfile(path.join(dir, file)), { bundles: { 'micro.mjs': readFileSync(microFile, 'utf8') } });
  return { source: `node --cpu-prof (${path.relative(ROOT, path.join(dir, file))})`, steps, ...summary_ };
}

function profileCount(name) {
  return name.includes('stream') ? 60 : 150;
}

/** CPU profiles of claude-proxy's isolate in workerd (inspector on a separate instance), one per scenario. */
async function workerdProfiles(proxyHost, script, scenarios) {
  const upstream = await startUpstream(STATE, { delayMs: DELAY_MS });
  servers.push(upstream);
  const inspectorPort = await freePort();
  const routes = JSON.stringify([
    { match: 'claude-pass*', provider: 'anthropic', baseUrl: upstream.url, apiKey: 'client' },
    { match: 'claude-trans*', provider: 'openai', baseUrl: `${upstream.url}/v1`, model: 'bench-model' },
  ]);
  const worker = await startWorker(STATE, 'proxy-profile', proxyHost({ bindings: { ROUTES: routes }, inspectorPort }));
  servers.push(worker);
  const client = new Client(worker.url, { pipelining: 1 });
  const bundle = readFileSync(script, 'utf8');
  const dir = path.join(BUILD, 'prof');
  mkdirSync(dir, { recursive: true });
  const out = {};
  try {
    for (const scenario of scenarios) {
      const count = profileCount(scenario.name);
      for (let i = 0; i < 30; i++) await sendSafely(client, scenario.request);
      await sleep(100);
      const cpu0 = groupCpuMs(worker.pgid);
      const profile = await profileWhile(inspectorPort, async () => {
        for (let i = 0; i < count; i++) await sendSafely(client, scenario.request);
        await sleep(200);
      });
      const cpuMs = (groupCpuMs(worker.pgid) - cpu0) / count;
      const file = path.join(dir, `workerd-${scenario.name.replace(/\W+/g, '-')}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      const s = summarizeProfile(profile, { bundles: { 'index.js': bundle } });
      out[`workerd:${scenario.name}`] = {
        source: `workerd inspector, claude-proxy isolate, ${count} requests, ${fixed(cpuMs, 2)} ms process-group CPU per request while profiled (${path.relative(ROOT, file)})`,
        requests: count,
        ...s,
      };
    }
  } finally {
    await client.close();
    await stopServers([worker, upstream]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Targets: measured and published, not asserted.

function evaluate(r) {
  const v = [];
  const add = (target, measured, limit, unit, profile) => v.push({ target, measured: round(measured, 4), limit, unit, pass: measured <= limit, profile });
  const lat = r.latency;
  for (const route of ['passthrough', 'translated'])
    add(`small ${route}: added p50`, lat[`small/${route}`].added_total.p50, 0.3, 'ms', `workerd:small/${route}`);
  add('80 KB translated: added p50', lat['80k/translated'].added_total.p50, 1.5, 'ms', 'workerd:80k/translated');
  add('80 KB passthrough: added p50', lat['80k/passthrough'].added_total.p50, 0.5, 'ms', 'workerd:80k/passthrough');
  for (const route of ['passthrough', 'translated'])
    add(`stream ${route}: added first byte p50`, lat[`stream/${route}`].added_ttfb.p50, 0.3, 'ms', `workerd:stream/${route}`);
  for (const name of ['small/passthrough', 'small/translated', '80k/passthrough', '80k/translated', 'stream/passthrough', 'stream/translated']) {
    add(`tracing on − off, ${name}: p50`, lat[name].tracing_cost_total.p50, 0.3, 'ms', `workerd:${name}`);
  }
  const micro = Object.fromEntries(r.micro.results.map((m) => [m.name, m]));
  add('micro CPU: 80 KB translated request', micro['80k/translated'].total_us / 1000, 1, 'ms', 'micro:80k/translated');
  for (const route of ['passthrough', 'translated']) {
    const perChunk = (micro[`stream/${route}`].total_us - micro[`small/${route}`].total_us) / STREAM_CHUNKS;
    add(`micro CPU: per stream chunk, ${route}`, perChunk, 5, 'µs', `micro:stream/${route}`);
  }
  if (r.micro.token_estimate) add('micro CPU: token estimate, 115 KB request', r.micro.token_estimate.us / 1000, 0.3, 'ms');
  for (const route of ['passthrough', 'translated'])
    add(`e2e CPU over null: small ${route}`, lat[`small/${route}`].cpu_over_null_ms, 0.5, 'ms', `workerd:small/${route}`);
  add('e2e CPU over null: 80 KB translated stream', lat['80k-stream/translated'].cpu_over_null_ms, 2, 'ms', 'workerd:80k-stream/translated');
  for (const [key, t] of Object.entries(r.throughput)) {
    v.push({
      target: `throughput ${key}: proxy / null`,
      measured: t.ratio,
      limit: 0.8,
      unit: '×',
      pass: t.ratio >= 0.8,
      at_least: true,
      profile: `workerd:small/${key.split('/')[1].split('@')[0]}`,
    });
  }
  add('bundle gzip', r.bundle.proxy.gzip_bytes / 1024, 150, 'KiB');
  // The performance issue's goals, under wrangler dev (what `npm run dev` runs), over the null Worker.
  if (r.dev) {
    const d = r.dev.scenarios;
    add('wrangler dev, small: added p50', d['small/passthrough'].added.p50_ms, 1, 'ms');
    add('wrangler dev, 80 KB Claude Code request: added p50', d['capture-80k/passthrough'].added.p50_ms, 2, 'ms');
    add('wrangler dev, small: CPU added', d['small/passthrough'].added.cpu_ms, 2, 'ms');
    add('wrangler dev, 80 KB Claude Code request: CPU added', d['capture-80k/passthrough'].added.cpu_ms, 3, 'ms');
    add('wrangler dev, 80 KB translated stream: CPU added', d['capture-80k-stream/translated'].added.cpu_ms, 8, 'ms');
  }
  if (r.js_floor?.long_stream)
    add(`${r.js_floor.long_stream.events}-event passthrough stream: CPU / null Worker`, r.js_floor.long_stream.proxy_over_null, 2, '×');
  return v;
}

// ---------------------------------------------------------------------------------------------

function print(r, file) {
  const out = [];
  const say = (text = '') => out.push(text);
  say(`claude-proxy benchmark — ${r.started}   (${r.duration_s} s)`);
  say(
    `runner: ${r.runner.name} (wrangler ${r.versions.wrangler}, miniflare ${r.versions.miniflare}, workerd ${r.versions.workerd}), Node ${r.versions.node}, ${r.machine.cpus} CPUs, load ${r.machine.loadavg_start.join(' ')} → ${r.machine.loadavg_end.join(' ')}`,
  );
  say(
    `N = ${r.settings.n} measured requests per target per scenario (+${r.settings.warmup} warm-up), round-robin over: bare upstream, null Worker, claude-proxy, claude-proxy TRACING=off`,
  );
  say(
    `requests: small ${r.request_bytes.small} B, Claude-Code-shaped ${r.request_bytes['80k']} B; streams: ${r.settings.stream_chunks} chunks; upstream delay ${r.settings.upstream_delay_ms} ms`,
  );
  if (r.runner.compat_warning) say(`WARNING: ${r.runner.compat_warning}`);
  say();

  say('Latency, ms (total = last byte; streams also first byte). added = claude-proxy − null Worker (difference of percentiles).');
  const rows = [];
  for (const [name, e] of Object.entries(r.latency)) {
    const t = e.targets;
    rows.push([
      name,
      'total',
      fixed(t.upstream.total.p50),
      `${fixed(t.null.total.p50)} / ${fixed(t.null.total.p95)} / ${fixed(t.null.total.p99)}`,
      `${fixed(t.proxy.total.p50)} / ${fixed(t.proxy.total.p95)} / ${fixed(t.proxy.total.p99)}`,
      `${signed(e.added_total.p50)} / ${signed(e.added_total.p95)} / ${signed(e.added_total.p99)}`,
      `${signed(e.tracing_cost_total.p50)} / ${signed(e.tracing_cost_total.p95)}`,
      `${fixed(e.cpu_ms_per_request.null, 2)} / ${fixed(e.cpu_ms_per_request.proxy, 2)} / ${fixed(e.cpu_ms_per_request.proxyOff, 2)}`,
      signed(e.cpu_over_null_ms),
    ]);
    if (e.added_ttfb) {
      rows.push([
        '',
        'first byte',
        fixed(t.upstream.ttfb.p50),
        `${fixed(t.null.ttfb.p50)} / ${fixed(t.null.ttfb.p95)} / ${fixed(t.null.ttfb.p99)}`,
        `${fixed(t.proxy.ttfb.p50)} / ${fixed(t.proxy.ttfb.p95)} / ${fixed(t.proxy.ttfb.p99)}`,
        `${signed(e.added_ttfb.p50)} / ${signed(e.added_ttfb.p95)} / ${signed(e.added_ttfb.p99)}`,
        `${signed(e.tracing_cost_ttfb.p50)} / ${signed(e.tracing_cost_ttfb.p95)}`,
        '',
        '',
      ]);
    }
  }
  say(
    table(
      [
        'scenario',
        'metric',
        'upstream p50',
        'null p50/p95/p99',
        'proxy p50/p95/p99',
        'added p50/p95/p99',
        'tracing Δp50/Δp95',
        'CPU ms/req null/proxy/off',
        'CPU over null',
      ],
      rows,
    ),
  );
  say();

  if (r.js_floor) {
    const f = r.js_floor;
    say('What the runtime charges for touching a body from JavaScript (reference, not a target): p50 ms / CPU ms per request');
    const keys = [
      ['null', 'null Worker (native pass-through)'],
      ['nullJs', 'JS-relay null Worker (request.text() + JS ReadableStream relay)'],
      ['proxyOff', 'claude-proxy TRACING=off'],
      ['proxy', 'claude-proxy'],
    ];
    say(
      table(
        ['Worker', 'small/passthrough', 'stream/passthrough', 'CPU µs per chunk', `${f.long_stream?.events ?? ''}-event stream`],
        keys.map(([key, label]) => [
          label,
          `${fixed(f['small/passthrough'][key].p50_ms)} / ${fixed(f['small/passthrough'][key].cpu_ms_per_request)}`,
          `${fixed(f['stream/passthrough'][key].p50_ms)} / ${fixed(f['stream/passthrough'][key].cpu_ms_per_request)}`,
          fixed(f.per_chunk_cpu_us[key], 1),
          f.long_stream
            ? `${fixed(f[`stream-${f.long_stream.events}/passthrough`][key].p50_ms)} / ${fixed(f[`stream-${f.long_stream.events}/passthrough`][key].cpu_ms_per_request)}`
            : '',
        ]),
      ),
    );
    if (f.long_stream) {
      say(
        `${f.long_stream.events}-event passthrough stream, CPU over the native null Worker: claude-proxy ${fixed(f.long_stream.proxy_over_null, 2)}× (TRACING=off ${fixed(f.long_stream.proxy_off_over_null, 2)}×; the JS-relay null Worker ${fixed(f.long_stream.js_relay_over_null, 2)}×)`,
      );
    }
    say();
  }

  say('Microbenchmark (Node, src/ modules, stub D1): median µs per request (wall), and mean thread CPU');
  say(
    table(
      ['scenario', 'request', 'response', 'trace (waitUntil)', 'total', 'CPU mean', 'iterations'],
      r.micro.results.map((m) => [
        m.name,
        fixed(m.request_us, 1),
        fixed(m.response_us, 1),
        fixed(m.trace_us, 1),
        fixed(m.total_us, 1),
        fixed(m.cpu_mean_us, 1),
        m.iterations,
      ]),
    ),
  );
  say();

  say(`Throughput, small non-streamed requests, requests/s (${r.settings.throughput_seconds * 2} s per target, ABBA order)`);
  say(
    table(
      ['route @ concurrency', 'null Worker', 'claude-proxy', 'proxy / null', 'CPU ms/req null', 'CPU ms/req proxy', 'errors'],
      Object.entries(r.throughput).map(([key, t]) => [
        key,
        fixed(t.null.rps, 0),
        fixed(t.proxy.rps, 0),
        fixed(t.ratio, 2),
        fixed(t.null.cpu_ms_per_request, 3),
        fixed(t.proxy.cpu_ms_per_request, 3),
        t.null.errors + t.proxy.errors,
      ]),
    ),
  );
  if (r.queue) {
    say();
    for (const line of printQueue(r.queue, r.d1_absorption)) say(line);
  }
  const acc = r.trace_accounting;
  say(
    `traces: ${acc.traces} in D1 for ${acc.requests_sent} requests to claude-proxy (${acc.missing === 0 ? 'every one accounted for' : `${acc.missing} missing`}); TRACING=off wrote ${acc.tracing_off_traces}`,
  );
  if (r.failures.length) {
    say(
      `FAILED REQUESTS (excluded from the latency percentiles): ${Object.entries(r.failure_counts ?? {})
        .map(([k, n]) => `${k}: ${n}`)
        .join(', ')}`,
    );
    say(`  first: ${JSON.stringify(r.failures.slice(0, 3))}`);
  }
  say();

  say(`Storage per trace (traces table: ${r.storage.columns} columns, indexes: ${r.storage.trace_indexes.join(', ')})`);
  say(
    table(
      ['scenario', 'row bytes', 'request (new_messages)', 'translated (upstream_new_messages)', 'response_body', 'rows written'],
      Object.entries(r.storage.by_scenario).map(([name, s]) => [
        name,
        s.row_bytes,
        s.request_body,
        s.upstream_request_body,
        s.response_body,
        s.rows_written ?? '–',
      ]),
    ),
  );
  say(
    table(
      ['fresh D1, non-streamed', 'D1 file growth B/trace', 'row bytes', 'rows written'],
      Object.entries(r.storage.growth).map(([name, g]) => [name, g.file_growth_bytes_per_trace, g.row_bytes, g.rows_written]),
    ),
  );
  say();

  say('30-turn Claude Code session (streamed; each turn resends the whole history): bytes stored per turn');
  const s = r.session;
  const turnRows = s['passthrough/d1'].turns.map((t, i) => [
    t.turn,
    t.request_bytes,
    s['passthrough/d1'].turns[i].d1_row_bytes,
    s['passthrough/r2'].turns[i].d1_row_bytes,
    s['passthrough/r2'].turns[i].r2_bytes,
    s['translated/d1'].turns[i].d1_row_bytes,
    s['translated/r2'].turns[i].d1_row_bytes,
    s['translated/r2'].turns[i].r2_bytes,
  ]);
  const tot = (k, f) => s[k].totals[f];
  turnRows.push([
    'total',
    tot('passthrough/d1', 'request_bytes'),
    tot('passthrough/d1', 'd1_row_bytes'),
    tot('passthrough/r2', 'd1_row_bytes'),
    tot('passthrough/r2', 'r2_bytes'),
    tot('translated/d1', 'd1_row_bytes'),
    tot('translated/r2', 'd1_row_bytes'),
    tot('translated/r2', 'r2_bytes'),
  ]);
  turnRows.push([
    'D1 file growth',
    '',
    tot('passthrough/d1', 'd1_file_growth_bytes'),
    tot('passthrough/r2', 'd1_file_growth_bytes'),
    '',
    tot('translated/d1', 'd1_file_growth_bytes'),
    tot('translated/r2', 'd1_file_growth_bytes'),
    '',
  ]);
  turnRows.push(['stored whole (before)', '', tot('passthrough/d1', 'whole_bytes'), '', '', tot('translated/d1', 'whole_bytes'), '', '']);
  say(table(['turn', 'request B', 'pass: D1 (no R2)', 'pass: D1 (R2)', 'pass: R2 gz', 'trans: D1 (no R2)', 'trans: D1 (R2)', 'trans: R2 gz'], turnRows));
  const perTrace = (k) => Math.round(tot(k, 'd1_file_growth_bytes') / s[k].turns.length);
  say(
    `D1 file growth per trace: passthrough ${perTrace('passthrough/d1')} B, translated ${perTrace('translated/d1')} B (stored whole, the bodies alone would be ${Math.round(tot('passthrough/d1', 'whole_bytes') / 30)} and ${Math.round(tot('translated/d1', 'whole_bytes') / 30)} B a trace)`,
  );
  say();

  say(
    `Bundle: ${fixed(r.bundle.proxy.gzip_bytes / 1024, 1)} KiB gzip (${fixed(r.bundle.proxy.bytes / 1024, 1)} KiB raw; wrangler reports ${r.bundle.proxy.wrangler_reported_kib?.gzip ?? '?'} KiB gzip); null Worker ${fixed(r.bundle.null_worker.gzip_bytes / 1024, 2)} KiB gzip`,
  );
  say();

  if (r.micro?.token_estimate) {
    const t = r.micro.token_estimate;
    say(
      `token estimate (minInputTokens, count_tokens) of a ${fixed(t.bytes / 1024, 0)} KB Claude-Code-shaped request: ${fixed(t.us, 0)} µs (median; ${t.tokens} tokens)`,
    );
    say();
  }
  if (r.micro?.trace_storage) {
    const t = r.micro.trace_storage;
    say(
      `trace storage (body format 1) of a turn of a real ${fixed(t.request_bytes / 1024, 0)} KB Claude Code request, history remembered: ${fixed(t.turn_us, 0)} µs; with its translation beside it: ${fixed(t.translated_turn_us, 0)} µs (median; target ≤ 500 µs for 80 KB)`,
    );
    say();
  }
  if (r.operations) {
    for (const line of printOperations(r.operations)) say(line);
    if (r.micro?.budget_check_us !== undefined)
      say(`budget check in the microbenchmark (warm copy): ${fixed(r.micro.budget_check_us, 2)} µs per request (median)`);
    say();
  }

  if (r.dev) {
    for (const line of printDev(r.dev)) say(line);
    say();
  }

  say('Targets (measured and published, not asserted)');
  say(
    table(
      ['target', 'limit', 'measured', 'result'],
      r.targets.map((t) => [
        t.target,
        `${t.at_least ? '≥' : '≤'} ${t.limit} ${t.unit}`,
        `${fixed(t.measured, t.unit === 'µs' ? 2 : 3)} ${t.unit}`,
        t.pass ? 'pass' : 'MISS',
      ]),
    ),
  );
  for (const [what, p] of Object.entries(r.profiles)) {
    say();
    if (p.steps) {
      say(`Where the time goes, ${what.slice(6)} (microbenchmark, median µs per step):`);
      say(
        table(
          ['step', 'µs'],
          p.steps.map((x) => [x.step, fixed(x.us, 1)]),
        ),
      );
    }
    say(`Profile ${what}: ${p.source}; top self time (${fixed(p.total_ms, 1)} ms sampled, idle excluded)`);
    const short = (text, max) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
    say(
      table(
        ['function', 'where', 'self ms', 'self %'],
        p.functions.slice(0, 12).map((f) => [short(f.function, 48), f.where, fixed(f.self_ms, 1), fixed(f.self_pct, 1)]),
      ),
    );
    say(
      table(
        ['module', 'self ms', 'self %'],
        p.modules.slice(0, 6).map((m) => [m.where, fixed(m.self_ms, 1), fixed(m.self_pct, 1)]),
      ),
    );
  }
  if (r.profiles_skipped) say(`\nnot profiled (${r.profiles_skipped.reason}): ${r.profiles_skipped.scenarios.join(', ')}`);
  say();
  say(`JSON: ${path.relative(ROOT, file)}`);
  console.log(out.join('\n'));
}
