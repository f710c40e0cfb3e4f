#!/usr/bin/env node
// Renders nginx/nginx.conf.template into a complete nginx.conf. No dependencies, so the
// Docker build stage and the integration tests run exactly the same code.
//
//   node nginx/render.mjs --upstream HOST:PORT [--upstream HOST:PORT ...] --listen [HOST:]PORT \
//     --static-root DIR --out FILE [--access-log PATH] [--error-log PATH] [--pid PATH]
//     [--max-fails N] [--fail-timeout DURATION]
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'nginx.conf.template');

const USAGE =
  'usage: node nginx/render.mjs --upstream HOST:PORT [--upstream HOST:PORT ...] --listen [HOST:]PORT ' +
  '--static-root DIR --out FILE [--access-log PATH] [--error-log PATH] [--pid PATH] ' +
  '[--max-fails N] [--fail-timeout DURATION]';

const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])$/;
const DURATION = /^\d+(?:ms|s|m|h)?$/;
// Paths go into the config unquoted; anything nginx would read as syntax is refused.
const SAFE_PATH = /^[A-Za-z0-9_./@+-]+$/;

const REPEATABLE = new Set(['upstream']);
const KNOWN = new Set([
  'upstream',
  'listen',
  'static-root',
  'out',
  'access-log',
  'error-log',
  'pid',
  'max-fails',
  'fail-timeout',
]);

/** Parses argv into { name: value | value[] }, rejecting unknown or repeated single flags. */
export function parseArgs(argv) {
  const options = { upstream: [] };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(flag ?? '');
    if (!match || !KNOWN.has(match[1])) throw new Error(`unknown argument "${flag}"`);
    const name = match[1];
    let value = match[2];
    if (value === undefined) {
      value = argv[i + 1];
      i += 1;
    }
    if (value === undefined || value === '') throw new Error(`--${name} needs a value`);
    if (REPEATABLE.has(name)) options[name].push(value);
    else if (name in options) throw new Error(`--${name} given twice`);
    else options[name] = value;
  }
  return options;
}

function port(text, what) {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > 65535) throw new Error(`${what} port "${text}" is not in 1-65535`);
  return n;
}

function hostPort(text, what) {
  const idx = text.lastIndexOf(':');
  if (idx <= 0) throw new Error(`${what} "${text}" must be HOST:PORT`);
  const host = text.slice(0, idx);
  if (!HOST.test(host)) throw new Error(`${what} host "${host}" is not a hostname or IP address`);
  return `${host}:${port(text.slice(idx + 1), what)}`;
}

function safePath(text, what) {
  if (!SAFE_PATH.test(text)) throw new Error(`${what} "${text}" may only contain letters, digits and _ . / @ + -`);
  return text;
}

/** Returns the nginx.conf text for validated options (the same shape parseArgs returns). */
export function renderNginxConfig(options) {
  const upstreams = options.upstream ?? [];
  if (upstreams.length === 0) throw new Error('at least one --upstream HOST:PORT is required');
  for (const required of ['listen', 'static-root']) {
    if (!options[required]) throw new Error(`--${required} is required`);
  }
  const maxFails = options['max-fails'] ?? '3';
  if (!/^\d+$/.test(maxFails)) throw new Error(`--max-fails "${maxFails}" is not a whole number`);
  const failTimeout = options['fail-timeout'] ?? '10s';
  if (!DURATION.test(failTimeout)) throw new Error(`--fail-timeout "${failTimeout}" is not an nginx duration like 10s`);

  const listen = options.listen.includes(':')
    ? hostPort(options.listen, '--listen')
    : String(port(options.listen, '--listen'));
  const servers = upstreams
    .map((u) => `        server ${hostPort(u, '--upstream')} max_fails=${maxFails} fail_timeout=${failTimeout};`)
    .join('\n');

  const values = {
    UPSTREAM_SERVERS: servers,
    LISTEN: listen,
    STATIC_ROOT: safePath(path.resolve(options['static-root']), '--static-root'),
    ACCESS_LOG: safePath(options['access-log'] ?? 'logs/access.log', '--access-log'),
    ERROR_LOG: safePath(options['error-log'] ?? 'logs/error.log', '--error-log'),
    PID_FILE: safePath(options.pid ?? 'logs/nginx.pid', '--pid'),
  };
  return readFileSync(TEMPLATE, 'utf8').replace(/\{\{([A-Z_]+)\}\}/g, (whole, key) => {
    if (!(key in values)) throw new Error(`template placeholder ${whole} has no value`);
    return values[key];
  });
}

function main() {
  try {
    const options = parseArgs(process.argv.slice(2));
    if (!options.out) throw new Error('--out FILE is required');
    writeFileSync(options.out, renderNginxConfig(options));
  } catch (error) {
    process.stderr.write(`render.mjs: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    process.exit(2);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
