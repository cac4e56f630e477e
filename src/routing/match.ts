import { keyNames, type Route, speaksAnthropic, type Target } from '../config/routes';
import { conditionsHold } from './conditions';
import type { RequestFacts } from './facts';
import { type Health, healthOf, targetId } from './health';
import { rendezvousOrder } from './rendezvous';

export interface RouteMatch {
  route: Route;
  /** What each of its conditions saw. */
  held: string[];
}

/** The first route whose glob fits the model and whose `when` conditions all hold, or undefined. */
export function matchRoute(routes: readonly Route[], facts: RequestFacts): RouteMatch | undefined {
  for (const route of routes) {
    if (!route.pattern.test(facts.model)) continue;
    const held = route.when ? conditionsHold(route.when, facts) : [];
    if (held) return { route, held };
  }
  return undefined;
}

/** Where a request goes, and why. */
export interface RoutingDecision {
  route: Route;
  /** For the trace's `route_reason`: the match, the conditions that held, the weighted choice. */
  reason: string;
  /**
   * Targets in the order to try them: the route's own by weight (the session's first), then its
   * fallbacks; targets cooling down after a failure go last, so they are tried only if all else fails.
   */
  targets: readonly Target[];
  /** The secret names of a target's key pool in the order to use them: the session's first, cooling keys last. */
  keysFor(target: Target): string[];
  /** Where dispatch reports what it learns of targets and keys. */
  health: Health;
}

/**
 * Routes a request: the first matching route, then its targets by weight with session affinity
 * (rendezvous hashing on the session id: every request of a session lands on the same target
 * while it is healthy, and the sessions of a failing one spread over the others by weight).
 * Requests without a session are spread at random, by weight.
 */
export function routeRequest(routes: readonly Route[], facts: RequestFacts, health: Health = healthOf(routes)): RoutingDecision | undefined {
  const found = matchRoute(routes, facts);
  if (!found) return undefined;
  const { route, held } = found;
  const sessionKey = facts.sessionId ?? Math.random().toString(36);
  const ids = affinityIds(route);
  const ranked = rendezvousOrder(
    route.targets,
    sessionKey,
    (target) => ids.get(target)!,
    (target) => target.weight,
  );
  const candidates = [...ranked, ...route.fallbacks];
  const healthy = candidates.filter((target) => health.targetCooling(target) === 0);
  const cooling = candidates.filter((target) => health.targetCooling(target) > 0);
  const targets = [...healthy, ...cooling];

  const reason = [`match ${route.match}`, ...held];
  const chosen = targets[0]!;
  if (route.targets.length > 1 && 'weight' in chosen) {
    reason.push(`weight ${chosen.weight}/${route.totalWeight}${facts.sessionId ? ', session affinity' : ''}`);
  }
  if (cooling.length === candidates.length) reason.push('every target cooling down: trying them anyway');
  else {
    for (const target of ranked) {
      if (target === chosen) break;
      reason.push(`${target.label} cooling down (${Math.ceil(health.targetCooling(target) / 1000)} s left)`);
    }
  }
  return {
    route,
    reason: reason.join('; '),
    targets,
    health,
    keysFor(target) {
      const names = keyNames(target);
      if (names.length < 2) return [...names];
      const order = rendezvousOrder(
        names,
        sessionKey,
        (name) => name,
        () => 1,
      );
      const left = new Map(order.map((name) => [name, health.keyCooling(target, name)]));
      // Stable: healthy keys keep the session's order; cooling ones follow, the soonest back first.
      return order.sort((a, b) => left.get(a)! - left.get(b)!);
    },
  };
}

const affinity = new WeakMap<Route, Map<Target, string>>();

/**
 * What a route's targets are hashed by: what they are (not where they sit, so adding a target
 * moves only the sessions it wins), told apart by a count when two are configured alike.
 */
function affinityIds(route: Route): Map<Target, string> {
  let ids = affinity.get(route);
  if (!ids) {
    const seen = new Map<string, number>();
    ids = new Map(
      route.targets.map((target) => {
        const id = targetId(target);
        const repeat = seen.get(id) ?? 0;
        seen.set(id, repeat + 1);
        return [target, repeat === 0 ? id : `${id} #${repeat}`];
      }),
    );
    affinity.set(route, ids);
  }
  return ids;
}

/** Whether every target of a route (fallbacks included) speaks Anthropic's API: then bodies pass through as sent. */
export function allAnthropic(route: Route): boolean {
  return route.targets.every((target) => speaksAnthropic(target.provider)) && route.fallbacks.every((target) => speaksAnthropic(target.provider));
}
