#!/usr/bin/env node
// Fails when src/storage/schema.ts has changes that no committed migration in drizzle/ holds:
// drizzle-kit generates into a scratch copy of drizzle/, and a new migration there is drift.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

// drizzle-kit only takes an output folder relative to the project.
const scratch = 'node_modules/.cache/claude-proxy-drift-check';
rmSync(scratch, { recursive: true, force: true });
mkdirSync(scratch, { recursive: true });
let output = '';
try {
  cpSync('drizzle', scratch, { recursive: true });
  output = execFileSync(
    process.platform === 'win32' ? 'npx.cmd' : 'npx',
    ['drizzle-kit', 'generate', '--dialect', 'sqlite', '--schema', './src/storage/schema.ts', '--out', scratch, '--name', 'drift_check'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
} catch (err) {
  output = `${err.stdout ?? ''}${err.stderr ?? ''}`;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (/No schema changes/i.test(output)) {
  console.log('schema and migrations are in sync');
} else if (/migration file/i.test(output)) {
  console.error('src/storage/schema.ts and the migrations in drizzle/ are out of sync: run `npm run db:generate`, review the new migration and commit it.');
  process.exit(1);
} else {
  // drizzle-kit asks on the terminal when a change could be a rename: that is drift too.
  console.error(
    `src/storage/schema.ts could not be compared with drizzle/ (drizzle-kit wants to ask about a rename?): run \`npm run db:generate\` in a terminal.\n${output}`,
  );
  process.exit(1);
}
