import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually } from './harness';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

let studio: ReturnType<typeof spawn> | undefined;

afterAll(() => {
  // Studio runs in its own process group: stop the whole group, not just npm.
  if (studio?.pid) process.kill(-studio.pid, 'SIGTERM');
});

describe('npm run db:studio', () => {
  it('applies the local migrations and serves Drizzle Studio on the local D1 file', async () => {
    const port = await freePort();
    let output = '';
    studio = spawn('npm', ['run', 'db:studio', '--', '--port', String(port), '--host', '127.0.0.1'], {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    studio.stdout!.on('data', (data) => (output += data));
    studio.stderr!.on('data', (data) => (output += data));

    // Studio's web UI is hosted online; its local server answers the UI's queries on this port.
    const tables = await eventually(async () => {
      const response = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'proxy', data: { sql: "select name from sqlite_master where type = 'table'", method: 'all', mode: 'object' } }),
      });
      return (await response.json()) as { name: string }[];
    }, 90_000).catch((err) => {
      throw new Error(`studio did not answer: ${err}\n${output}`);
    });
    expect(tables.map((table) => table.name)).toEqual(expect.arrayContaining(['traces', 'd1_migrations']));

    const init = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"type":"init"}' });
    expect(await init.json()).toMatchObject({ dialect: 'sqlite' });
  }, 120_000);
});
