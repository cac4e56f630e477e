/**
 * JSON helpers that never recurse: stored bodies come from clients and may nest as deep as a
 * client likes (the runtime's JSON.parse is iterative; JSON.stringify and any recursive walk
 * overflow the stack after a few thousand levels).
 */

/** Whether `text` is one JSON value. */
export function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** How deep arrays and objects nest in a JSON text (0 for a scalar), read without parsing. */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 92 /* \ */) i++;
      else if (ch === 34 /* " */) inString = false;
    } else if (ch === 34) inString = true;
    else if (ch === 123 /* { */ || ch === 91 /* [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (ch === 125 /* } */ || ch === 93 /* ] */) depth--;
  }
  return max;
}

/** Indentation stops growing past this depth: deeper levels would make the text grow with the square of the depth. */
export const MAX_INDENT_LEVEL = 64;

function newline(level: number, indent: string): string {
  return `\n${indent.repeat(Math.min(level, MAX_INDENT_LEVEL))}`;
}

/**
 * JSON text re-indented for reading (two spaces a level), in one pass over the characters:
 * strings are copied as they are, so the text says exactly what was stored. Text that is not
 * JSON comes out with its structure characters spaced, never an error.
 */
export function prettyJsonText(text: string, indent = '  '): string {
  let out = '';
  let level = 0;
  let start = 0; // start of the run of characters not yet copied
  const flush = (end: number) => {
    if (end > start) out += text.slice(start, end);
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      // copy the whole string at once
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      i = j;
      continue;
    }
    if (ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t') {
      flush(i);
      start = i + 1;
    } else if (ch === '{' || ch === '[') {
      flush(i + 1);
      start = i + 1;
      const close = ch === '{' ? '}' : ']';
      let k = i + 1;
      while (k < text.length && (text[k] === ' ' || text[k] === '\n' || text[k] === '\r' || text[k] === '\t')) k++;
      if (text[k] === close) {
        // an empty container stays on one line
        out += close;
        i = k;
        start = k + 1;
      } else {
        level++;
        out += newline(level, indent);
      }
    } else if (ch === '}' || ch === ']') {
      flush(i);
      level = Math.max(0, level - 1);
      out += newline(level, indent) + ch;
      start = i + 1;
    } else if (ch === ',') {
      flush(i);
      out += `,${newline(level, indent)}`;
      start = i + 1;
    } else if (ch === ':') {
      flush(i);
      out += ': ';
      start = i + 1;
    }
  }
  flush(text.length);
  return out;
}

type Frame = { kind: 'array'; items: unknown[]; next: number } | { kind: 'object'; entries: [string, unknown][]; next: number };

/**
 * JSON.stringify for parsed JSON values, without recursion: any depth, same text (with `indent`,
 * as JSON.stringify(value, null, indent)). `skipKey` leaves out object members by name.
 */
export function stringifyJson(value: unknown, indent = '', skipKey?: (key: string) => boolean): string {
  const pretty = indent !== '';
  let out = '';
  const stack: Frame[] = [];
  const open = (item: unknown): void => {
    if (item === null || typeof item !== 'object') {
      out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : JSON.stringify(item);
      return;
    }
    if (Array.isArray(item)) {
      if (item.length === 0) out += '[]';
      else {
        out += '[';
        stack.push({ kind: 'array', items: item, next: 0 });
      }
      return;
    }
    const entries = Object.entries(item as Record<string, unknown>).filter(([key, v]) => v !== undefined && !skipKey?.(key));
    if (entries.length === 0) out += '{}';
    else {
      out += '{';
      stack.push({ kind: 'object', entries, next: 0 });
    }
  };
  open(value);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    const size = frame.kind === 'array' ? frame.items.length : frame.entries.length;
    if (frame.next === size) {
      stack.pop();
      if (pretty) out += newline(stack.length, indent);
      out += frame.kind === 'array' ? ']' : '}';
      continue;
    }
    if (frame.next > 0) out += ',';
    if (pretty) out += newline(stack.length, indent);
    if (frame.kind === 'array') open(frame.items[frame.next++]);
    else {
      const [key, item] = frame.entries[frame.next++]!;
      out += `${JSON.stringify(key)}:${pretty ? ' ' : ''}`;
      open(item);
    }
  }
  return out;
}

/**
 * Whether two JSON values are the same, keys in the same order: they serialise to the same text.
 * Iterative. Comparing a 50 KB tool list this way costs a tenth of serialising it.
 */
export function sameJson(a: unknown, b: unknown): boolean {
  const stack: unknown[] = [a, b];
  while (stack.length > 0) {
    const y = stack.pop();
    const x = stack.pop();
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x)) {
      if (!Array.isArray(y) || x.length !== y.length) return false;
      for (let i = 0; i < x.length; i++) stack.push(x[i], y[i]);
      continue;
    }
    if (Array.isArray(y)) return false;
    const xKeys = Object.keys(x);
    const yKeys = Object.keys(y);
    if (xKeys.length !== yKeys.length) return false;
    for (let i = 0; i < xKeys.length; i++) {
      const key = xKeys[i]!;
      if (key !== yKeys[i]) return false;
      stack.push((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key]);
    }
  }
  return true;
}
