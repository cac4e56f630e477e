#!/usr/bin/env node
// Claude Code, for real, through the worker to scripted upstreams on loopback.
//
//   npm run smoke:claude-code                      every scenario in test/manual/smoke/
//   npm run smoke:claude-code -- --only=budget     some of them (comma-separated names)
//   CLAUDE_BIN=/path/to/claude npm run smoke:claude-code    an installed binary
//
// Each scenario is a module in test/manual/smoke/ exporting `name` and `run()`, which starts its
// own worker and upstream and returns whether its checks passed. Not part of `npm test`: Claude
// Code's binary is 380 MB.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const folder = fileURLToPath(new URL('./smoke/', import.meta.url));
const only = process.argv
  .find((arg) => arg.startsWith('--only='))
  ?.slice(7)
  .split(',');
const scenarios = [];
for (const file of readdirSync(folder).sort()) {
  if (!file.endsWith('.mjs') || file === 'lib.mjs') continue;
  const scenario = await import(new URL(`./smoke/${file}`, import.meta.url).href);
  if (!only || only.includes(scenario.name)) scenarios.push(scenario);
}
if (scenarios.length === 0) {
  console.error(`no scenario matches ${only?.join(',')}`);
  process.exit(2);
}
let failed = false;
for (const scenario of scenarios) {
  console.log(`\n=== ${scenario.name}`);
  const passed = await scenario.run().catch((err) => {
    console.log(`FAIL [${scenario.name}] threw: ${err.stack ?? err}`);
    return false;
  });
  if (!passed) failed = true;
}
process.exit(failed ? 1 : 0);
