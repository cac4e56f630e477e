import { describe, expect, it } from 'vitest';
import { parseRoutes, type Route } from '../../src/config/routes';
import { estimateRequestTokens } from '../../src/protocol/tokens';
import type { MessagesRequest } from '../../src/protocol/types';
import { requestFacts } from '../../src/routing/facts';
import { COOL_DOWN_MS, Health } from '../../src/routing/health';
import { matchRoute, routeRequest } from '../../src/routing/match';
import { backgroundCall, claudeCodeHeaders, EXAMPLE_ROUTES, mainTurn, SESSION_ID, webSearchCall } from '../fixtures/claude-code-routing';

const EXAMPLE = parseRoutes(EXAMPLE_ROUTES);

function facts(body: object, headers: Record<string, string> = claudeCodeHeaders(), keyName: string | null = null, sessionId: string | null = SESSION_ID) {
  return requestFacts(body as MessagesRequest, new Headers(headers), keyName, sessionId);
}

const routeName = (routes: Route[], body: object, headers?: Record<string, string>, keyName?: string | null) =>
  matchRoute(routes, facts(body, headers, keyName))?.route.name;

describe('conditions', () => {
  const only = (when: Record<string, unknown>) =>
    parseRoutes([
      { name: 'conditional', match: 'claude-*', when, provider: 'openai', baseUrl: 'https://a.example/v1' },
      { name: 'rest', match: '*', provider: 'anthropic', baseUrl: 'https://api.anthropic.com', apiKey: 'client' },
    ]);

  it('thinking: enabled or adaptive thinking, or (false) neither', () => {
    const thinking = only({ thinking: true });
    expect(routeName(thinking, mainTurn({ thinking: true }))).toBe('conditional');
    expect(routeName(thinking, { ...mainTurn(), thinking: { type: 'enabled', budget_tokens: 4096 } })).toBe('conditional');
    expect(routeName(thinking, { ...mainTurn(), thinking: { type: 'disabled' } })).toBe('rest');
    expect(routeName(thinking, mainTurn())).toBe('rest');
    expect(routeName(only({ thinking: false }), mainTurn({ thinking: true }))).toBe('rest');
    expect(routeName(only({ thinking: false }), mainTurn())).toBe('conditional');
  });

  it('minInputTokens: the count_tokens estimate is at least N', () => {
    const long = only({ minInputTokens: 60000 });
    expect(routeName(long, mainTurn({ toolResultChars: 400_000 }))).toBe('conditional');
    expect(routeName(long, mainTurn({ toolResultChars: 2_000 }))).toBe('rest');
    const exact = facts(mainTurn({ toolResultChars: 400_000 })).inputTokens();
    expect(routeName(only({ minInputTokens: exact }), mainTurn({ toolResultChars: 400_000 }))).toBe('conditional');
    expect(routeName(only({ minInputTokens: exact + 1 }), mainTurn({ toolResultChars: 400_000 }))).toBe('rest');
  });

  it("webSearch: the request carries Anthropic's web search server tool, not merely a client tool named WebSearch", () => {
    const search = only({ webSearch: true });
    expect(routeName(search, webSearchCall())).toBe('conditional');
    expect(routeName(search, { ...webSearchCall(), tools: [{ type: 'web_search_20260209', name: 'web_search' }] })).toBe('conditional');
    expect(mainTurn().tools.some((tool) => tool.name === 'WebSearch')).toBe(true);
    expect(routeName(search, mainTurn())).toBe('rest');
    expect(routeName(only({ webSearch: false }), mainTurn())).toBe('conditional');
  });

  it('subagent: x-claude-code-agent-id is present, or (false) absent', () => {
    const subagent = only({ subagent: true });
    expect(routeName(subagent, mainTurn(), claudeCodeHeaders({ 'x-claude-code-agent-id': 'agent-7', 'x-claude-code-parent-agent-id': 'main' }))).toBe(
      'conditional',
    );
    expect(routeName(subagent, mainTurn())).toBe('rest');
    expect(routeName(only({ subagent: false }), mainTurn())).toBe('conditional');
  });

  it('headers: every named header is present and matches its glob, names case-insensitive', () => {
    const team = only({ headers: { 'X-Team': 'ml-*', 'x-app': 'cli' } });
    expect(routeName(team, mainTurn(), claudeCodeHeaders({ 'x-team': 'ML-research' }))).toBe('conditional');
    expect(routeName(team, mainTurn(), claudeCodeHeaders({ 'x-team': 'infra' }))).toBe('rest');
    expect(routeName(team, mainTurn(), claudeCodeHeaders())).toBe('rest');
    expect(routeName(team, mainTurn(), { ...claudeCodeHeaders({ 'x-team': 'ml-research' }), 'x-app': 'sdk' })).toBe('rest');
  });

  it('keys: the proxy key presented is one of those named', () => {
    const ci = only({ keys: ['ci', 'alice'] });
    expect(routeName(ci, mainTurn(), undefined, 'alice')).toBe('conditional');
    expect(routeName(ci, mainTurn(), undefined, 'bob')).toBe('rest');
    expect(routeName(ci, mainTurn(), undefined, null)).toBe('rest');
  });

  it('combinations: a route serves only when every condition holds', () => {
    const both = only({ thinking: true, minInputTokens: 60000, keys: ['ci'] });
    expect(routeName(both, mainTurn({ thinking: true, toolResultChars: 400_000 }), undefined, 'ci')).toBe('conditional');
    expect(routeName(both, mainTurn({ thinking: false, toolResultChars: 400_000 }), undefined, 'ci')).toBe('rest');
    expect(routeName(both, mainTurn({ thinking: true, toolResultChars: 2_000 }), undefined, 'ci')).toBe('rest');
    expect(routeName(both, mainTurn({ thinking: true, toolResultChars: 400_000 }), undefined, 'alice')).toBe('rest');
  });

  it('says which conditions held, with the estimate it compared', () => {
    const decision = routeRequest(
      only({ thinking: true, minInputTokens: 60000, webSearch: false, subagent: false, headers: { 'x-team': 'ml-*' }, keys: ['ci'] }),
      facts(mainTurn({ thinking: true, toolResultChars: 400_000 }), claudeCodeHeaders({ 'x-team': 'ml-research' }), 'ci'),
    )!;
    expect(decision.reason).toMatch(/^match claude-\*; thinking; no webSearch; main agent; key ci; header x-team ~ ml-\*; minInputTokens \d+ ≥ 60000$/);
    expect(decision.reason).not.toContain('ml-research');
  });
});

describe('first match, in order', () => {
  it("sends Claude Code's requests where the README's example says", () => {
    expect(routeName(EXAMPLE, mainTurn({ toolResultChars: 400_000 }))).toBe('long');
    // long comes first: a long turn that also thinks is still long
    expect(routeName(EXAMPLE, mainTurn({ thinking: true, toolResultChars: 400_000 }))).toBe('long');
    expect(routeName(EXAMPLE, mainTurn({ thinking: true }))).toBe('think');
    expect(routeName(EXAMPLE, backgroundCall())).toBe('background');
    expect(routeName(EXAMPLE, mainTurn())).toBe('default');
    expect(routeName(EXAMPLE, mainTurn({ model: 'claude-opus-4-8' }))).toBe('default');
    expect(routeName(EXAMPLE, mainTurn({ model: 'gpt-4o' }))).toBe('default');
  });

  it('no route: undefined', () => {
    const routes = parseRoutes([{ match: 'claude-*', when: { thinking: true }, provider: 'openai', baseUrl: 'https://a.example/v1' }]);
    expect(routeRequest(routes, facts(mainTurn()))).toBeUndefined();
    expect(routeRequest(routes, facts({ ...mainTurn(), model: 'gpt-4o', thinking: { type: 'adaptive' } }))).toBeUndefined();
  });
});

describe('the token estimate', () => {
  /** A request that counts how often the estimator reads it (only the estimator reads `system`). */
  function counted(body: ReturnType<typeof mainTurn>) {
    const reads = { count: 0 };
    const { system, ...rest } = body;
    return {
      reads,
      body: Object.defineProperty(rest, 'system', {
        enumerable: true,
        get: () => {
          reads.count++;
          return system;
        },
      }),
    };
  }

  it('is computed at most once, however many routes ask', () => {
    const routes = parseRoutes([
      { match: 'claude-*', when: { minInputTokens: 500000 }, provider: 'openai', baseUrl: 'https://a.example/v1' },
      { match: 'claude-*', when: { minInputTokens: 200000 }, provider: 'openai', baseUrl: 'https://b.example/v1' },
      { match: 'claude-*', when: { minInputTokens: 100 }, provider: 'openai', baseUrl: 'https://c.example/v1' },
    ]);
    const once = counted(mainTurn());
    estimateRequestTokens(once.body as MessagesRequest);
    const { body, reads } = counted(mainTurn());
    expect(routeRequest(routes, facts(body))!.route.index).toBe(2);
    expect(reads.count).toBe(once.reads.count);
  });

  it('is not computed when no route asks, nor when a cheaper condition already failed', () => {
    const { body, reads } = counted(mainTurn());
    expect(routeRequest(parseRoutes([{ match: '*', provider: 'openai', baseUrl: 'https://a.example/v1' }]), facts(body))).toBeDefined();
    const routes = parseRoutes([
      { match: 'claude-*', when: { thinking: true, minInputTokens: 100 }, provider: 'openai', baseUrl: 'https://a.example/v1' },
      { match: 'claude-opus-*', when: { minInputTokens: 100 }, provider: 'openai', baseUrl: 'https://b.example/v1' },
      { match: '*', provider: 'openai', baseUrl: 'https://c.example/v1' },
    ]);
    expect(routeRequest(routes, facts(body))!.route.index).toBe(2);
    expect(reads.count).toBe(0);
  });
});

const weighted = (targets: { weight?: number; name: string }[]) =>
  parseRoutes([{ match: '*', targets: targets.map(({ name, weight }) => ({ provider: 'openai', baseUrl: `https://${name}.example/v1`, weight })) }]);
const hostOf = (decision: ReturnType<typeof routeRequest>) => new URL(decision!.targets[0]!.baseUrl).hostname.split('.')[0]!;

/** Shares of `count` routed requests (each its own session, unless `session` says otherwise) by target host. */
function shares(routes: Route[], count: number, health = new Health(), session: (i: number) => string | null = (i) => `session-${i}`) {
  const seen: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const host = hostOf(routeRequest(routes, facts(mainTurn(), claudeCodeHeaders(), null, session(i)), health));
    seen[host] = (seen[host] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(seen).map(([host, n]) => [host, n / count]));
}

describe('weighted targets', () => {
  it('spread 2,000 sessions within 3 percentage points of the weights', () => {
    for (const [targets, expected] of [
      [
        [
          { name: 'a', weight: 3 },
          { name: 'b', weight: 1 },
        ],
        { a: 0.75, b: 0.25 },
      ],
      [
        [
          { name: 'a', weight: 1 },
          { name: 'b', weight: 1 },
          { name: 'c', weight: 2 },
        ],
        { a: 0.25, b: 0.25, c: 0.5 },
      ],
      [
        [
          { name: 'a', weight: 0.9 },
          { name: 'b', weight: 0.1 },
        ],
        { a: 0.9, b: 0.1 },
      ],
    ] as const) {
      const got = shares(weighted([...targets]), 2_000);
      for (const [host, share] of Object.entries(expected)) expect(Math.abs((got[host] ?? 0) - share)).toBeLessThanOrEqual(0.03);
    }
  });

  it('spread over two targets configured alike too', () => {
    const routes = parseRoutes([{ match: '*', targets: [0, 1].map(() => ({ provider: 'openai', baseUrl: 'https://same.example/v1', weight: 1 })) }]);
    let first = 0;
    for (let i = 0; i < 2_000; i++) if (routeRequest(routes, facts(mainTurn(), {}, null, `s-${i}`))!.targets[0]!.label === 'ROUTES[0].targets[0]') first++;
    expect(Math.abs(first / 2_000 - 0.5)).toBeLessThanOrEqual(0.03);
  });

  it('spread requests without a session at random, by weight', () => {
    const got = shares(
      weighted([
        { name: 'a', weight: 3 },
        { name: 'b', weight: 1 },
      ]),
      20_000,
      new Health(),
      () => null,
    );
    expect(Math.abs(got.a! - 0.75)).toBeLessThanOrEqual(0.03);
  });

  it('keep every request of a session on one target, and say so', () => {
    const routes = weighted([
      { name: 'a', weight: 1 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 1 },
    ]);
    for (let session = 0; session < 50; session++) {
      const first = routeRequest(routes, facts(mainTurn(), claudeCodeHeaders(), null, `s-${session}`))!;
      expect(first.reason).toBe('match *; weight 1/3, session affinity');
      for (let turn = 0; turn < 20; turn++) {
        expect(hostOf(routeRequest(routes, facts(mainTurn({ thinking: turn % 2 === 0 }), claudeCodeHeaders(), null, `s-${session}`)))).toBe(hostOf(first));
      }
    }
    expect(routeRequest(routes, facts(mainTurn(), claudeCodeHeaders(), null, null))!.reason).toBe('match *; weight 1/3');
  });

  it('move only the sessions a new target wins when one is added', () => {
    const before = weighted([{ name: 'a' }, { name: 'b' }]);
    const after = weighted([{ name: 'c' }, { name: 'a' }, { name: 'b' }]);
    let moved = 0;
    for (let i = 0; i < 2_000; i++) {
      const was = hostOf(routeRequest(before, facts(mainTurn(), {}, null, `s-${i}`)));
      const now = hostOf(routeRequest(after, facts(mainTurn(), {}, null, `s-${i}`)));
      if (now !== was) {
        expect(now).toBe('c');
        moved++;
      }
    }
    expect(moved / 2_000).toBeGreaterThan(0.3);
    expect(moved / 2_000).toBeLessThan(0.37);
  });

  it('try the other targets by weight, then the fallbacks', () => {
    const [route] = parseRoutes([
      {
        match: '*',
        targets: [
          { provider: 'openai', baseUrl: 'https://a.example/v1' },
          { provider: 'openai', baseUrl: 'https://b.example/v1' },
        ],
        fallbacks: [{ provider: 'openai', baseUrl: 'https://z.example/v1' }],
      },
    ]);
    const decision = routeRequest([route!], facts(mainTurn()))!;
    expect(decision.targets.map((target) => target.label).sort()).toEqual(['ROUTES[0].fallbacks[0]', 'ROUTES[0].targets[0]', 'ROUTES[0].targets[1]']);
    expect(decision.targets[2]!.label).toBe('ROUTES[0].fallbacks[0]');
  });
});

describe('cool-downs', () => {
  function clock() {
    const time = { now: 1_000_000 };
    return { time, health: new Health(() => time.now) };
  }

  it("skip a failing target: its sessions move to the others by weight, the others' stay, and all come back after it", () => {
    const routes = weighted([
      { name: 'a', weight: 2 },
      { name: 'b', weight: 1 },
      { name: 'c', weight: 1 },
    ]);
    const { time, health } = clock();
    const sessions = Array.from({ length: 2_000 }, (_, i) => `s-${i}`);
    const home = new Map(sessions.map((s) => [s, hostOf(routeRequest(routes, facts(mainTurn(), {}, null, s), health))]));

    health.coolTarget(routes[0]!.targets[0]!, null);
    const moved: Record<string, number> = {};
    for (const s of sessions) {
      const decision = routeRequest(routes, facts(mainTurn(), {}, null, s), health)!;
      const host = hostOf(decision);
      expect(host).not.toBe('a');
      if (home.get(s) === 'a') {
        moved[host] = (moved[host] ?? 0) + 1;
        expect(decision.reason).toMatch(/^match \*; weight 1\/4, session affinity; ROUTES\[0\]\.targets\[0\] cooling down \(30 s left\)$/);
        // the cooling target is still tried, last
        expect(decision.targets.at(-1)!.label).toBe('ROUTES[0].targets[0]');
      } else expect(host).toBe(home.get(s));
    }
    // b and c have equal weights: a's sessions split about evenly between them
    expect(moved.b! / (moved.b! + moved.c!)).toBeGreaterThan(0.44);
    expect(moved.b! / (moved.b! + moved.c!)).toBeLessThan(0.56);

    time.now += COOL_DOWN_MS - 1;
    expect(hostOf(routeRequest(routes, facts(mainTurn(), {}, null, sessions.find((s) => home.get(s) === 'a')!), health))).not.toBe('a');
    time.now += 1;
    for (const s of sessions) expect(hostOf(routeRequest(routes, facts(mainTurn(), {}, null, s), health))).toBe(home.get(s));
  });

  it("last as long as the upstream's retry-after (capped), and end early when the target answers", () => {
    const routes = weighted([{ name: 'a' }, { name: 'b' }]);
    const [a] = routes[0]!.targets;
    const { time, health } = clock();
    health.coolTarget(a!, 5_000);
    expect(health.targetCooling(a!)).toBe(5_000);
    time.now += 5_000;
    expect(health.targetCooling(a!)).toBe(0);
    health.coolTarget(a!, 24 * 3_600_000);
    expect(health.targetCooling(a!)).toBe(600_000);
    health.coolTarget(a!, 1_000); // a shorter one never cuts a running cool-down
    expect(health.targetCooling(a!)).toBe(600_000);
    health.targetAnswered(a!);
    expect(health.targetCooling(a!)).toBe(0);
  });

  it('when every target cools, all are still tried, and the reason says so', () => {
    const routes = weighted([{ name: 'a' }, { name: 'b' }]);
    const { health } = clock();
    for (const target of routes[0]!.targets) health.coolTarget(target, null);
    const decision = routeRequest(routes, facts(mainTurn()), health)!;
    expect(decision.targets).toHaveLength(2);
    expect(decision.reason).toContain('every target cooling down: trying them anyway');
  });

  it('order a key pool by the session, the cooling keys last, soonest back first', () => {
    const routes = parseRoutes([{ match: '*', provider: 'openai', baseUrl: 'https://a.example/v1', apiKey: ['K1', 'K2', 'K3', 'K4'] }]);
    const { health } = clock();
    const target = routes[0]!.targets[0]!;
    const first = routeRequest(routes, facts(mainTurn(), {}, null, 'session-x'), health)!.keysFor(target);
    expect([...first].sort()).toEqual(['K1', 'K2', 'K3', 'K4']);
    expect(routeRequest(routes, facts(mainTurn(), {}, null, 'session-x'), health)!.keysFor(target)).toEqual(first);
    // different sessions start on different keys
    const starts = new Set(Array.from({ length: 40 }, (_, i) => routeRequest(routes, facts(mainTurn(), {}, null, `s${i}`), health)!.keysFor(target)[0]));
    expect(starts.size).toBe(4);
    health.coolKey(target, first[0]!, 60_000);
    health.coolKey(target, first[1]!, 10_000);
    expect(routeRequest(routes, facts(mainTurn(), {}, null, 'session-x'), health)!.keysFor(target)).toEqual([first[2], first[3], first[1], first[0]]);
  });
});
