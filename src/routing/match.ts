import type { Route } from '../config/routes';

/** The first route whose glob matches the requested model, or undefined. */
export function matchRoute(routes: readonly Route[], model: string): Route | undefined {
  return routes.find((route) => route.pattern.test(model));
}
