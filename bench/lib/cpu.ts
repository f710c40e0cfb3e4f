import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc times (USER_HZ; 100 on every Linux build Node supports). */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; 0 once it is gone. */
export function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may contain spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** The pids whose parent is `pid` (nginx workers under their master, for instance). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process ended while the list was read
    }
  }
  return children;
}

/** Busy and total CPU time of the whole machine so far, in seconds, from the first line of /proc/stat. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const total = values.reduce((sum, value) => sum + value, 0);
  // idle and iowait are the 4th and 5th values.
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

/** Named groups of processes whose CPU use is compared between two moments. */
export type CpuGroups = Record<string, () => number[]>;

export interface CpuShare {
  /** CPU seconds each group used between `start()` and `stop()`. */
  seconds: Record<string, number>;
  /** Share of all the machine's CPU time in that interval that was busy (1 = every core saturated). */
  machineBusy: number;
}

/**
 * Measures where the CPU time of an interval went. Process groups are resolved at the start (so a
 * process must exist then); `self` counts this process through process.cpuUsage().
 */
export function cpuMeter(groups: CpuGroups): { stop(): CpuShare } {
  const members = Object.fromEntries(Object.entries(groups).map(([name, pids]) => [name, pids()]));
  const sum = (pids: number[]) => pids.reduce((total, pid) => total + processCpuSeconds(pid), 0);
  const before = Object.fromEntries(Object.entries(members).map(([name, pids]) => [name, sum(pids)]));
  const selfBefore = process.cpuUsage();
  const machineBefore = machineCpuSeconds();
  return {
    stop() {
      const self = process.cpuUsage(selfBefore);
      const machine = machineCpuSeconds();
      const seconds: Record<string, number> = {};
      for (const [name, pids] of Object.entries(members)) {
        seconds[name] = Number((sum(pids) - (before[name] ?? 0)).toFixed(2));
      }
      seconds.generator = Number(((self.user + self.system) / 1e6).toFixed(2));
      const total = machine.total - machineBefore.total;
      return {
        seconds,
        machineBusy: total > 0 ? Number(((machine.busy - machineBefore.busy) / total).toFixed(3)) : 0,
      };
    },
  };
}
