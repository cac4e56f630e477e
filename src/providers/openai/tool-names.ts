/** OpenAI function names: at most 64 of [A-Za-z0-9_-]. Anthropic allows longer ones (`mcp__server__tool`). */
const VALID = /^[A-Za-z0-9_-]{1,64}$/;

/** FNV-1a, 32 bits, as 8 hex digits: a stable suffix that keeps shortened names distinct. */
function hash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * Tool names the target accepts, and the way back. The same original name always gets the same
 * short name, so tool definitions and tool calls in the history agree.
 */
export class ToolNames {
  private readonly originals = new Map<string, string>();

  shorten(name: string): string {
    if (VALID.test(name)) return name;
    const short = `${name.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 55)}_${hash(name)}`;
    this.originals.set(short, name);
    return short;
  }

  /** The client's name for a name the target used. */
  restore(name: string): string {
    return this.originals.get(name) ?? name;
  }
}
