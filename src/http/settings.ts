import * as v from 'valibot';
import { ProxyError } from './errors';
import { describeIssues } from './issues';

/** A setting that is unset or blank. */
export function isUnset(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

/**
 * Reads a JSON setting (ROUTES, KEY_BUDGETS, ALERTS): a JSON value in wrangler.jsonc vars, or a
 * string holding one (.dev.vars, secrets, --var), checked against its schema. A bad value is a
 * 500 `api_error` naming the setting and the field, so the owner knows what to fix.
 */
export function parseJsonSetting<S extends v.GenericSchema>(name: string, raw: unknown, schema: S): v.InferOutput<S> {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (err) {
      throw new ProxyError('api_error', `${name} is not valid JSON (${(err as Error).message}); fix the ${name} setting of the proxy`);
    }
  }
  const result = v.safeParse(schema, value);
  if (!result.success) {
    throw new ProxyError('api_error', `${name} is malformed: ${describeIssues(result.issues, name)}; fix the ${name} setting of the proxy`);
  }
  return result.output;
}

/**
 * Memoises a setting's parse on its raw value (the same object for the isolate's lifetime), the
 * error included: a bad setting is reported on every request, parsed once.
 */
export function memoiseSetting<T>(name: string, parse: (raw: unknown) => T): (raw: unknown) => T {
  let cachedRaw: unknown = Symbol('unset');
  let cached: T | ProxyError;
  return (raw) => {
    if (raw !== cachedRaw) {
      cachedRaw = raw;
      try {
        cached = parse(raw);
      } catch (err) {
        cached = err instanceof ProxyError ? err : new ProxyError('api_error', `${name} could not be read: ${String(err)}`);
      }
    }
    if (cached instanceof ProxyError) throw cached;
    return cached;
  };
}
