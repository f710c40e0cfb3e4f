// Prints where a V8 CPU profile spent its time: the functions with the most self time, self time per file,
// and self time per stage of a request (auth, rate limit, cache, store, …).
// Usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [top] [--requests=N]
// With --requests=N (the requests the process served while profiled), each stage is also given in µs per request.
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
const requestsArg = process.argv.find((arg) => arg.startsWith('--requests='));
const requests = requestsArg === undefined ? null : Number(requestsArg.slice('--requests='.length));
const [file, topText] = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
if (file === undefined) {
  process.stderr.write('usage: profile-summary.ts <file.cpuprofile> [top] [--requests=N]\n');
  process.exit(2);
}
const top = Number(topText ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfByNode = new Map<number, number>();
profile.samples.forEach((id, index) =>
  selfByNode.set(id, (selfByNode.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)),
);

/**
 * The stage of a request a frame belongs to, by where its code lives. Frames of the app's own modules go
 * to their stage; a library's to the stage it serves; Node's HTTP and stream internals to "HTTP and
 * sockets". Native frames without a file are idle time, garbage collection or the VM.
 */
const STAGES: Array<[stage: string, pattern: RegExp]> = [
  ['idle', /^\(idle\)$/],
  ['garbage collection', /^\(garbage collector\)$/],
  ['auth (token, session)', /jsonwebtoken|jws|jwa|backend\/dist\/auth\/|node:internal\/crypto|bcrypt/],
  ['rate limit', /express-rate-limit|rate-limit/],
  ['cache and Redis', /ioredis|redis-errors|cluster-key-slot|denque|backend\/dist\/cache\/|cached-json/],
  ['membership and access', /backend\/dist\/(projects|domain)\/|sqlite-projects|sqlite-members/],
  ['store (SQLite, repositories)', /better-sqlite3|backend\/dist\/storage\/|mongoose|mongodb/],
  ['validation (zod)', /node_modules\/zod|backend\/dist\/http\/validate/],
  ['logging', /morgan|winston|logform|backend\/dist\/observability\/logger/],
  ['metrics and tracing', /prom-client|@opentelemetry|backend\/dist\/observability\//],
  ['compression', /node_modules\/compression|node:zlib|zlib/],
  ['JSON body and cookies', /body-parser|raw-body|cookie-parser|node_modules\/cookie|content-type|iconv-lite/],
  [
    'routing and Express',
    /node_modules\/(router|express|finalhandler|parseurl|path-to-regexp|send|serve-static|on-finished|on-headers|ee-first|depd|debug|vary|accepts|negotiator|type-is|mime|qs|helmet|cors)\//,
  ],
  ['routes and services', /backend\/dist\/(tasks|changes|notifications|live|idempotency|http|jobs|mail)\//],
  [
    'HTTP and sockets',
    /^node:(_http|net|internal\/(streams|stream_base|http|net|timers|process|async_hooks)|events|buffer|stream)|^\(native\):(writev|writeUtf8String|writeBuffer|writeLatin1String)$/,
  ],
];

function stageOf(where: string, functionName: string): string {
  for (const [stage, pattern] of STAGES)
    if (pattern.test(where) || pattern.test(functionName) || pattern.test(`${where}:${functionName}`)) return stage;
  return 'other (VM, program, unattributed)';
}

const byStage = new Map<string, number>();
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
  const stage = stageOf(where || '(native)', frame.functionName);
  byStage.set(stage, (byStage.get(stage) ?? 0) + micros);
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

process.stdout.write('\nself time by stage of a request\n');
const busy = total - (byStage.get('idle') ?? 0);
for (const [stage, micros] of [...byStage].sort((a, b) => b[1] - a[1])) {
  const share = stage === 'idle' ? '' : ` ${((100 * micros) / busy).toFixed(1).padStart(5)} % of busy`;
  const perRequest =
    requests !== null && requests > 0 && stage !== 'idle'
      ? `  ${(micros / requests).toFixed(1).padStart(7)} µs/request`
      : '';
  process.stdout.write(`${(micros / 1000).toFixed(0).padStart(7)} ms${share}${perRequest}  ${stage}\n`);
}
if (requests !== null && requests > 0) {
  process.stdout.write(
    `${(busy / requests).toFixed(1).padStart(7)} µs/request busy in all, over ${requests} requests\n`,
  );
}
