/**
 * Servers for the bench, each in its own process group (started detached), stopped by killing
 * the group; and CPU time of a process group from /proc.
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const groups = new Set();

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user + system CPU milliseconds of every live process whose process group is `pgid`. */
export function groupCpuMs(pgid) {
  return Object.values(groupCpuByName(pgid)).reduce((a, b) => a + b, 0);
}

/** The same, by process name (`node`, `workerd`, …). */
export function groupCpuByName(pgid) {
  const out = {};
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) !== pgid) continue;
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    out[name] = (out[name] ?? 0) + ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK;
  }
  return out;
}

export function groupPids(pgid) {
  const pids = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === pgid) pids.push({ pid: Number(entry), comm: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) });
    } catch {
      // gone
    }
  }
  return pids;
}

function logFile(stateDir, name) {
  return openSync(path.join(stateDir, `${name}.log`), 'w');
}

/** The scripted upstream, in its own process group. */
export async function startUpstream(stateDir, { delayMs = 0 } = {}) {
  const log = logFile(stateDir, 'upstream');
  const child = spawn(process.execPath, [path.join(import.meta.dirname, 'upstream.mjs')], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...process.env, BENCH_UPSTREAM_DELAY_MS: String(delayMs) },
  });
  groups.add(child.pid);
  const line = await new Promise((resolve, reject) => {
    let text = '';
    child.stdout.on('data', (data) => {
      text += data;
      const nl = text.indexOf('\n');
      if (nl >= 0) resolve(text.slice(0, nl));
    });
    child.once('exit', (code) => reject(new Error(`upstream exited with ${code}`)));
  });
  child.stdout.destroy();
  const { port } = JSON.parse(line);
  return { name: 'upstream', pgid: child.pid, url: `http://127.0.0.1:${port}`, stop: () => stopGroup(child.pid) };
}

/** One Worker under Miniflare (bench/lib/host.mjs), in its own process group, with an IPC channel. */
export async function startWorker(stateDir, name, config) {
  const log = logFile(stateDir, name);
  const child = fork(path.join(import.meta.dirname, 'host.mjs'), [], {
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, BENCH_HOST: JSON.stringify({ ...config, name, persistDir: path.join(stateDir, name) }) },
  });
  groups.add(child.pid);
  const pending = new Map();
  let nextId = 1;
  const ready = new Promise((resolve, reject) => {
    child.on('message', (message) => {
      if (message.ready) return resolve(message);
      const waiter = pending.get(message.id);
      if (!waiter) return;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${name}: ${message.error}`));
      else waiter.resolve(message.result);
    });
    child.once('exit', (code) => {
      const err = new Error(`${name} exited with ${code} (see ${path.join(stateDir, `${name}.log`)})`);
      reject(err);
      for (const waiter of pending.values()) waiter.reject(err);
    });
  });
  const { url } = await ready;
  const call = (op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, op, ...args });
    });
  return {
    name,
    pgid: child.pid,
    url,
    sql: (sql, ...params) => call('sql', { sql, params }),
    batch: (statements) => call('batch', { statements }),
    r2list: (prefix = '') => call('r2list', { prefix }),
    stop: async () => {
      try {
        await Promise.race([call('stop'), new Promise((resolve) => setTimeout(resolve, 3000))]);
      } catch {
        // already gone
      }
      await stopGroup(child.pid);
    },
  };
}

/** SIGTERM to the group, then SIGKILL if anything in it is still alive after a grace period. */
export async function stopGroup(pgid, graceMs = 3000) {
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    groups.delete(pgid);
    return;
  }
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && groupPids(pgid).length > 0) await new Promise((resolve) => setTimeout(resolve, 50));
  if (groupPids(pgid).length > 0) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  groups.delete(pgid);
}

/** A process group started elsewhere (bench/lib/dev.mjs), stopped with the others on exit. */
export function registerGroup(pgid) {
  groups.add(pgid);
}

/** Last resort on exit: kill every group still registered. */
export function killAllSync() {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  groups.clear();
}
