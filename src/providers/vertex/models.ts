import { resolveAlias, splitSnapshot } from '../anthropic/models';

/**
 * Claude ids → Vertex AI model ids. The rule: a dated snapshot `claude-X-YYYYMMDD` is
 * `claude-X@YYYYMMDD`; an undated id is the same on Vertex; aliases are resolved to their
 * snapshot first. This table holds the exceptions.
 */
const VERTEX_EXCEPTIONS: Readonly<Record<string, string>> = {
  'claude-3-5-sonnet-20241022': 'claude-3-5-sonnet-v2@20241022',
};

/** The Vertex model id for a requested (or configured) model; ids already in Vertex's form pass unchanged. */
export function vertexModelId(model: string): string {
  if (model.includes('@')) return model;
  const id = resolveAlias(model);
  if (VERTEX_EXCEPTIONS[id]) return VERTEX_EXCEPTIONS[id];
  const { name, date } = splitSnapshot(id);
  return date ? `${name}@${date}` : id;
}

/** The Claude id a Vertex id stands for (`claude-sonnet-4-5@20250929` → `claude-sonnet-4-5-20250929`). */
export function claudeIdOfVertex(id: string): string | null {
  for (const [claude, vertex] of Object.entries(VERTEX_EXCEPTIONS)) if (vertex === id) return claude;
  return /^claude-/.test(id) ? id.replace('@', '-') : null;
}
