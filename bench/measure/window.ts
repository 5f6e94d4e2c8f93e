/**
 * CPU spent during a timed window: by the measured server, by Postgres for the benchmark database, by
 * the benchmark itself (autocannon runs in it) and by everything else on the machine. Postgres backends
 * come and go, so they are sampled every 250 ms and a backend that exits counts up to its last sample.
 */
import { performance } from 'node:perf_hooks';

import { machineCpuMs, peakRssMb, postgresPids, processCpuMs } from './proc';

export interface WindowCpu {
  wallMs: number;
  serverCpuMs: number;
  /** Undefined when Postgres runs elsewhere (its processes are not in this /proc). */
  postgresCpuMs: number | undefined;
  /** The benchmark process: the load generator. */
  benchCpuMs: number;
  /** Busy time of the rest of the machine: every CPU's time in processes minus the three above. */
  otherCpuMs: number;
  /** Interrupt time (mostly the benchmark's own network traffic), not counted in otherCpuMs. */
  interruptMs: number;
  serverPeakRssMb: number | undefined;
}

export interface PostgresTarget {
  postmaster: number | undefined;
  database: string;
}

export function startWindow(serverPid: number, postgres: PostgresTarget): { stop(): WindowCpu } {
  const startedAt = performance.now();
  const machineStart = machineCpuMs();
  const benchStart = process.cpuUsage();
  const serverStart = processCpuMs(serverPid) ?? 0;
  // pid → [cpu at window start (0 for a backend born during the window), latest sample]
  const backends = new Map<number, [number, number]>();
  const sample = (initial: boolean) => {
    if (postgres.postmaster === undefined) return;
    for (const pid of postgresPids(postgres.postmaster, postgres.database)) {
      const cpu = processCpuMs(pid);
      if (cpu === undefined) continue;
      const known = backends.get(pid);
      if (known) known[1] = cpu;
      else backends.set(pid, [initial ? cpu : 0, cpu]);
    }
  };
  sample(true);
  const timer = setInterval(() => sample(false), 250);

  return {
    stop() {
      clearInterval(timer);
      sample(false);
      const wallMs = performance.now() - startedAt;
      const serverCpuMs = (processCpuMs(serverPid) ?? serverStart) - serverStart;
      const bench = process.cpuUsage(benchStart);
      const benchCpuMs = (bench.user + bench.system) / 1000;
      const postgresCpuMs = postgres.postmaster === undefined ? undefined : [...backends.values()].reduce((sum, [start, last]) => sum + last - start, 0);
      const machine = machineCpuMs();
      const otherCpuMs = Math.max(0, machine.processes - machineStart.processes - serverCpuMs - (postgresCpuMs ?? 0) - benchCpuMs);
      const interruptMs = machine.interrupts - machineStart.interrupts;
      return { wallMs, serverCpuMs, postgresCpuMs, benchCpuMs, otherCpuMs, interruptMs, serverPeakRssMb: peakRssMb(serverPid) };
    },
  };
}
