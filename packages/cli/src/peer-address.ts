/** Parses `--peer HOST:PORT` (IPv6 as `[::1]:6881`). */
import { UsageError } from './errors.js';
import { safeText } from './format.js';

export function parsePeerAddress(text: string): { host: string; port: number } {
  const match = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    throw new UsageError(`--peer ${safeText(text)}: expected HOST:PORT, e.g. 127.0.0.1:6881 or [::1]:6881`);
  }
  return { host: match[1]!, port };
}

export function parsePort(text: string, flag = '--port'): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port > 65535)
    throw new UsageError(`${flag} ${safeText(text)}: expected 0-65535`);
  return port;
}
