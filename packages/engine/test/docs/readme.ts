/**
 * Reading the repository's README.md for the docs tests: the whole text, and the fenced code block of a given
 * language under a given `##` heading.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
export const README_PATH = fileURLToPath(new URL('../../../../README.md', import.meta.url));

export function readReadme(): string {
  return readFileSync(README_PATH, 'utf8');
}

/** The text of the `## heading` section, up to the next `## ` heading; throws when there is no such section. */
export function readmeSection(readme: string, heading: string): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) throw new Error(`README.md has no "## ${heading}" section`);
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The fenced code blocks (```lang … ```) of one language in `text`, in order. */
export function fencedBlocks(text: string, language: string): string[] {
  const blocks: string[] = [];
  const fence = new RegExp(`^\`\`\`${language}\\n([\\s\\S]*?)^\`\`\`$`, 'gm');
  for (const match of text.matchAll(fence)) blocks.push(match[1]!);
  return blocks;
}
