/**
 * Tool input schemas for targets with a narrow JSON-schema dialect (Gemini's OpenAI endpoint
 * rejects `$schema`, `additionalProperties`, `propertyNames`, `const`, `exclusiveMinimum` /
 * `exclusiveMaximum`, most `format`s…): an allowlist, so any keyword it does not take is dropped.
 * "keep" only drops `$schema`.
 */

/** Keywords the strict subset keeps; everything else is removed. */
const SUBSET_KEYS = new Set([
  'type',
  'format',
  'description',
  'nullable',
  'enum',
  'items',
  'properties',
  'required',
  'minItems',
  'maxItems',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'anyOf',
  'default',
  'title',
]);

const SUBSET_FORMATS = new Set(['enum', 'date-time']);

export function cleanSchema(schema: Record<string, unknown>, mode: 'keep' | 'strict-subset'): Record<string, unknown> {
  if (mode === 'keep') {
    if (!('$schema' in schema)) return schema;
    const { $schema: _dropped, ...rest } = schema;
    return rest;
  }
  return subset(schema) as Record<string, unknown>;
}

function subset(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(subset);
  if (!node || typeof node !== 'object') return node;
  const input = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (key === 'properties' && value && typeof value === 'object') {
      // property names are data, not keywords: keep them all
      out.properties = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([name, prop]) => [name, subset(prop)]));
    } else if (key === 'const') {
      out.enum = [value];
    } else if (key === 'type' && Array.isArray(value)) {
      // ["string", "null"] → "string" + nullable; Gemini takes one type, so several become anyOf
      const types = value.filter((t) => t !== 'null');
      if (types.length === 1) out.type = types[0];
      else if (types.length > 1 && !('anyOf' in input) && !('oneOf' in input)) out.anyOf = types.map((type) => ({ type }));
      if (types.length !== value.length) out.nullable = true;
    } else if (key === 'format') {
      if (typeof value === 'string' && SUBSET_FORMATS.has(value)) out.format = value;
    } else if (key === 'oneOf') {
      out.anyOf = subset(value);
    } else if (SUBSET_KEYS.has(key)) {
      out[key] = key === 'items' || key === 'anyOf' ? subset(value) : value;
    }
  }
  // A required name with no property is refused: keep only the ones defined.
  if (Array.isArray(out.required)) {
    const defined = out.properties && typeof out.properties === 'object' ? Object.keys(out.properties) : [];
    out.required = out.required.filter((name) => defined.includes(name as string));
    if ((out.required as unknown[]).length === 0) delete out.required;
  }
  return out;
}
