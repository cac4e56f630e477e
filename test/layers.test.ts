import { describe, expect, it } from 'vitest';

/**
 * The layers of src/, bottom to top. A module may import from its own layer and the ones below,
 * never from one above: a request reads top to bottom through the folders.
 */
const LAYERS: [layer: string, folders: string[]][] = [
  ['building blocks', ['core']],
  ['configuration', ['config']],
  ['client protocol', ['protocol']],
  ['routing', ['routing']],
  ['upstream calls', ['upstream', 'providers']],
  ['recording', ['recording']],
  ['storage', ['storage']],
  ['surfaces', ['v1', 'api', 'ui', 'rpc.ts', 'health.ts']],
  ['jobs', ['jobs']],
  ['worker entry', ['index.ts']],
];

const sources = import.meta.glob('../src/**/*.{ts,tsx}', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** `src/upstream/pump.ts` → its layer's rank. */
function rankOf(path: string): number {
  const top = path
    .replace(/^.*?src\//, '')
    .split('/')[0]!
    .replace(/\.tsx?$/, '');
  const rank = LAYERS.findIndex(([, folders]) => folders.some((folder) => folder.replace(/\.ts$/, '') === top));
  if (rank < 0) throw new Error(`${path} is in no layer: add ${top} to LAYERS`);
  return rank;
}

/** Every module a source imports, statically, dynamically or for types only. */
function importsOf(text: string): string[] {
  const found: string[] = [];
  for (const match of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
  )) {
    found.push(match[1] ?? match[2] ?? match[3]!);
  }
  return found;
}

/** Resolves a relative specifier against the importing file: `src/v1/messages.ts` + `../core/errors` → `src/core/errors`. */
function resolve(from: string, specifier: string): string {
  const parts = from.split('/').slice(0, -1);
  for (const part of specifier.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.') parts.push(part);
  }
  return parts.join('/');
}

/** The imports that point up: from a layer to one above it. */
function upwardImports(files: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [path, text] of Object.entries(files)) {
    const file = path.replace(/^.*?src\//, 'src/');
    for (const specifier of importsOf(text)) {
      if (!specifier.startsWith('.')) continue;
      const target = resolve(file, specifier);
      if (!target.startsWith('src/')) continue; // package.json, drizzle/: data, not code
      if (rankOf(target) > rankOf(file)) {
        found.push(`${file} (${LAYERS[rankOf(file)]![0]}) imports ${target} (${LAYERS[rankOf(target)]![0]})`);
      }
    }
  }
  return found;
}

describe('layers', () => {
  it('every source file belongs to a layer', () => {
    expect(Object.keys(sources).length).toBeGreaterThan(50);
    for (const path of Object.keys(sources)) expect(() => rankOf(path)).not.toThrow();
  });

  it('no import points up a layer', () => {
    expect(upwardImports(sources)).toEqual([]);
  });

  it('finds an upward import when there is one, however it is written', () => {
    const files = {
      '../src/core/errors.ts': "import type { Config } from '../config';\nexport const x = 1;",
      '../src/protocol/types.ts': "export { thing } from '../storage/schema';",
      '../src/routing/match.ts': "const later = () => import('../v1/messages');",
      '../src/storage/writer.ts': "import { ProxyError } from '../core/errors';\nimport { schema } from './schema';",
    };
    expect(upwardImports(files)).toEqual([
      'src/core/errors.ts (building blocks) imports src/config (configuration)',
      'src/protocol/types.ts (client protocol) imports src/storage/schema (storage)',
      'src/routing/match.ts (routing) imports src/v1/messages (surfaces)',
    ]);
  });
});
