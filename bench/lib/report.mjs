/**
 * Turns trials into the benchmark's figures: per client the median of each measure over its successful runs, the
 * table printed for each scenario, and bitloom's ratio to libtorrent for every measure both have. A scenario
 * names its measures as columns: `{ key, title, digits, better }` (`better`: 'higher' or 'lower', for the ratio
 * line; omitted for measures with no ratio).
 */

/** Median of the finite numbers in `values`, or null when there are none. */
export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Summarises the trials of one client.
 * @param {Array<{ ok: boolean, metrics?: Record<string, number|null>, failure?: string }>} trials
 * @param {Array<{ key: string }>} columns
 */
export function summarise(trials, columns) {
  const passed = trials.filter((trial) => trial.ok);
  const medians = {};
  for (const { key } of columns)
    medians[key] = median(passed.map((trial) => trial.metrics?.[key] ?? Number.NaN));
  return {
    runs: trials.length,
    passed: passed.length,
    medians,
    failures: trials.filter((trial) => !trial.ok).map((trial) => trial.failure),
  };
}

/** bitloom's median divided by libtorrent's, for each measure with a `better` direction that both have. */
export function ratios(summaries, columns) {
  const bitloom = summaries.bitloom?.medians;
  const libtorrent = summaries.libtorrent?.medians;
  if (!bitloom || !libtorrent) return null;
  const result = {};
  for (const { key, better } of columns) {
    if (!better) continue;
    const [ours, theirs] = [bitloom[key], libtorrent[key]];
    result[key] = ours !== null && theirs !== null && theirs !== 0 ? ours / theirs : null;
  }
  return result;
}

/** The result table of one scenario, one line per client, then its failures and the ratio lines. */
export function formatTable(summaries, columns, ratioFigures) {
  const header = ['client', ...columns.map((column) => column.title), 'ok/runs'];
  const rows = Object.entries(summaries).map(([name, summary]) => [
    name,
    ...columns.map((column) => fixed(summary.medians[column.key], column.digits ?? 1)),
    `${summary.passed}/${summary.runs}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column].length)),
  );
  const line = (cells) =>
    cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])));
  const lines = [line(header).join('  '), widths.map((width) => '-'.repeat(width)).join('  ')];
  for (const row of rows) lines.push(line(row).join('  '));
  for (const [name, summary] of Object.entries(summaries)) {
    for (const failure of summary.failures) lines.push(`  ${name} failed: ${failure}`);
  }
  if (ratioFigures) {
    const shown = columns.filter((column) => column.better && column.key in ratioFigures);
    if (shown.length > 0) {
      lines.push('bitloom / libtorrent:');
      const titleWidth = Math.max(...shown.map((column) => column.title.length));
      for (const column of shown) {
        lines.push(
          `  ${column.title.padEnd(titleWidth)}  ${times(ratioFigures[column.key])}  (${column.better} is better)`,
        );
      }
    }
  }
  return lines.join('\n');
}

/** A Markdown table of the same figures, for the README. */
export function formatMarkdown(summaries, columns) {
  const header = ['client', ...columns.map((column) => column.title)];
  const rows = Object.entries(summaries)
    .filter(([, summary]) => summary.passed > 0)
    .map(([name, summary]) => [
      name,
      ...columns.map((column) => fixed(summary.medians[column.key], column.digits ?? 1)),
    ]);
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

function fixed(value, digits) {
  return value === null || value === undefined ? '-' : value.toFixed(digits);
}

function times(value) {
  return value === null || value === undefined ? 'n/a' : `${value.toFixed(2)}x`;
}
