/** The CLI's version, from its package.json (the same relative path from `src/` and `dist/`). */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function cliVersion(): string {
  if (cached === undefined) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
        version?: string;
      };
      cached = manifest.version ?? 'unknown';
    } catch {
      cached = 'unknown';
    }
  }
  return cached;
}
