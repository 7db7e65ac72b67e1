/** SHA-1 for commands that hash little (an info-hash): on the calling thread, no worker pool to start or close. */
import type { Hasher } from '@bitloom/engine';
import { sha1Inline } from '@bitloom/node';

export const inlineHasher: Hasher = {
  sha1: async (data) => sha1Inline(data),
};
