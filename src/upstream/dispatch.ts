import { TARGET_DEFAULTS } from '../config/routes';
import { CLIENT_CLOSED_STATUS, errorText, ProxyError } from '../core/errors';
import { scrubSecrets } from '../core/redact';
import type { ClientIdentity } from '../protocol/client';
import { providers } from '../providers';
import { COOL_DOWN_MS, REFUSED_KEY_COOL_DOWN_MS } from '../routing/health';
import type { RoutingDecision } from '../routing/match';
import { upstreamAuth } from './auth';
import type { Attempt, PreparedRequest, ProviderCall } from './types';

/** Longest `retry-after` the proxy waits out itself; a longer one goes back to the client. */
export const MAX_RETRY_WAIT_MS = 10_000;
const BACKOFF_BASE_MS = 250;
/** Error bodies are read whole (to map and trace them), up to this size. */
const ERROR_BODY_LIMIT = 64 * 1024;
/** Where upstreams put their own id for a request: Anthropic, OpenAI-compatible servers, AWS. */
const REQUEST_ID_HEADERS = ['request-id', 'x-request-id', 'x-amzn-requestid'];

export interface DispatchContext {
  client: ClientIdentity;
  /** Looks up a secret a route names. */
  secret: (name: string) => string | null;
  /** Every secret the configuration holds: an upstream error that echoes one reaches the client without it. */
  secrets: readonly string[];
  /** Fires when the client disconnects: the upstream call is abandoned with it. */
  signal: AbortSignal | undefined;
}

/** Statuses that speak of the key rather than the request: the same request moves to the pool's next key. */
const KEY_STATUSES = new Set([401, 403, 429]);

/**
 * Sends a routed call to the decision's targets in turn: the chosen one, the route's others, its
 * fallbacks. Each target is retried on connection errors, 429 and 5xx (with jittered backoff that
 * honours retry-after) before any byte reaches the client; once a target answers 2xx, its answer
 * is the client's. A client error (4xx) ends the search at once: another target would refuse it
 * too. A key pool's key answered 401/403/429 is cooled down and the request moves to the next key
 * at once (a 429 counts as a retry); a target that fails is cooled down for this isolate.
 */
export async function dispatch(call: ProviderCall, decision: RoutingDecision, context: DispatchContext): Promise<Response> {
  const { observer } = call;
  const { signal } = context;
  const { health } = decision;
  let failure: (() => Response | ProxyError) | null = null;

  for (const [position, target] of decision.targets.entries()) {
    const prepare = (keyName: string | undefined) =>
      providers[target.provider].prepare(call, target, upstreamAuth(target, context.client, context.secret, keyName), context.secret);
    let key = decision.keysFor(target)[0];
    let prepared: ReturnType<typeof prepare>;
    try {
      prepared = prepare(key);
    } catch (err) {
      // The first target's auth decides the answer; another this client may not use is skipped.
      if (position === 0) throw err;
      observer.attempt({ target: target.label, provider: target.provider, url: target.baseUrl, status: null, error: `skipped: ${errorText(err)}`, ms: 0 });
      continue;
    }
    if (prepared instanceof Response) return prepared;

    const retries = target.retries ?? TARGET_DEFAULTS.retries;
    /** Keys of the pool this request saw refused (401/403) or rate-limited (429). */
    const refused = new Set<string>();
    const limited = new Set<string>();
    let targetFailed = false;
    let coolFor: number | null = null;
    let adjusted = false;
    let renewed = false;
    for (let attempt = 0; ; ) {
      const started = Date.now();
      const outcome = await sendSigned(prepared, target.timeoutMs ?? TARGET_DEFAULTS.timeoutMs, signal);
      const record: Attempt = { target: target.label, provider: target.provider, url: prepared.url, status: null, error: null, ms: 0 };
      if (key) record.key = key;
      const requestId = outcome.kind === 'response' ? upstreamRequestId(outcome.response.headers) : null;
      if (requestId) record.requestId = requestId;

      if (outcome.kind === 'client_gone') {
        record.error = 'client disconnected';
        record.ms = Date.now() - started;
        observer.attempt(record);
        observer.end('client_abort', { type: 'client_abort', message: 'client disconnected before the upstream answered' });
        throw new ProxyError('api_error', 'client disconnected before the upstream answered', CLIENT_CLOSED_STATUS);
      }
      if (outcome.kind === 'response' && outcome.response.ok) {
        record.status = outcome.response.status;
        record.ms = Date.now() - started;
        observer.attempt(record);
        health.targetAnswered(target);
        if (key) health.keyAnswered(target, key);
        return prepared.respond(outcome.response, {
          idleTimeoutMs: target.idleTimeoutMs ?? TARGET_DEFAULTS.idleTimeoutMs,
          clearDeadline: outcome.clearDeadline,
          clientSignal: signal,
        });
      }

      let retryable: boolean;
      let waitMs = backoff(attempt);
      if (outcome.kind === 'response') {
        const { response } = outcome;
        const { status } = response;
        // An upstream may echo the key it was sent ("invalid key sk-…"): the client never sees the owner's.
        const bodyText = scrubSecrets(await readBounded(response), context.secrets);
        outcome.clearDeadline();
        record.status = status;
        record.error = bodyText.slice(0, 300) || null;
        // A credential refused mid-life (a revoked access token) is renewed and tried once more,
        // at once: that try is not one of the target's retries.
        if (status === 401 && !renewed && prepared.signer?.renew && (await prepared.signer.renew())) {
          renewed = true;
          record.ms = Date.now() - started;
          observer.attempt(record);
          continue;
        }
        retryable = isRetryable(status, bodyText, response.headers);
        const after = retryAfterMs(response.headers);
        coolFor = after;
        targetFailed = status >= 500 || status === 429;
        if (after !== null) {
          if (after > MAX_RETRY_WAIT_MS) retryable = false;
          waitMs = Math.max(waitMs, after);
        }
        const failed = prepared;
        failure = () => failed.fail(status, bodyText, response.headers);
        if (key && KEY_STATUSES.has(status)) {
          health.coolKey(target, key, status === 429 ? (after ?? COOL_DOWN_MS) : REFUSED_KEY_COOL_DOWN_MS);
          (status === 429 ? limited : refused).add(key);
          const next = decision.keysFor(target).find((name) => !refused.has(name) && !limited.has(name));
          if (next && (status !== 429 || attempt < retries)) {
            record.ms = Date.now() - started;
            observer.attempt(record);
            if (status === 429) attempt++;
            key = next;
            const again = prepare(key);
            if (again instanceof Response) return again;
            prepared = again;
            continue;
          }
        }
        // A client error ends the search: the same request would fail everywhere.
        if (!retryable && status < 500 && status !== 429) {
          record.ms = Date.now() - started;
          // Once per target: the same request without what the target refused (not a retry).
          const change = adjusted ? null : (prepared.retryWithout?.(status, bodyText) ?? null);
          if (change) {
            adjusted = true;
            record.error = `${record.error ?? `HTTP ${status}`} → ${change}`;
            observer.attempt(record);
            continue;
          }
          observer.attempt(record);
          return answer(failure);
        }
      } else if (outcome.kind === 'credentials') {
        // The target's credentials could not be made: an endpoint that failed (502 and up) may
        // recover on a retry; a refused key (500) will not.
        const { error } = outcome;
        record.error = error.message;
        retryable = error.status >= 502 || error.status === 429;
        failure = () => error;
      } else {
        record.error = outcome.message;
        retryable = outcome.kind === 'unreachable';
        targetFailed = true;
        coolFor = null;
        failure =
          outcome.kind === 'timeout' ? () => new ProxyError('timeout_error', outcome.message, 504) : () => new ProxyError('api_error', outcome.message, 502);
      }
      record.ms = Date.now() - started;
      observer.attempt(record);
      if (!retryable || attempt >= retries) break;
      if (!(await sleep(waitMs, signal))) {
        observer.end('client_abort', { type: 'client_abort', message: 'client disconnected while the proxy waited to retry' });
        throw new ProxyError('api_error', 'client disconnected while the proxy waited to retry', CLIENT_CLOSED_STATUS);
      }
      attempt++;
      // After the wait, the pool's key that is back soonest (never one refused here).
      const next = decision.keysFor(target).find((name) => !refused.has(name));
      if (next !== undefined && next !== key) {
        key = next;
        const again = prepare(key);
        if (again instanceof Response) return again;
        prepared = again;
      }
    }
    // Its sessions go to the next target by weight until the cool-down ends (or it answers again).
    if (targetFailed) health.coolTarget(target, coolFor);
  }
  if (!failure) throw new ProxyError('api_error', `no target of ${decision.route.label} could be used`, 502);
  return answer(failure);
}

function answer(failure: () => Response | ProxyError): Response {
  const result = failure();
  if (result instanceof ProxyError) throw result;
  return result;
}

/** What one fetch to an upstream came to. */
export type Outcome =
  | { kind: 'response'; response: Response; clearDeadline: () => void }
  | { kind: 'timeout'; message: string }
  | { kind: 'unreachable'; message: string }
  | { kind: 'client_gone' };

/** One try of a prepared request, signed for this try when its target signs each one. */
async function sendSigned(
  prepared: PreparedRequest,
  timeoutMs: number,
  clientSignal: AbortSignal | undefined,
): Promise<Outcome | { kind: 'credentials'; error: ProxyError }> {
  let init = prepared.init;
  if (prepared.signer) {
    try {
      init = { ...init, headers: await prepared.signer.headers(init) };
    } catch (err) {
      return {
        kind: 'credentials',
        error: err instanceof ProxyError ? err : new ProxyError('api_error', `could not sign the upstream request: ${errorText(err)}`, 502),
      };
    }
  }
  return sendOnce(prepared.url, init, timeoutMs, clientSignal);
}

function upstreamRequestId(headers: Headers): string | null {
  for (const name of REQUEST_ID_HEADERS) {
    const value = headers.get(name);
    if (value) return value.slice(0, 200);
  }
  return null;
}

/**
 * One fetch with a deadline for the response (headers; for whole answers, the body too, until
 * `clearDeadline`), abandoned if the client leaves. Every upstream call goes through here.
 */
export async function sendOnce(
  url: string,
  init: Omit<RequestInit, 'body'> & { body?: BodyInit | null | (() => ReadableStream<Uint8Array>) },
  timeoutMs: number,
  clientSignal: AbortSignal | undefined,
): Promise<Outcome> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(new Error('deadline')), timeoutMs);
  const signal = clientSignal ? AbortSignal.any([deadline.signal, clientSignal]) : deadline.signal;
  const host = new URL(url).host;
  try {
    const body = typeof init.body === 'function' ? init.body() : init.body;
    const response = await fetch(url, { ...init, body, signal });
    return { kind: 'response', response, clearDeadline: () => clearTimeout(timer) };
  } catch (err) {
    clearTimeout(timer);
    if (clientSignal?.aborted) return { kind: 'client_gone' };
    if (deadline.signal.aborted) return { kind: 'timeout', message: `the upstream ${host} did not answer within ${timeoutMs} ms` };
    return { kind: 'unreachable', message: `could not reach the upstream ${host}: ${errorText(err)}` };
  }
}

/** Retry on 408, 409, 429 and 5xx (529 included), unless the upstream says not to or the account is out of credit. */
export function isRetryable(status: number, bodyText: string, headers: Headers): boolean {
  if (headers.get('x-should-retry') === 'false') return false;
  if (status === 429) return !/insufficient_quota/.test(bodyText);
  return status === 408 || status === 409 || status >= 500;
}

/** `retry-after-ms` or `retry-after` (seconds or an HTTP date), in ms. */
export function retryAfterMs(headers: Headers): number | null {
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.has('retry-after-ms') && Number.isFinite(ms)) return ms;
  const value = headers.get('retry-after');
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

/** Full jitter: a random wait up to 250 ms × 2^attempt, at least a quarter of it. */
export function backoff(attempt: number): number {
  const ceiling = BACKOFF_BASE_MS * 2 ** attempt;
  return ceiling / 4 + Math.random() * ((ceiling * 3) / 4);
}

/** Waits, unless the client leaves first (then false). */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      text += decoder.decode(read.value, { stream: true });
      if (text.length > ERROR_BODY_LIMIT) {
        await reader.cancel();
        break;
      }
    }
  } catch {
    // a body cut short still says what it said
  }
  return text + decoder.decode();
}
