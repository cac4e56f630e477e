/**
 * CPU profile summaries: self time by function from a V8 .cpuprofile (node --cpu-prof, or
 * workerd's inspector via the Chrome DevTools Protocol), with each function's source file
 * recovered from the esbuild bundle's `// path/to/module.ts` region comments.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Maps bundle lines to the source module they came from (esbuild marks each module's start). */
function moduleRegions(bundleText) {
  const regions = [];
  const lines = bundleText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^\/\/ ((?:src|node_modules|bench|\.\.?)\/[^\s]+\.(?:[cm]?[jt]s|json))$/.exec(lines[i]);
    if (m) regions.push({ line: i, file: m[1] });
  }
  return (line) => {
    let lo = 0;
    let hi = regions.length - 1;
    let found = null;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (regions[mid].line <= line) {
        found = regions[mid];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found?.file ?? null;
  };
}

/**
 * Top functions by self time. `bundles` maps a script URL (or a suffix of it) to the bundle's
 * text, so functions can be attributed to their source module.
 */
export function summarizeProfile(profile, { bundles = {}, top = 15 } = {}) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + (deltas[i] ?? 0));
  const regionCache = new Map();
  const regionsFor = (url) => {
    if (!url) return null;
    if (!regionCache.has(url)) {
      const key = Object.keys(bundles).find((k) => url.endsWith(k) || url.includes(k));
      regionCache.set(url, key ? moduleRegions(bundles[key]) : null);
    }
    return regionCache.get(url);
  };
  const totals = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byId.get(id);
    if (!node) continue;
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const name = frame.functionName || '(anonymous)';
    const regions = regionsFor(frame.url);
    const module = regions ? regions(frame.lineNumber) : null;
    const where = module ?? (frame.url ? shortUrl(frame.url) : '');
    const key = `${name}\u0000${where}`;
    totals.set(key, (totals.get(key) ?? 0) + us);
  }
  const rows = [...totals.entries()]
    .map(([key, us]) => {
      const [fn, where] = key.split('\u0000');
      return { function: fn, where, self_ms: Math.round(us) / 1000, self_pct: total ? Math.round((us / total) * 1000) / 10 : 0 };
    })
    .sort((a, b) => b.self_ms - a.self_ms);
  // Totals by module: which file the time is spent in.
  const byModule = new Map();
  for (const row of rows) byModule.set(row.where || '(native)', (byModule.get(row.where || '(native)') ?? 0) + row.self_ms);
  const modules = [...byModule.entries()]
    .map(([where, ms]) => ({ where, self_ms: Math.round(ms * 1000) / 1000, self_pct: total ? Math.round(((ms * 1000) / total) * 1000) / 10 : 0 }))
    .sort((a, b) => b.self_ms - a.self_ms);
  return { total_ms: Math.round(total) / 1000, idle_ms: Math.round(idle) / 1000, functions: rows.slice(0, top), modules: modules.slice(0, 10) };
}

function shortUrl(url) {
  try {
    if (url.startsWith('file://')) url = fileURLToPath(url);
  } catch {
    // keep it as is
  }
  const at = url.indexOf('node_modules/');
  if (at >= 0) return url.slice(at);
  return url.replace(`${process.cwd()}/`, '');
}

export function readProfile(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}
