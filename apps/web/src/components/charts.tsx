/**
 * Small charts in plain CSS and SVG. Each one also states its numbers in text, so the
 * chart is readable without seeing the shapes.
 */
import { formatNumber } from '../lib/format.ts';

export type Tone = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'accent' | 'muted' | 'warning';

export interface Datum {
  label: string;
  value: number;
  tone?: Tone;
}

const fmt = (value: number) => formatNumber(value, 1);

/** Horizontal bars, longest first as given. */
export function BarList({ items, label, format = fmt }: { items: Datum[]; label: string; format?: (value: number) => string }) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="bar-list" aria-label={label}>
      {items.map((item) => (
        <li key={item.label}>
          <span className="bar-label">{item.label}</span>
          <span className="bar-track" aria-hidden="true">
            <span className={`bar-fill tone-${item.tone ?? 'accent'}`} style={{ width: `${(item.value / max) * 100}%` }} />
          </span>
          <span className="bar-value">{format(item.value)}</span>
        </li>
      ))}
    </ul>
  );
}

/** A ring split by share, with a legend of counts and percentages. */
export function Donut({ items, label, centre }: { items: Datum[]; label: string; centre: string }) {
  const total = items.reduce((sum, item) => sum + item.value, 0);
  let offset = 0;
  return (
    <figure className="donut" aria-label={label}>
      <svg viewBox="0 0 42 42" role="img" aria-label={`${label}: ${items.map((i) => `${i.label} ${i.value}`).join(', ')}`}>
        <circle cx="21" cy="21" r="15.915" className="donut-hole" />
        {total > 0 &&
          items
            .filter((item) => item.value > 0)
            .map((item) => {
              const share = (item.value / total) * 100;
              const circle = (
                <circle
                  key={item.label}
                  cx="21"
                  cy="21"
                  r="15.915"
                  className={`donut-slice stroke-${item.tone ?? 'accent'}`}
                  strokeDasharray={`${share} ${100 - share}`}
                  strokeDashoffset={25 - offset}
                />
              );
              offset += share;
              return circle;
            })}
        <text x="21" y="22.5" textAnchor="middle" className="donut-centre">
          {centre}
        </text>
      </svg>
      <figcaption>
        <ul className="legend">
          {items.map((item) => (
            <li key={item.label}>
              <span className={`legend-swatch tone-${item.tone ?? 'accent'}`} aria-hidden="true" />
              {item.label}: <strong>{formatNumber(item.value)}</strong>
              {total > 0 && <span className="muted"> ({formatNumber((item.value / total) * 100, 1)}%)</span>}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export interface ColumnGroup {
  label: string;
  values: Datum[];
}

/** Vertical columns, one group per x value (e.g. a time window), side by side within it. */
export function ColumnChart({ groups, label, labelEvery = 1 }: { groups: ColumnGroup[]; label: string; labelEvery?: number }) {
  const max = Math.max(1, ...groups.flatMap((g) => g.values.map((v) => v.value)));
  const series = groups[0]?.values ?? [];
  return (
    <figure className="columns" aria-label={label}>
      <div className="columns-plot">
        {groups.map((group, index) => (
          <div className="columns-group" key={group.label}>
            <div className="columns-bars">
              {group.values.map((v) => (
                <span
                  key={v.label}
                  className={`column tone-${v.tone ?? 'accent'}`}
                  style={{ height: `${(v.value / max) * 100}%` }}
                  title={`${group.label} · ${v.label}: ${formatNumber(v.value)}`}
                  aria-label={`${group.label} ${v.label}: ${formatNumber(v.value)}`}
                  role="img"
                />
              ))}
            </div>
            <span className="columns-label">{index % labelEvery === 0 ? group.label : '\u00a0'}</span>
          </div>
        ))}
      </div>
      {series.length > 1 && (
        <figcaption>
          <ul className="legend legend-inline">
            {series.map((s) => (
              <li key={s.label}>
                <span className={`legend-swatch tone-${s.tone ?? 'accent'}`} aria-hidden="true" />
                {s.label}
              </li>
            ))}
          </ul>
        </figcaption>
      )}
    </figure>
  );
}
