import { cpus } from 'node:os';

export interface CpuUse {
  /** This process (gateway, handlers, SDK clients, benchmark clients), in % of one core. */
  benchProcessPercent: number;
  /** The whole machine (DynamoDB Local's JVM and the SQS server included), in % of all cores. */
  machinePercent: number;
}

/** Starts measuring CPU use; call the result to read it since then. */
export function startCpuMeter(): () => CpuUse {
  const startedAt = performance.now();
  const processBefore = process.cpuUsage();
  const machineBefore = machineTimes();
  return () => {
    const elapsedUs = (performance.now() - startedAt) * 1000;
    const used = process.cpuUsage(processBefore);
    const machineAfter = machineTimes();
    const total = machineAfter.total - machineBefore.total;
    const busy = total - (machineAfter.idle - machineBefore.idle);
    return {
      benchProcessPercent: ((used.user + used.system) / elapsedUs) * 100,
      machinePercent: total > 0 ? (busy / total) * 100 : NaN,
    };
  };
}

function machineTimes(): { total: number; idle: number } {
  let total = 0;
  let idle = 0;
  for (const cpu of cpus()) {
    const { user, nice, sys, irq, idle: idleTime } = cpu.times;
    total += user + nice + sys + irq + idleTime;
    idle += idleTime;
  }
  return { total, idle };
}
