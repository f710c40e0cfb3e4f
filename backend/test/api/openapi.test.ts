import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type * as Validate from '../../src/http/validate.js';
import { createTestApp, registerUser, type TestApp, type TestUser } from '../helpers/app.js';
import { routerOperations } from '../helpers/router.js';

// Every schema a route validates with, recorded per request, so the test learns from the running
// router which part of a request each route validates instead of from a second, hand-kept list.
const validated = vi.hoisted(() => [] as Array<{ location: string; schema: unknown }>);
vi.mock('../../src/http/validate.js', async (importOriginal) => {
  const original = await importOriginal<typeof Validate>();
  return {
    ...original,
    parseInput: ((schema, value, location) => {
      validated.push({ location, schema });
      return original.parseInput(schema, value, location);
    }) satisfies typeof original.parseInput,
  };
});

type Operation = {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, unknown>;
};
type OpenApiDocument = { paths: Record<string, Record<string, Operation | unknown>> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([route, item]) => METHODS.filter((m) => m in item).map((m) => `${m} ${route}`))
    .sort();
}

function operationOf(doc: OpenApiDocument, key: string): Operation {
  const [method, route] = key.split(' ') as [string, string];
  return doc.paths[route]?.[method] as Operation;
}

const jsonSchemaOf = (schema: z.ZodType) => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
    target: 'draft-2020-12',
  });
  return rest;
};

let testApp: TestApp;
let user: TestUser;
let doc: OpenApiDocument;

beforeAll(async () => {
  testApp = await createTestApp();
  user = await registerUser(testApp.app);
  doc = (await request(testApp.app).get('/api/v1/openapi.json').expect(200)).body as OpenApiDocument;
});

afterAll(async () => {
  await testApp.close();
});

/** Calls one route as a signed-in user with an empty JSON body and returns what it validated and its headers. */
async function probe(key: string) {
  const [method, route] = key.split(' ') as [(typeof METHODS)[number], string];
  const url = route.replace(/\{\w+\}/g, '0123456789abcdef01234567');
  validated.length = 0;
  let call = request(testApp.app)[method](url).set(user.auth);
  if (method === 'post' || method === 'patch' || method === 'put') call = call.send({});
  const res = await call;
  return { headers: res.headers, validated: [...validated] };
}

describe('OpenAPI document against the router', () => {
  it('when the router answers a route and method, then the document lists it, and nothing else', () => {
    expect(documentedOperations(doc)).toEqual(routerOperations(testApp.app));
  });

  it('when a route is rate limited, then its documented responses include 429', async () => {
    const missing: string[] = [];
    for (const key of routerOperations(testApp.app)) {
      const { headers } = await probe(key);
      const limited = headers['ratelimit-policy'] !== undefined;
      if (limited && !('429' in (operationOf(doc, key)?.responses ?? {}))) missing.push(key);
    }
    expect(missing).toEqual([]);
  });

  it('when a route validates a body or query, then the document carries that schema', async () => {
    const problems: string[] = [];
    for (const key of routerOperations(testApp.app)) {
      const operation = operationOf(doc, key);
      const { validated: parts } = await probe(key);
      for (const { location, schema } of parts) {
        if (location === 'body') {
          const documented = operation?.requestBody?.content?.['application/json']?.schema;
          if (JSON.stringify(documented) !== JSON.stringify(jsonSchemaOf(schema as z.ZodType))) {
            problems.push(`${key}: request body schema differs from the one the route validates`);
          }
        }
        if (location === 'query' && schema instanceof z.ZodObject) {
          const documented = new Set((operation?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name));
          for (const name of Object.keys(schema.shape)) {
            if (!documented.has(name)) problems.push(`${key}: query parameter ${name} is not documented`);
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('when redocly lints the document, then it reports no problems', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'primo-openapi-'));
    try {
      const file = path.join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc, null, 2));
      const redocly = path.join(REPO_ROOT, 'node_modules', '.bin', 'redocly');
      const run = () =>
        execFileSync(redocly, ['lint', '--config', path.join(REPO_ROOT, 'redocly.yaml'), file], {
          cwd: REPO_ROOT,
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        });
      try {
        run();
      } catch (error) {
        const failure = error as { stdout?: string; stderr?: string };
        throw new Error(`redocly lint failed:\n${failure.stdout ?? ''}\n${failure.stderr ?? ''}`, { cause: error });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
