/**
 * CPU and memory from /proc (Linux): a process's user + system time, its peak RSS (VmHWM), the
 * Postgres processes serving the benchmark database, and the whole machine's busy time.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

let ticksPerSecond: number | undefined;
function msPerTick(): number {
  ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return 1000 / ticksPerSecond;
}

/** utime + stime of `pid` in ms, or undefined once it has exited. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * msPerTick();
  } catch {
    return undefined;
  }
}

export function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Peak resident set size (VmHWM) of `pid` in MB. */
export function peakRssMb(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Time the whole machine (every CPU) spent in processes, and servicing interrupts, in ms, from the first
 * line of /proc/stat. Interrupt time is apart because no process is charged for it: the benchmark's own
 * loopback traffic is most of it.
 */
export function machineCpuMs(): { processes: number; interrupts: number } {
  const [, ...values] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = values.map(Number);
  return {
    processes: ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (steal ?? 0)) * msPerTick(),
    interrupts: ((irq ?? 0) + (softirq ?? 0)) * msPerTick(),
  };
}

/**
 * The Postgres processes to charge to the benchmark: children of the postmaster that are either its
 * background processes (checkpointer, WAL writer, …) or backends connected to `database`. Backends of
 * other databases (other people's tests on the same server) are left out.
 */
export function postgresPids(postmaster: number, database: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (parentOf(pid) !== postmaster) continue;
    let command: string;
    try {
      command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
    } catch {
      continue;
    }
    const backend = /\(\d+\)|\[local\]/.test(command);
    if (!backend || command.includes(` ${database} `)) pids.push(pid);
  }
  return pids;
}
