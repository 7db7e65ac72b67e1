/** `--max-down 2M --max-up 500K` (parsed to bytes per second by commander): the session's rate limits. */

export interface RateLimitFlags {
  maxDown?: number;
  maxUp?: number;
}

export function rateLimits(flags: RateLimitFlags): { download?: number; upload?: number } {
  return {
    ...(flags.maxDown !== undefined && { download: flags.maxDown }),
    ...(flags.maxUp !== undefined && { upload: flags.maxUp }),
  };
}
