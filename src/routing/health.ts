import type { Route, Target } from '../config/routes';

/** How long a failing target, or a rate-limited key, is passed over when the upstream gave no retry-after. */
export const COOL_DOWN_MS = 30_000;
/** A longer retry-after is cut to this: the isolate looks again after it. */
export const MAX_COOL_DOWN_MS = 10 * 60_000;
/** A key refused with 401 or 403 does not heal by waiting: it rests longer. */
export const REFUSED_KEY_COOL_DOWN_MS = 5 * 60_000;

/**
 * What this isolate has learnt about its upstreams: targets that failed and keys that were
 * rate-limited or refused, each passed over until a time. Nothing is shared between isolates:
 * each finds out for itself, at the cost of one failed request.
 */
export class Health {
  private readonly until = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Passes a target over for `ms` (a retry-after), else the default cool-down. */
  coolTarget(target: Target, ms: number | null): void {
    this.cool(targetId(target), ms ?? COOL_DOWN_MS);
  }

  coolKey(target: Target, keyName: string, ms: number): void {
    this.cool(keyId(target, keyName), ms);
  }

  /** A target that answered is healthy again, whatever its cool-down said. */
  targetAnswered(target: Target): void {
    this.until.delete(targetId(target));
  }

  keyAnswered(target: Target, keyName: string): void {
    this.until.delete(keyId(target, keyName));
  }

  /** Milliseconds the target is still passed over for; 0 when healthy. */
  targetCooling(target: Target): number {
    return this.left(targetId(target));
  }

  keyCooling(target: Target, keyName: string): number {
    return this.left(keyId(target, keyName));
  }

  private cool(id: string, ms: number): void {
    const until = this.now() + Math.min(Math.max(ms, 0), MAX_COOL_DOWN_MS);
    // A second failure never shortens a cool-down already running.
    if (until > (this.until.get(id) ?? 0)) this.until.set(id, until);
  }

  private left(id: string): number {
    const until = this.until.get(id);
    if (until === undefined) return 0;
    const left = until - this.now();
    if (left > 0) return left;
    this.until.delete(id);
    return 0;
  }
}

/**
 * A target's identity: where it sends and with which keys, not where it sits in ROUTES, so
 * two routes sending to the same upstream share what is known of it, and the hashing that keeps
 * sessions on a target does not move them when another target is added before it.
 */
export function targetId(target: Target): string {
  const keys = target.apiKey === undefined ? '' : typeof target.apiKey === 'string' ? target.apiKey : target.apiKey.join(',');
  return `${target.provider} ${target.baseUrl} ${target.model ?? '*'} ${keys}`;
}

/** A key is the same key wherever it is sent to the same host. */
function keyId(target: Target, keyName: string): string {
  return `key ${target.baseUrl} ${keyName}`;
}

const registries = new WeakMap<readonly Route[], Health>();

/** The health of the upstreams of one ROUTES configuration: parsed once per isolate, so held once per isolate. */
export function healthOf(routes: readonly Route[]): Health {
  let health = registries.get(routes);
  if (!health) {
    health = new Health();
    registries.set(routes, health);
  }
  return health;
}
