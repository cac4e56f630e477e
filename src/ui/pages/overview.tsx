import type { FC } from 'hono/jsx';
import type { ModelStats, SessionSummary, Stats } from '../../storage/queries';
import { CostChart, LatencyChart, Legend, colors } from '../charts';
import { SessionTable } from '../components';
import { count, ms, percent, tokens, usd } from '../format';
import { Layout, Ranges, withQuery } from '../layout';

export const OverviewPage: FC<{ stats: Stats; range: string; expensive: SessionSummary[]; recent: SessionSummary[] }> = ({
  stats,
  range,
  expensive,
  recent,
}) => {
  const palette = colors([...stats.models.map((model) => model.model), ...stats.days.map((day) => day.model)]);
  const inputAll = stats.inputTokens + stats.cacheReadInputTokens + stats.cacheCreationInputTokens;
  return (
    <Layout title="Overview" section="overview">
      <h1>Overview</h1>
      <Ranges current={range} base="/ui" query={{}} />
      <div class="cards">
        <div class="card">
          <div class="value" id="requests">
            {count(stats.requests)}
          </div>
          <div class="label">requests</div>
        </div>
        <div class="card">
          <div class={stats.errors > 0 ? 'value bad' : 'value'} id="error-rate">
            {percent(stats.errorRate)}
          </div>
          <div class="label">{`error rate (${count(stats.errors)} failed)`}</div>
        </div>
        <div class="card">
          <div class="value">{`${count(inputAll)} / ${count(stats.outputTokens)}`}</div>
          <div class="label">tokens in / out</div>
        </div>
        <div class="card">
          <div class="value" id="cost">
            {usd(stats.costMicros)}
          </div>
          <div class="label">cost (priced models)</div>
        </div>
      </div>
      {stats.errorsByType.length > 0 && (
        <p>
          {'Errors: '}
          {stats.errorsByType.map((error, i) => (
            <>
              {i > 0 && ', '}
              <a href={withQuery('/ui/traces', { error_type: error.errorType, range })}>{error.errorType}</a>
              {` (${error.count})`}
            </>
          ))}
        </p>
      )}
      <h2>Cost per day</h2>
      <CostChart days={stats.days} palette={palette} />
      <Legend palette={palette} />
      <h2>Latency per target model</h2>
      <LatencyChart models={stats.models} palette={palette} />
      <div class="scroll">
        <table>
          <thead>
            <UsageHead first="Target model" />
          </thead>
          <tbody>
            {stats.models.map((model) => (
              <tr>
                <td>
                  <a href={withQuery('/ui/traces', { target_model: model.model ?? undefined, range })}>{model.model ?? '(none)'}</a>
                </td>
                <UsageCells usage={model} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Per route</h2>
      <div class="scroll">
        <table id="routes">
          <thead>
            <UsageHead first="Route" share />
          </thead>
          <tbody>
            {stats.routes.map((route) => (
              <tr>
                <td>{route.route ? <a href={withQuery('/ui/traces', { route: route.route, range })}>{route.route}</a> : '(not routed)'}</td>
                <UsageCells usage={route} share={stats.requests > 0 ? route.requests / stats.requests : 0} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Most expensive sessions</h2>
      <SessionTable sessions={expensive} />
      <h2>Most recent sessions</h2>
      <SessionTable sessions={recent} />
    </Layout>
  );
};

type Usage = Omit<ModelStats, 'model'>;

const UsageHead: FC<{ first: string; share?: boolean }> = ({ first, share }) => (
  <tr>
    <th>{first}</th>
    <th class="num">Requests</th>
    {share && <th class="num">Share</th>}
    <th class="num">Errors</th>
    <th class="num">p50 / p95 / p99</th>
    <th class="num">First token p50 / p95</th>
    <th class="num">Tokens in / out</th>
    <th class="num">Cost</th>
  </tr>
);

/** What a target model or a route came to: requests (and their share), errors, latency, tokens, cost. */
const UsageCells: FC<{ usage: Usage; share?: number }> = ({ usage, share }) => (
  <>
    <td class="num">{count(usage.requests)}</td>
    {share !== undefined && <td class="num">{percent(share)}</td>}
    <td class="num">{count(usage.errors)}</td>
    <td class="num">{`${ms(usage.duration.p50)} / ${ms(usage.duration.p95)} / ${ms(usage.duration.p99)}`}</td>
    <td class="num">{`${ms(usage.ttft.p50)} / ${ms(usage.ttft.p95)}`}</td>
    <td class="num">{`${tokens(usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens)} / ${tokens(usage.outputTokens)}`}</td>
    <td class="num">{usd(usage.costMicros)}</td>
  </>
);
