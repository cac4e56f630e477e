import * as v from 'valibot';

/** Renders valibot issues as "field: problem" text a user can act on, e.g. `messages[1].role: expected ...`. */
export function describeIssues(issues: readonly v.BaseIssue<unknown>[], root = ''): string {
  return issues
    .slice(0, 3)
    .map((issue) => {
      const path = pathOf(issue, root);
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

function pathOf(issue: v.BaseIssue<unknown>, root: string): string {
  let out = root;
  for (const item of issue.path ?? []) {
    const key = item.key;
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
