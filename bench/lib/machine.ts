import { execFileSync } from 'node:child_process';
import os from 'node:os';
import bcrypt from 'bcrypt';

export interface MachineInfo {
  cpus: number;
  cpuModel: string;
  node: string;
  os: string;
  totalMemoryMB: number;
  /** 1, 5 and 15 minute load averages when the run started and when it ended. */
  loadAverageStart: number[];
  loadAverageEnd?: number[];
  redis: string | null;
  note: string;
}

function redisVersion(binary: string | undefined): string | null {
  if (binary === undefined) return null;
  try {
    const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
    return `redis-server ${/v=(\S+)/.exec(version)?.[1] ?? version}`;
  } catch {
    return null;
  }
}

const round2 = (values: number[]) => values.map((value) => Number(value.toFixed(2)));

/** What the figures were measured on; the load average shows whether something else competed for the CPUs. */
export function machineInfo(redisBinary: string | undefined): MachineInfo {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024),
    loadAverageStart: round2(os.loadavg()),
    redis: redisVersion(redisBinary),
    note:
      'The load generator (autocannon, in the bench process), the server under test and redis-server share these ' +
      'CPUs, so every figure is relative to baselines measured in the same run.',
  };
}

export function finishMachineInfo(info: MachineInfo): void {
  info.loadAverageEnd = round2(os.loadavg());
}

/** Median wall time of one bcrypt hash at `rounds`, in milliseconds. */
export async function bcryptCostMs(rounds: number, samples = 5): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < samples; i += 1) {
    const started = performance.now();
    await bcrypt.hash('bench-password-0123', rounds);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return Number((times[Math.floor(times.length / 2)] as number).toFixed(1));
}
