/**
 * Workers under `wrangler dev`, the way `npm run dev` runs them: each in its own process group
 * (spawned detached, i.e. setsid) with its own --port and --inspector-port, its own persisted
 * state, and a generated config (the real wrangler.jsonc with absolute paths, the bench's vars
 * and any `extra` top-level keys). The group's CPU (wrangler's Node process, its workerd processes) is what a request costs
 * there. Stopped by killing the group.
 */
import { execFile as execFileCb, spawn } from 'node:child_process';
import { mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { registerGroup, stopGroup } from './procs.mjs';

const execFile = promisify(execFileCb);

export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function wranglerEnv(extra = {}) {
  return { ...process.env, WRANGLER_SEND_METRICS: 'false', NO_COLOR: '1', FORCE_COLOR: '0', CI: '1', ...extra };
}

/**
 * One Worker under `wrangler dev`. `config` is the Worker's parsed wrangler config; `root` the
 * folder its relative paths are relative to; `vars` are added to its vars.
 */
export async function startDev(stateDir, name, { root, config, extra = {}, vars = {}, wrangler, migrate = false, env = {} }) {
  const dir = path.resolve(stateDir, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const generated = {
    ...config,
    ...extra,
    main: path.resolve(root, config.main),
    vars: { ...(config.vars ?? {}), ...vars },
    d1_databases: config.d1_databases?.map((db) => ({ ...db, migrations_dir: path.resolve(root, db.migrations_dir ?? 'migrations') })),
  };
  // No cron triggers: nothing else runs while the bench measures.
  delete generated.triggers;
  const configPath = path.join(dir, 'wrangler.json');
  writeFileSync(configPath, JSON.stringify(generated, null, 2));
  const persist = path.join(dir, 'state');
  if (migrate) {
    const database = generated.d1_databases[0].database_name;
    await execFile(wrangler, ['d1', 'migrations', 'apply', database, '--local', '--config', configPath, '--persist-to', persist], {
      cwd: dir,
      env: wranglerEnv(),
      maxBuffer: 16 << 20,
    });
  }
  const port = await freePort();
  const inspectorPort = await freePort();
  const log = openSync(path.join(stateDir, `${name}.log`), 'w');
  // cwd is the generated folder: no .dev.vars of the project is picked up.
  const child = spawn(
    wrangler,
    [
      'dev',
      '--config',
      configPath,
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--inspector-port',
      String(inspectorPort),
      '--persist-to',
      persist,
      '--show-interactive-dev-session=false',
    ],
    { cwd: dir, detached: true, stdio: ['ignore', log, log], env: wranglerEnv(env) },
  );
  registerGroup(child.pid);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const code = await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve(undefined), 250))]);
    if (code !== undefined) throw new Error(`wrangler dev ${name} exited with ${code} (see ${path.join(stateDir, `${name}.log`)})`);
    try {
      const res = await fetch(`${url}/`);
      await res.arrayBuffer();
      if (res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopGroup(child.pid);
      throw new Error(`wrangler dev ${name} did not answer within 120 s`);
    }
  }
  return {
    name,
    pgid: child.pid,
    url,
    port,
    inspectorPort,
    /** SQL against the Worker's local D1, through wrangler (slow: for counts at the end). */
    async sql(sql) {
      const database = generated.d1_databases[0].database_name;
      const { stdout } = await execFile(
        wrangler,
        ['d1', 'execute', database, '--local', '--config', configPath, '--persist-to', persist, '--json', '--command', sql],
        {
          cwd: dir,
          env: wranglerEnv(),
          maxBuffer: 16 << 20,
        },
      );
      return JSON.parse(stdout)[0].results;
    },
    stop: () => stopGroup(child.pid),
  };
}
