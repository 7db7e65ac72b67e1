/** `bitloom info <torrent-file|magnet> [--json]`: what a torrent file (BEP 3) or magnet link (BEP 9) holds. */
import type { Command } from 'commander';
import type { CliContext } from '../cli-context.js';
import { magnetToJson, renderMagnet } from '../render-magnet.js';
import { metainfoToJson, renderMetainfo } from '../render-metainfo.js';
import { readTorrentInput } from '../torrent-input.js';

export function register(program: Command, context: CliContext): void {
  program
    .command('info')
    .description(
      'show what a .torrent file or magnet link holds: name, info-hash, size, pieces, files, trackers',
    )
    .argument('<torrent>', 'a .torrent file or a magnet: link')
    .option('--json', 'print one JSON object instead of text')
    .action(async (input: string, options: { json?: boolean }) => {
      const parsed = await readTorrentInput(input);
      if (options.json) {
        const json = parsed.kind === 'torrent' ? metainfoToJson(parsed.metainfo) : magnetToJson(parsed.link);
        context.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
        return;
      }
      const lines = parsed.kind === 'torrent' ? renderMetainfo(parsed.metainfo) : renderMagnet(parsed.link);
      context.stdout.write(`${lines.join('\n')}\n`);
    });
}
