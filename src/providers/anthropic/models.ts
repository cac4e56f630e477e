/**
 * Claude's model ids as Anthropic names them, which the cloud platforms rename: the aliases that
 * point at a dated snapshot, and the models a platform route lists when it maps ids itself.
 * Edit these tables when Anthropic ships a model.
 */

/** Undated aliases → the dated snapshot they stand for (the platforms know only the snapshot). */
export const CLAUDE_ALIASES: Readonly<Record<string, string>> = {
  'claude-opus-4-5': 'claude-opus-4-5-20251101',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-opus-4-0': 'claude-opus-4-20250514',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
  'claude-3-5-sonnet-latest': 'claude-3-5-sonnet-20241022',
};

/** The Claude models the platforms serve, newest first: what /v1/models lists for a route that maps ids. */
export const PLATFORM_CLAUDE_MODELS: readonly string[] = [
  'claude-opus-4-8',
  'claude-opus-4-7',
  'claude-opus-4-6',
  'claude-sonnet-4-6',
  'claude-opus-4-5-20251101',
  'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5-20250929',
  'claude-opus-4-1-20250805',
  'claude-opus-4-20250514',
  'claude-sonnet-4-20250514',
  'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-20241022',
];

/** `claude-sonnet-4-5-20250929` → its name and snapshot date; undated ids have no date. */
export function splitSnapshot(id: string): { name: string; date: string | null } {
  const dated = /^(.*)-(\d{8})$/.exec(id);
  return dated ? { name: dated[1]!, date: dated[2]! } : { name: id, date: null };
}

/** The dated snapshot an id names (aliases resolved), lower-cased as the platforms spell ids. */
export function resolveAlias(id: string): string {
  const lower = id.toLowerCase();
  return CLAUDE_ALIASES[lower] ?? lower;
}

/**
 * Whether prompt-cache entries on this model take a `ttl` (5 minutes or 1 hour): Claude 4.5 and
 * later. Older models refuse the field on the platforms.
 */
export function takesCacheTtl(claudeId: string): boolean {
  const version = /claude-(?:opus|sonnet|haiku)-(\d+)(?:-(\d{1,2}))?(?:-|$|@)/.exec(claudeId);
  if (!version) return false;
  const major = Number(version[1]);
  const minor = Number(version[2] ?? 0);
  return major > 4 || (major === 4 && minor >= 5);
}
