/**
 * Turns the timed downloads into the benchmark's figures: per client the median of each measure over its
 * successful runs (MB/s = payload bytes / 10^6 / wall seconds; CPU seconds = user + sys of the leecher's process
 * tree; peak RSS of its largest process), the table printed at the end, and bitloom's ratios to libtorrent.
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
 * @param {Array<{ ok: boolean, wallSeconds: number, cpuUserSeconds: number|null, cpuSystemSeconds: number|null,
 *   peakRssBytes: number|null, failure?: string }>} trials
 */
export function summarise(trials, totalBytes) {
  const passed = trials.filter((trial) => trial.ok);
  return {
    runs: trials.length,
    passed: passed.length,
    megabytesPerSecond: median(passed.map((trial) => totalBytes / 1e6 / trial.wallSeconds)),
    wallSeconds: median(passed.map((trial) => trial.wallSeconds)),
    cpuSeconds: median(
      passed.map((trial) =>
        trial.cpuUserSeconds === null ? Number.NaN : trial.cpuUserSeconds + trial.cpuSystemSeconds,
      ),
    ),
    peakRssMiB: median(passed.map((trial) => (trial.peakRssBytes ?? Number.NaN) / 1024 / 1024)),
    failures: trials.filter((trial) => !trial.ok).map((trial) => trial.failure),
  };
}

/** bitloom's measure divided by libtorrent's, for each measure both have. */
export function ratios(summaries) {
  const bitloom = summaries.bitloom;
  const libtorrent = summaries.libtorrent;
  if (!bitloom || !libtorrent) return null;
  const ratio = (key) =>
    bitloom[key] !== null && libtorrent[key] !== null && libtorrent[key] !== 0
      ? bitloom[key] / libtorrent[key]
      : null;
  return {
    megabytesPerSecond: ratio('megabytesPerSecond'),
    cpuSeconds: ratio('cpuSeconds'),
    peakRssMiB: ratio('peakRssMiB'),
  };
}

/** The result table, one line per client, then the ratio lines. */
export function formatTable(summaries, ratioFigures) {
  const header = ['client', 'MB/s', 'wall s', 'CPU s', 'peak RSS MiB', 'ok/runs'];
  const rows = Object.entries(summaries).map(([name, summary]) => [
    name,
    fixed(summary.megabytesPerSecond, 1),
    fixed(summary.wallSeconds, 2),
    fixed(summary.cpuSeconds, 2),
    fixed(summary.peakRssMiB, 0),
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
    lines.push('');
    lines.push('bitloom / libtorrent:');
    lines.push(`  throughput ${times(ratioFigures.megabytesPerSecond)}  (higher is better)`);
    lines.push(`  CPU        ${times(ratioFigures.cpuSeconds)}  (lower is better)`);
    lines.push(`  peak RSS   ${times(ratioFigures.peakRssMiB)}  (lower is better)`);
  }
  return lines.join('\n');
}

function fixed(value, digits) {
  return value === null ? '-' : value.toFixed(digits);
}

function times(value) {
  return value === null ? 'n/a' : `${value.toFixed(2)}x`;
}
