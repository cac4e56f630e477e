import * as v from 'valibot';
import { ProxyError } from '../core/errors';
import { describeIssues } from '../core/issues';

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
 * A setting parsed once, or the error that says why it could not be: requests that need it fail
 * with that error (naming the field), and everything else keeps working.
 */
export class Setting<T> {
  private constructor(
    private readonly value: T | undefined,
    readonly error: ProxyError | null,
  ) {}

  static parse<T>(name: string, parse: () => T): Setting<T> {
    try {
      return new Setting(parse(), null);
    } catch (err) {
      return new Setting<T>(undefined, err instanceof ProxyError ? err : new ProxyError('api_error', `${name} could not be read: ${String(err)}`));
    }
  }

  /** The parsed value; throws the setting's error when it is malformed. */
  get(): T {
    if (this.error) throw this.error;
    return this.value as T;
  }
}
