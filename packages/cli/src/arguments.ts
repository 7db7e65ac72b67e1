/** Parsers for command-line option values, shared by the commands. They throw commander's InvalidArgumentError (exit code 2). */
import { InvalidArgumentError } from 'commander';

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kb: 1024,
  kib: 1024,
  m: 1024 ** 2,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1024 ** 3,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
};

/** `16384`, `16K`, `16KiB`, `4M`, `1MiB` → bytes (binary units: K = 1024). A positive integer. */
export function parseByteSize(text: string): number {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(text.trim());
  const multiplier = match === null ? undefined : SIZE_UNITS[match[2]!.toLowerCase()];
  const bytes = match === null || multiplier === undefined ? Number.NaN : Number(match[1]) * multiplier;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new InvalidArgumentError('expected a positive number of bytes, e.g. 262144, 256K or 4M.');
  }
  return bytes;
}

/** For repeatable options (`--tracker a --tracker b`): appends each value. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
