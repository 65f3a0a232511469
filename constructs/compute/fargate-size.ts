/** Memory Fargate accepts per CPU size, in MiB: [min, max]; above 256 units, steps of 1024 MiB. */
const MEMORY_RANGES_MIB: Readonly<Record<number, readonly [number, number]>> = {
  256: [512, 2048],
  512: [1024, 4096],
  1024: [2048, 8192],
  2048: [4096, 16384],
  4096: [8192, 30720],
};

/** CPU sizes Fargate offers, in CPU units (1024 = 1 vCPU). */
export const FARGATE_CPU_UNITS: readonly number[] = Object.keys(MEMORY_RANGES_MIB).map(Number);

/** Why a CPU size is not one Fargate offers, or `undefined` when it is; reads nothing but the CPU. */
export function fargateCpuProblem(cpuUnits: number): string | undefined {
  return MEMORY_RANGES_MIB[cpuUnits] === undefined
    ? `${cpuUnits} CPU units is not a Fargate size; use one of ${FARGATE_CPU_UNITS.join(', ')}`
    : undefined;
}

/**
 * Why a task size is not one Fargate runs, or `undefined` when it is: the CPU's problem
 * (`fargateCpuProblem`), else memory that does not fit the CPU. Shared by the config schema and the
 * construct so both reject the same sizes with the same words.
 */
export function fargateSizeProblem(cpuUnits: number, memoryMiB: number): string | undefined {
  const range = MEMORY_RANGES_MIB[cpuUnits];
  if (range === undefined) {
    return fargateCpuProblem(cpuUnits);
  }
  const [min, max] = range;
  const step = cpuUnits === 256 ? [512, 1024, 2048].includes(memoryMiB) : memoryMiB % 1024 === 0;
  if (memoryMiB < min || memoryMiB > max || !step) {
    const allowed = cpuUnits === 256 ? '512, 1024 or 2048 MiB' : `${min} to ${max} MiB in 1024 MiB steps`;
    return `${memoryMiB} MiB does not fit ${cpuUnits} CPU units; Fargate needs ${allowed}`;
  }
  return undefined;
}
