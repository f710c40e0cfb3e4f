// Prints where a V8 CPU profile spent its time: the functions with the most self time, and self time per file.
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

// Piping into `head` closes stdout early; that is not an error.
process.stdout.on('error', () => process.exit(0));
const [file, topText] = process.argv.slice(2);
if (file === undefined) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top]\n');
  process.exit(2);
}
const top = Number(topText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfByNode = new Map<number, number>();
profile.samples.forEach((id, index) =>
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
);

const byFunction = new Map<string, number>();
const byFile = new Map<string, number>();
let total = 0;
for (const [id, micros] of selfByNode) {
  const frame = nodes.get(id)?.callFrame;
  if (frame === undefined) continue;
  total += micros;
  const where = frame.url
    .replace(/^file:\/\//, '')
    .replace(/^.*\/node_modules\//, 'node_modules/')
    .replace(/^.*\/work\/main\//, '');
  const name = `${frame.functionName || '(anonymous)'}  ${where || '(native)'}:${frame.lineNumber + 1}`;
  byFunction.set(name, (byFunction.get(name) ?? 0) + micros);
  const fileKey = where.startsWith('node_modules/') ? where.split('/').slice(0, 2).join('/') : where || '(native/VM)';
  byFile.set(fileKey, (byFile.get(fileKey) ?? 0) + micros);
}
const show = (title: string, entries: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, micros] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((100 * micros) / total).toFixed(1).padStart(5)} %  ${(micros / 1000).toFixed(0).padStart(6)} ms  ${name}\n`,
    );
  }
};
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms of samples\n`);
show('self time by function', byFunction);
show('self time by package or file', byFile);
