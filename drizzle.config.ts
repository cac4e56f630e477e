import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'drizzle-kit';

/**
 * One config for every drizzle-kit command:
 * - generate/check: the schema and the committed migrations in drizzle/;
 * - `npm run db:studio`: the local D1 file wrangler keeps under .wrangler/ (its name is a hash);
 * - `npm run db:studio:remote`: the deployed D1 over Cloudflare's HTTP API.
 */
const schema = './src/storage/schema.ts';
const out = './drizzle';

/** The local D1 file: the newest database under wrangler's persist dir (LOCAL_D1_PERSIST_DIR, default .wrangler/state). */
function localD1File(): string {
  const persistDir = process.env.LOCAL_D1_PERSIST_DIR ?? '.wrangler/state';
  const dir = join(persistDir, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = existsSync(dir) ? readdirSync(dir).filter((name) => /^[0-9a-f]{64}\.sqlite$/.test(name)) : [];
  if (files.length === 0) {
    throw new Error(`no local D1 database under ${dir}: run \`npm run db:migrate:local\` first`);
  }
  const newest = files.map((name) => join(dir, name)).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
  return `file:${newest}`;
}

function remoteCredentials() {
  const accountId = process.env.CLOUDFLARE_ACCOUNT_ID;
  const databaseId = process.env.CLOUDFLARE_DATABASE_ID;
  const token = process.env.CLOUDFLARE_D1_TOKEN;
  if (!accountId || !databaseId || !token) {
    throw new Error('db:studio:remote needs CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_DATABASE_ID and CLOUDFLARE_D1_TOKEN (see README)');
  }
  return { accountId, databaseId, token };
}

// Only studio opens a database; npm names the running script, which says which one.
const studio = process.argv.includes('studio');
const remote = process.env.npm_lifecycle_event === 'db:studio:remote';

export default !studio
  ? defineConfig({ schema, out, dialect: 'sqlite' })
  : remote
    ? defineConfig({ schema, out, dialect: 'sqlite', driver: 'd1-http', dbCredentials: remoteCredentials() })
    : defineConfig({ schema, out, dialect: 'sqlite', dbCredentials: { url: localD1File() } });
