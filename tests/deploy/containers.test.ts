import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoPath, requireBinary, run, tempDir } from '@primo/test-support';

const composeBinary = requireBinary('docker-compose', 'the docker-compose validation');

interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> };
  command?: string | string[];
  environment?: Record<string, string | null>;
  healthcheck?: { test?: string | string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: Array<string | { published?: number | string; target?: number }>;
  restart?: string;
  profiles?: string[];
  volumes?: string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const COMPOSE_FILE = repoPath('docker-compose.yml');
const SECRET = 'compose-test-secret-0123456789abcdef0123456789';

/** `docker-compose config` with exactly the given variables: a developer's own .env is not read. */
function composeConfig(env: Record<string, string>, extraArgs: string[] = []): ReturnType<typeof run> {
  const home = tempDir('compose-home');
  const envFile = path.join(home.dir, 'empty.env');
  writeFileSync(envFile, '');
  try {
    return run(
      composeBinary as string,
      ['-f', COMPOSE_FILE, '--project-directory', repoPath(), '--env-file', envFile, 'config', ...extraArgs],
      { env: { PATH: process.env.PATH, HOME: home.dir, ...env } },
    );
  } finally {
    home.remove();
  }
}

/** Stages of a Dockerfile: the FROM line and every instruction after it. */
function dockerStages(file: string): Array<{ from: string; lines: string[] }> {
  const joined = readFileSync(repoPath(file), 'utf8').replace(/\\\n/g, ' ');
  const stages: Array<{ from: string; lines: string[] }> = [];
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (/^FROM\s/i.test(line)) stages.push({ from: line, lines: [] });
    else stages.at(-1)?.lines.push(line);
  }
  return stages;
}

function dockerignorePatterns(): string[] {
  return readFileSync(repoPath('.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

describe('docker-compose.yml', () => {
  // `<<: *anchor` merge keys are YAML 1.1; Compose resolves them, so the parser must too.
  const compose = parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile;
  const services = compose.services;

  it.skipIf(!composeBinary)('when JWT_SECRET is set, then docker-compose config -q accepts the file', () => {
    const result = composeConfig({ JWT_SECRET: SECRET }, ['-q']);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.skipIf(!composeBinary)(
    'when JWT_SECRET is missing, then compose refuses to start with a message naming it',
    () => {
      const result = composeConfig({});
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain('JWT_SECRET');
    },
  );

  it.skipIf(!composeBinary)(
    'when interpolated, then every backend gets the same secret and the replica-set URI',
    () => {
      const result = composeConfig({ JWT_SECRET: SECRET });
      expect(result.status, result.stderr).toBe(0);
      const resolved = parse(result.stdout) as ComposeFile;
      for (const name of ['backend-1', 'backend-2', 'backend-3']) {
        const env = resolved.services[name]?.environment ?? {};
        expect(env.JWT_SECRET).toBe(SECRET);
        expect(env.MONGODB_URI).toMatch(/^mongodb:\/\/mongo1:27017,mongo2:27017,mongo3:27017\/\w+\?replicaSet=rs0$/);
        expect(env.REDIS_URL).toBe('redis://redis:6379');
        expect(env.TRUST_PROXY).toBe('1');
      }
    },
  );

  it('when read, then it runs three mongod members of rs0 initiated by a one-shot service', () => {
    for (const name of ['mongo1', 'mongo2', 'mongo3']) {
      const command = services[name]?.command;
      expect(Array.isArray(command) ? command.join(' ') : command).toMatch(/--replSet rs0/);
      expect(services[name]?.healthcheck?.test).toBeDefined();
    }
    const init = services['mongo-init'];
    expect(init?.restart).toBe('no');
    const script = Array.isArray(init?.command) ? init.command.join(' ') : String(init?.command);
    expect(script).toContain('rs.initiate');
    for (const host of ['mongo1:27017', 'mongo2:27017', 'mongo3:27017']) expect(script).toContain(host);
    expect(init?.depends_on).toEqual({
      mongo1: { condition: 'service_healthy' },
      mongo2: { condition: 'service_healthy' },
      mongo3: { condition: 'service_healthy' },
    });
  });

  it('when read, then the start order is mongo, init, the index migration, redis, three backends, nginx on port 80', () => {
    const migrate = services.migrate;
    expect(migrate?.build?.dockerfile).toBe('backend/Dockerfile');
    expect(migrate?.restart).toBe('no');
    expect(migrate?.command).toEqual(['node', 'backend/dist/scripts/db-indexes.js']);
    expect(migrate?.depends_on).toEqual({ 'mongo-init': { condition: 'service_completed_successfully' } });
    for (const name of ['backend-1', 'backend-2', 'backend-3']) {
      expect(services[name]?.build?.dockerfile).toBe('backend/Dockerfile');
      expect(services[name]?.healthcheck?.test?.toString()).toContain('/health/ready');
      expect(services[name]?.environment?.MONGODB_URI).toBe(migrate?.environment?.MONGODB_URI);
      expect(services[name]?.depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
    }
    expect(services.redis?.healthcheck?.test).toBeDefined();
    const nginx = services.nginx;
    expect(nginx?.build?.dockerfile).toBe('nginx/Dockerfile');
    expect(nginx?.ports).toEqual(['80:80']);
    expect(nginx?.depends_on).toEqual({
      'backend-1': { condition: 'service_healthy' },
      'backend-2': { condition: 'service_healthy' },
      'backend-3': { condition: 'service_healthy' },
    });
    expect(nginx?.build?.args?.UPSTREAMS?.split(/\s+/)).toEqual(['backend-1:5000', 'backend-2:5000', 'backend-3:5000']);
  });

  it('when read, then only nginx publishes a port to the network (monitoring on loopback only) and no keys newer than Compose 1.29 are used', () => {
    const published = Object.entries(services).filter(([, service]) => service.ports !== undefined);
    expect(published.map(([name]) => name)).toEqual(['nginx', 'prometheus', 'grafana']);
    expect(services.prometheus?.ports).toEqual(['127.0.0.1:9090:9090']);
    expect(services.grafana?.ports).toEqual(['127.0.0.1:3000:3000']);
    const text = readFileSync(COMPOSE_FILE, 'utf8');
    expect(text).not.toMatch(/^name:/m);
    expect(text).not.toContain('start_interval');
    expect(text).not.toMatch(/^\s+restart: true/m);
  });
});

describe('docker-compose.yml monitoring profile', () => {
  const services = (parse(readFileSync(COMPOSE_FILE, 'utf8'), { merge: true }) as ComposeFile).services;
  const monitoring = Object.entries(services).filter(([, service]) => service.profiles?.includes('monitoring'));

  it('when read, then Prometheus and Grafana belong to the monitoring profile alone, so a plain `up` starts neither', () => {
    expect(monitoring.map(([name]) => name)).toEqual(['prometheus', 'grafana']);
    for (const [, service] of monitoring) expect(service.profiles).toEqual(['monitoring']);
    const others = Object.entries(services).filter(([name]) => name !== 'prometheus' && name !== 'grafana');
    for (const [name, service] of others) expect(service.profiles, name).toBeUndefined();
  });

  it("when read, then Prometheus gets the shipped config and rules with the backends' METRICS_TOKEN beside them", () => {
    const prometheus = services.prometheus;
    expect(prometheus?.volumes).toContain('./monitoring/prometheus:/etc/primo-monitoring:ro');
    const command = Array.isArray(prometheus?.command) ? prometheus.command.join(' ') : String(prometheus?.command);
    expect(command).toContain('cp -R /etc/primo-monitoring/. /prometheus/config/');
    expect(command).toContain('> /prometheus/config/metrics-token');
    expect(command).toContain('--config.file=/prometheus/config/prometheus.yml');
    expect(prometheus?.environment?.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
    const config = readFileSync(repoPath('monitoring', 'prometheus', 'prometheus.yml'), 'utf8');
    expect(config).toContain('credentials_file: metrics-token');
    for (const backend of ['backend-1', 'backend-2', 'backend-3']) expect(config).toContain(backend);
    expect(services.grafana?.volumes).toEqual(
      expect.arrayContaining([
        './monitoring/grafana/provisioning:/etc/grafana/provisioning:ro',
        './monitoring/grafana/dashboards:/var/lib/grafana/dashboards/primo:ro',
      ]),
    );
    for (const mount of [...(prometheus?.volumes ?? []), ...(services.grafana?.volumes ?? [])]) {
      const source = mount.split(':')[0] as string;
      if (source.startsWith('./')) expect(existsSync(repoPath(source)), source).toBe(true);
    }
  });

  it.skipIf(!composeBinary)(
    'when the monitoring profile is interpolated, then docker-compose accepts it and passes the metrics token through',
    () => {
      const result = composeConfig({ JWT_SECRET: SECRET, METRICS_TOKEN: 'scrape-me', COMPOSE_PROFILES: 'monitoring' });
      expect(result.status, result.stderr).toBe(0);
      const resolved = parse(result.stdout) as ComposeFile;
      expect(resolved.services.prometheus?.environment?.METRICS_TOKEN).toBe('scrape-me');
      expect(resolved.services['backend-1']?.environment?.METRICS_TOKEN).toBe('scrape-me');
      expect(Object.keys(resolved.services.grafana?.depends_on ?? {})).toEqual(['prometheus']);
    },
  );
});

describe('Dockerfiles', () => {
  it('when the backend image is built, then it compiles, prunes dev dependencies, runs as non-root and checks readiness', () => {
    const stages = dockerStages('backend/Dockerfile');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0]?.lines.join('\n') ?? '';
    expect(build).toMatch(/npm ci/);
    expect(build).toMatch(/npm run build --workspace backend/);
    expect(build).toMatch(/npm prune --omit=dev/);
    const runtime = stages.at(-1)?.lines ?? [];
    const user = runtime.filter((line) => /^USER\s/.test(line)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/);
    expect(runtime.find((line) => line.startsWith('HEALTHCHECK'))).toContain('/health/ready');
    expect(runtime.find((line) => line.startsWith('CMD'))).toContain('backend/dist/server.js');
    // The runtime stage receives compiled output from the build stage, never the sources.
    const copies = runtime.filter((line) => line.startsWith('COPY'));
    expect(copies.every((line) => line.includes('--from=build'))).toBe(true);
  });

  it('when the edge image is built, then it renders the shipped nginx template and serves the built SPA', () => {
    const stages = dockerStages('nginx/Dockerfile');
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const build = stages[0]?.lines.join('\n') ?? '';
    expect(build).toMatch(/npm run build --workspace frontend/);
    expect(build).toMatch(/node nginx\/render\.mjs \$args --listen 80 --static-root \/usr\/share\/nginx\/html/);
    expect(build).toMatch(/for upstream in \$UPSTREAMS; do args="\$args --upstream \$upstream"/);
    expect(stages.at(-1)?.from).toMatch(/^FROM nginx:/);
    const runtime = stages.at(-1)?.lines.join('\n') ?? '';
    expect(runtime).toContain('/app/frontend/dist/');
    expect(runtime).toContain('/etc/nginx/nginx.conf');
    expect(runtime).toMatch(/HEALTHCHECK/);
  });

  it('when a Dockerfile copies from the build context, then the source exists and is not excluded by .dockerignore', () => {
    const ignored = dockerignorePatterns();
    for (const file of ['backend/Dockerfile', 'nginx/Dockerfile']) {
      for (const stage of dockerStages(file)) {
        for (const line of stage.lines.filter((l) => l.startsWith('COPY') && !l.includes('--from='))) {
          const sources = line
            .split(/\s+/)
            .slice(1, -1)
            .filter((token) => !token.startsWith('--'));
          for (const source of sources) {
            expect(existsSync(repoPath(source)), `${file}: ${source}`).toBe(true);
            const top = source.replace(/\/$/, '');
            expect(ignored, `${file}: ${source} is excluded from the context`).not.toContain(top);
          }
        }
      }
    }
  });

  it('when the build context is sent, then dependencies, secrets, git data and build output stay out', () => {
    const ignored = dockerignorePatterns();
    for (const pattern of ['**/node_modules', '**/dist', '**/.env', '.git', '**/*.tfstate*']) {
      expect(ignored).toContain(pattern);
    }
  });
});
