import type { Conditions } from '../config/routes';
import type { RequestFacts } from './facts';

/**
 * Whether every condition of a route's `when` holds for a request; if so, what each one saw (the
 * trace's `route_reason`), else null. The token estimate is asked for last, and only when every
 * other condition holds.
 */
export function conditionsHold(when: Conditions, facts: RequestFacts): string[] | null {
  const held: string[] = [];
  if (when.thinking !== undefined) {
    if (facts.thinking !== when.thinking) return null;
    held.push(when.thinking ? 'thinking' : 'no thinking');
  }
  if (when.webSearch !== undefined) {
    if (facts.webSearch !== when.webSearch) return null;
    held.push(when.webSearch ? 'webSearch' : 'no webSearch');
  }
  if (when.subagent !== undefined) {
    if (facts.subagent !== when.subagent) return null;
    held.push(when.subagent ? 'subagent' : 'main agent');
  }
  if (when.keys) {
    if (!facts.keyName || !when.keys.includes(facts.keyName)) return null;
    held.push(`key ${facts.keyName}`);
  }
  if (when.headers) {
    for (const header of when.headers) {
      const value = facts.headers.get(header.name);
      if (value === null || !header.pattern.test(value)) return null;
      // The glob, not the value: a header may carry something that must not be stored.
      held.push(`header ${header.name} ~ ${header.glob}`);
    }
  }
  if (when.minInputTokens !== undefined) {
    const tokens = facts.inputTokens();
    if (tokens < when.minInputTokens) return null;
    held.push(`minInputTokens ${tokens} ≥ ${when.minInputTokens}`);
  }
  return held;
}
