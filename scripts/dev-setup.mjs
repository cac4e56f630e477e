#!/usr/bin/env node
// First step of `npm run dev`: a fresh checkout gets a .dev.vars made from .dev.vars.example,
// with a random ADMIN_TOKEN, so the trace viewer opens without reading any docs. An existing
// .dev.vars is never touched. Prints where the viewer is and where its token lives.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const target = resolve('.dev.vars');
const port = process.env.PORT ?? '8787';
if (!existsSync(target)) {
  const example = readFileSync(resolve('.dev.vars.example'), 'utf8');
  // 24 random bytes: 32 base64url characters, above the 24 the proxy asks for.
  const token = randomBytes(24).toString('base64url');
  const text = /^ADMIN_TOKEN=.*$/m.test(example) ? example.replace(/^ADMIN_TOKEN=.*$/m, `ADMIN_TOKEN=${token}`) : `${example}\nADMIN_TOKEN=${token}\n`;
  writeFileSync(target, text, { mode: 0o600 });
  console.log(`created .dev.vars with a random ADMIN_TOKEN (from .dev.vars.example)`);
}
const hasToken = /^ADMIN_TOKEN=\S{24,}/m.test(readFileSync(target, 'utf8'));
console.log(
  hasToken
    ? `trace viewer: http://localhost:${port}/ui (sign in with the ADMIN_TOKEN in ${target})`
    : `trace viewer: http://localhost:${port}/ui is closed until ADMIN_TOKEN (24+ characters) is set in ${target}`,
);
