import * as v from 'valibot';
import { isUnset, parseJsonSetting } from './settings';

const UsdCap = v.pipe(v.number(), v.finite(), v.minValue(0));

const BudgetSchema = v.pipe(
  v.strictObject({
    /** US dollars per UTC day. */
    daily: v.optional(UsdCap),
    /** US dollars per UTC calendar month. */
    monthly: v.optional(UsdCap),
  }),
  v.check((budget) => budget.daily !== undefined || budget.monthly !== undefined, 'a budget needs daily, monthly or both'),
);

/** KEY_BUDGETS: keyed by proxy key name (PROXY_API_KEYS `name:key`); `*` applies to every named key without its own entry. */
const BudgetsSchema = v.record(v.pipe(v.string(), v.nonEmpty()), BudgetSchema);

export type Budget = v.InferOutput<typeof BudgetSchema>;
export type Budgets = Record<string, Budget>;

export function parseBudgets(raw: unknown): Budgets | null {
  if (isUnset(raw)) return null;
  return parseJsonSetting('KEY_BUDGETS', raw, BudgetsSchema);
}

export function budgetFor(budgets: Budgets, keyName: string): Budget | undefined {
  return budgets[keyName] ?? budgets['*'];
}
