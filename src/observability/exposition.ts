import { metricDefinition } from './catalogue';
import type { MetricLabels } from './metrics';
import type { SeriesSample } from './registry';

/** Content type of the Prometheus text exposition format, version 0.0.4. */
export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Renders samples in the Prometheus text format: one `# HELP` and `# TYPE` per
 * family, its series on consecutive lines, families sorted by name so scrapes
 * compare line by line. Histogram buckets are stored per bucket and made
 * cumulative here, once, so the `+Inf` bucket always equals `_count`.
 */
export function renderExposition(samples: readonly SeriesSample[], prefix: string): string {
  const families = new Map<string, SeriesSample[]>();
  for (const sample of samples) {
    const family = families.get(sample.name);
    if (family) family.push(sample);
    else families.set(sample.name, [sample]);
  }

  const lines: string[] = [];
  for (const name of [...families.keys()].sort()) {
    const family = families.get(name)!;
    const definition = metricDefinition(name, family[0]!.recordedAs);
    const exported = definition.verbatim ? name : `${prefix}${name}`;
    lines.push(`# HELP ${exported} ${escapeHelp(definition.help)}`);
    lines.push(`# TYPE ${exported} ${definition.type}`);
    family.sort((a, b) => compareLabels(a.labels, b.labels));
    for (const sample of family) {
      if (sample.histogram) lines.push(...histogramLines(exported, sample.labels, sample.histogram));
      else lines.push(`${exported}${formatLabels(sample.labels)} ${formatValue(sample.value ?? 0)}`);
    }
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function histogramLines(name: string, labels: MetricLabels, histogram: NonNullable<SeriesSample['histogram']>): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  histogram.bounds.forEach((bound, index) => {
    cumulative += histogram.counts[index] ?? 0;
    lines.push(`${name}_bucket${formatLabels({ ...labels, le: formatValue(bound) })} ${formatValue(cumulative)}`);
  });
  lines.push(`${name}_bucket${formatLabels({ ...labels, le: '+Inf' })} ${formatValue(histogram.count)}`);
  lines.push(`${name}_sum${formatLabels(labels)} ${formatValue(histogram.sum)}`);
  lines.push(`${name}_count${formatLabels(labels)} ${formatValue(histogram.count)}`);
  return lines;
}

/** Label set in braces, names sorted except `le`, which goes last as exporters conventionally write it. */
export function formatLabels(labels: MetricLabels): string {
  const names = Object.keys(labels)
    .filter((name) => name !== 'le')
    .sort();
  if (labels.le !== undefined) names.push('le');
  if (names.length === 0) return '';
  return `{${names.map((name) => `${name}="${escapeLabelValue(labels[name]!)}"`).join(',')}}`;
}

/** Escapes a label value: backslash, double quote and line feed, as the text format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Escapes `# HELP` text: backslash and line feed. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Formats a sample value as the text format spells special floats. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function compareLabels(a: MetricLabels, b: MetricLabels): number {
  const left = formatLabels(a);
  const right = formatLabels(b);
  if (left === right) return 0;
  return left < right ? -1 : 1;
}
