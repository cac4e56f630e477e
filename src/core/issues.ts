import type * as v from 'valibot';

type PathItem = NonNullable<v.BaseIssue<unknown>['path']>[number];

/** Renders valibot issues as "field: problem" text a user can act on, e.g. `messages[1].role: Invalid type: ...`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root = ''): string {
  return issues
    .slice(0, 3)
    .map((outer) => {
      const { issue, path } = mostSpecific(outer, outer.path ?? []);
      const missing = /object$/.test(issue.type) && issue.received === 'undefined';
      const where = pathText(path, root);
      const message = missing ? 'required field is missing' : issue.message;
      return where ? `${where}: ${message}` : message;
    })
    .join('; ');
}

/**
 * A union that failed reports one issue for the whole union; the sub-issue that got deepest
 * into the value names the real problem (`content[0].tool_use_id`, not `content`). Sub-issue
 * paths are relative to the union's value.
 */
function mostSpecific(issue: v.BaseIssue<unknown>, path: readonly PathItem[]): { issue: v.BaseIssue<unknown>; path: readonly PathItem[] } {
  if (issue.type !== 'union' || !issue.issues?.length) return { issue, path };
  let best: { issue: v.BaseIssue<unknown>; path: readonly PathItem[] } = { issue, path };
  for (const sub of issue.issues) {
    const candidate = mostSpecific(sub, [...path, ...(sub.path ?? [])]);
    if (candidate.path.length > best.path.length) best = candidate;
  }
  return best;
}

function pathText(path: readonly PathItem[], root: string): string {
  let out = root;
  for (const item of path) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
