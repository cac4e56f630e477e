/**
 * Parameters the proxy adds on its own (reasoning, mostly) that a target turned out to refuse.
 * Servers the proxy does not know get the reasoning parameter when the client asks for thinking;
 * one that answers 400 naming it gets the request again without it, and never again for this
 * isolate's life.
 */

/** A parameter the proxy may drop, and how an error names it. */
export interface DroppableParam {
  /** The request field. */
  field: string;
  /** Words that name it in an error message. */
  names: RegExp;
}

/** Error wording that says a parameter is not accepted (as opposed to a bad value in the conversation). */
const REFUSAL =
  /unsupported|not supported|unrecognized|unrecogni[sz]ed|unknown|unexpected|extra (?:inputs?|fields?)|not permitted|not allowed|does not support|invalid|is not available/i;

/** Target (URL and model) → the fields it refused. */
const refusedByTarget = new Map<string, Set<string>>();

export function targetKey(url: string, model: string): string {
  return `${url}\n${model}`;
}

/** Fields this target is known to refuse. */
export function refusedFields(key: string): ReadonlySet<string> {
  return refusedByTarget.get(key) ?? new Set();
}

/** Which of the fields present in `body` a 400/422 answer refuses, if its message names one. */
export function refusedParam(status: number, bodyText: string, body: Record<string, unknown>, params: readonly DroppableParam[]): DroppableParam | null {
  if (status !== 400 && status !== 422) return null;
  if (!REFUSAL.test(bodyText)) return null;
  return params.find((param) => body[param.field] !== undefined && param.names.test(bodyText)) ?? null;
}

export function rememberRefused(key: string, field: string): void {
  let fields = refusedByTarget.get(key);
  if (!fields) {
    fields = new Set();
    refusedByTarget.set(key, fields);
  }
  fields.add(field);
}

/** Drops the fields this target refused from a request about to be sent; returns their names. */
export function withoutRefused(key: string, body: Record<string, unknown>): string[] {
  const dropped: string[] = [];
  for (const field of refusedFields(key)) {
    if (body[field] !== undefined) {
      delete body[field];
      dropped.push(field);
    }
  }
  return dropped;
}

/**
 * A provider's `retryWithout`: when a 400/422 names one of `params` that `body` holds, the
 * target is remembered as refusing it, the field is dropped and the request resent without it.
 */
export function dropRefused(options: {
  key: string;
  body: Record<string, unknown>;
  params: readonly DroppableParam[];
  resend: (payload: string) => void;
}): (status: number, bodyText: string) => string | null {
  return (status, bodyText) => {
    const refused = refusedParam(status, bodyText, options.body, options.params);
    if (!refused) return null;
    rememberRefused(options.key, refused.field);
    delete options.body[refused.field];
    options.resend(JSON.stringify(options.body));
    return `resent without ${refused.field}, which this target refuses (not sent to it again)`;
  };
}

/** Forgets every target (tests). */
export function forgetRefused(): void {
  refusedByTarget.clear();
}
