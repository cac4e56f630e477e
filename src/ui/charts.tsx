import type { FC } from 'hono/jsx';
import { ms, usd } from './format';

/** A fixed palette: the same model gets the same color on every chart of a page. */
const PALETTE = ['#b4541f', '#4a7fd1', '#2f9d6a', '#a24fc9', '#d1a32f', '#d14a6e', '#3fa6b8', '#7a7a7a'];

export function colors(models: (string | null)[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const model of models) {
    const key = model ?? '(none)';
    if (!map.has(key)) map.set(key, PALETTE[map.size % PALETTE.length]!);
  }
  return map;
}

const Swatch: FC<{ color: string }> = ({ color }) => (
  <svg width="10" height="10" aria-hidden="true">
    <rect width="10" height="10" fill={color} />
  </svg>
);

export const Legend: FC<{ palette: Map<string, string> }> = ({ palette }) => (
  <div class="legend">
    {[...palette].map(([model, color]) => (
      <span>
        <Swatch color={color} /> {model}
      </span>
    ))}
  </div>
);

/** Cost per day, stacked by model, as server-rendered SVG (with a <title> on every bar). */
export const CostChart: FC<{ days: { day: string; model: string | null; costMicros: number | null }[]; palette: Map<string, string> }> = ({
  days,
  palette,
}) => {
  const byDay = new Map<string, { model: string; cost: number }[]>();
  for (const row of days) {
    const list = byDay.get(row.day) ?? [];
    list.push({ model: row.model ?? '(none)', cost: row.costMicros ?? 0 });
    byDay.set(row.day, list);
  }
  const entries = [...byDay];
  const max = Math.max(1, ...entries.map(([, list]) => list.reduce((sum, item) => sum + item.cost, 0)));
  const width = 640;
  const height = 180;
  const plotTop = 10;
  const plotHeight = height - 40;
  const slot = entries.length > 0 ? (width - 60) / entries.length : width;
  const barWidth = Math.max(4, Math.min(48, slot * 0.7));
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Cost per day, stacked by model">
      <title>Cost per day, stacked by model</title>
      <text x="0" y="12">
        {usd(max)}
      </text>
      <text x="0" y={String(plotTop + plotHeight)}>
        $0
      </text>
      <line x1="55" x2={String(width)} y1={String(plotTop + plotHeight)} y2={String(plotTop + plotHeight)} stroke="currentColor" stroke-opacity="0.2" />
      {entries.map(([day, list], i) => {
        let y = plotTop + plotHeight;
        const x = 60 + i * slot + (slot - barWidth) / 2;
        return (
          <g>
            {list.map((item) => {
              const h = (item.cost / max) * plotHeight;
              y -= h;
              return (
                <rect
                  x={x.toFixed(1)}
                  y={y.toFixed(1)}
                  width={barWidth.toFixed(1)}
                  height={Math.max(h, item.cost > 0 ? 1 : 0).toFixed(1)}
                  fill={palette.get(item.model) ?? '#888'}
                >
                  <title>{`${day} · ${item.model}: ${usd(item.cost)}`}</title>
                </rect>
              );
            })}
            {(entries.length <= 14 || i % Math.ceil(entries.length / 14) === 0) && (
              <text x={(x + barWidth / 2).toFixed(1)} y={String(height - 12)} text-anchor="middle">
                {day.slice(5)}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
};

export interface LatencyRow {
  model: string | null;
  duration: { p50: number | null; p95: number | null };
  ttft: { p50: number | null; p95: number | null };
}

/** p50 and p95 duration, with time to first token, per target model: horizontal bars. */
export const LatencyChart: FC<{ models: LatencyRow[]; palette: Map<string, string> }> = ({ models, palette }) => {
  const rowHeight = 44;
  const width = 640;
  const labelWidth = 170;
  const height = Math.max(1, models.length) * rowHeight + 24;
  const max = Math.max(1, ...models.map((row) => row.duration.p95 ?? row.duration.p50 ?? 0));
  const scale = (value: number | null) => ((value ?? 0) / max) * (width - labelWidth - 10);
  return (
    <svg class="chart" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Duration p50 and p95, and time to first token, per model">
      <title>Duration p50/p95 and time to first token per model</title>
      {models.map((row, i) => {
        const y = i * rowHeight + 4;
        const color = palette.get(row.model ?? '(none)') ?? '#888';
        return (
          <g>
            <text x="0" y={String(y + 14)}>
              {(row.model ?? '(none)').slice(0, 26)}
            </text>
            <rect x={String(labelWidth)} y={String(y)} width={scale(row.duration.p95).toFixed(1)} height="10" fill={color} fill-opacity="0.35">
              <title>{`${row.model}: p95 ${ms(row.duration.p95)}`}</title>
            </rect>
            <rect x={String(labelWidth)} y={String(y)} width={scale(row.duration.p50).toFixed(1)} height="10" fill={color}>
              <title>{`${row.model}: p50 ${ms(row.duration.p50)}`}</title>
            </rect>
            <rect x={String(labelWidth)} y={String(y + 13)} width={scale(row.ttft.p95).toFixed(1)} height="6" fill="currentColor" fill-opacity="0.25">
              <title>{`${row.model}: time to first token p95 ${ms(row.ttft.p95)}`}</title>
            </rect>
            <rect x={String(labelWidth)} y={String(y + 13)} width={scale(row.ttft.p50).toFixed(1)} height="6" fill="currentColor" fill-opacity="0.6">
              <title>{`${row.model}: time to first token p50 ${ms(row.ttft.p50)}`}</title>
            </rect>
            <text x={String(labelWidth)} y={String(y + 32)}>
              {`p50 ${ms(row.duration.p50)} · p95 ${ms(row.duration.p95)} · first token p50 ${ms(row.ttft.p50)}`}
            </text>
          </g>
        );
      })}
      <text x={String(labelWidth)} y={String(height - 4)}>
        {`0 — ${ms(max)}; solid: p50, pale: p95; thin bars: time to first token`}
      </text>
    </svg>
  );
};

/** One request in a session timeline: duration bar with the time to first token marked. */
export const DurationBar: FC<{ durationMs: number | null; ttftMs: number | null; max: number; failed: boolean }> = ({ durationMs, ttftMs, max, failed }) => {
  const width = 160;
  const w = ((durationMs ?? 0) / Math.max(1, max)) * width;
  const t = ((ttftMs ?? 0) / Math.max(1, max)) * width;
  return (
    <svg
      class="bar"
      width={String(width)}
      height="12"
      viewBox={`0 0 ${width} 12`}
      role="img"
      aria-label={`duration ${ms(durationMs)}, first token ${ms(ttftMs)}`}
    >
      <rect x="0" y="2" width={w.toFixed(1)} height="8" fill={failed ? '#c0302b' : '#b4541f'} fill-opacity="0.7" />
      {ttftMs != null && <rect x={Math.max(0, t - 1).toFixed(1)} y="0" width="2" height="12" fill="currentColor" />}
    </svg>
  );
};
