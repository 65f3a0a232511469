import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';
import { fargateCpuProblem, fargateSizeProblem } from './fargate-size';

/**
 * How new revisions replace old ones. All use ECS's native deployment controller.
 *
 * Declared with the rules, which depend on it, because the config schema may import rule files only.
 */
export enum WebDeploymentStrategy {
  /** Replace tasks in place; the circuit breaker rolls back a revision that fails to start. */
  ROLLING = 'ROLLING',
  /** Start the new revision beside the old, probe it on the test listener, switch all traffic at once. */
  BLUE_GREEN = 'BLUE_GREEN',
  /** Move `trafficShiftPercent` of traffic, wait, then the rest. */
  CANARY = 'CANARY',
  /** Move `trafficShiftPercent` of traffic at every step until all of it has moved. */
  LINEAR = 'LINEAR',
}

/** A scheduled change of the task-count bounds, as far as the rules read it. */
export interface ScheduledCapacityRuleInput {
  /** Name of the scheduled action. */
  readonly name: string;
  /** Schedule expression. */
  readonly schedule: string;
  /** Lower bound from then on. */
  readonly minTasks: number;
  /** Upper bound from then on; the service's `maxTasks` when left out. */
  readonly maxTasks?: number;
}

/**
 * What the web service's rules read, defaults already applied. Paths of problems name these fields;
 * a caller with other names (the config schema) maps the paths.
 */
export interface WebServiceRuleInput {
  /** Task CPU, in Fargate units. */
  readonly cpuUnits: number;
  /** Task memory, in MiB. */
  readonly memoryMiB: number;
  /** Lower bound of the task count. */
  readonly minTasks: number;
  /** Upper bound of the task count. */
  readonly maxTasks: number;
  /** Share of tasks on Fargate Spot, in percent. */
  readonly spotPercent: number;
  /** How new revisions replace old ones. */
  readonly deploymentStrategy: WebDeploymentStrategy;
  /** Traffic moved per step, in percent. */
  readonly trafficShiftPercent: number;
  /** Scheduled changes of the bounds. */
  readonly scheduledCapacity: readonly ScheduledCapacityRuleInput[];
  /**
   * HTTPS from the tasks to any IPv4 address.
   *
   * @default - not checked (the config schema has none: the layer derives it)
   */
  readonly internetEgress?: boolean;
  /**
   * How many peers reach AWS APIs without the internet.
   *
   * @default - not checked
   */
  readonly awsApiPeerCount?: number;
}

/** The smallest step ECS accepts for a linear deployment, in percent. */
export const MIN_LINEAR_STEP_PERCENT = 3;

/** The smallest traffic step ECS takes, in percent (canary and linear). */
export const MIN_STEP_PERCENT = 0.1;

const SCHEDULE_PATTERN = /^(cron|rate|at)\(.+\)$/;

// A size problem belongs to the CPU when Fargate has no such CPU size (whatever the memory, even a
// token), else to the memory that does not fit the CPU.
function cpuProblem({ cpuUnits }: WebServiceRuleInput): string | undefined {
  return known(cpuUnits) ? fargateCpuProblem(cpuUnits) : undefined;
}

function memoryProblem({ cpuUnits, memoryMiB }: WebServiceRuleInput): string | undefined {
  return known(cpuUnits, memoryMiB) && fargateCpuProblem(cpuUnits) === undefined
    ? fargateSizeProblem(cpuUnits, memoryMiB)
    : undefined;
}

const RULES: ReadonlyArray<Rule<WebServiceRuleInput>> = [
  {
    path: ['cpuUnits'],
    broken: (input) => cpuProblem(input) !== undefined,
    message: (input) => cpuProblem(input) ?? '',
  },
  {
    path: ['memoryMiB'],
    broken: (input) => memoryProblem(input) !== undefined,
    message: (input) => memoryProblem(input) ?? '',
  },
  {
    path: ['minTasks'],
    broken: ({ minTasks }) => known(minTasks) && !isWholeNumber(minTasks, 1),
    message: ({ minTasks }) => `${minTasks} must be a whole number of at least 1`,
  },
  {
    path: ['maxTasks'],
    broken: ({ maxTasks }) => known(maxTasks) && !isWholeNumber(maxTasks, 1),
    message: ({ maxTasks }) => `${maxTasks} must be a whole number of at least 1`,
  },
  {
    path: ['maxTasks'],
    broken: ({ minTasks, maxTasks }) => known(minTasks, maxTasks) && maxTasks < minTasks,
    message: ({ minTasks, maxTasks }) => `${maxTasks} is below minTasks (${minTasks})`,
  },
  {
    // Capacity-provider weights are whole numbers.
    path: ['spotPercent'],
    broken: ({ spotPercent: spot }) => known(spot) && !isWholeNumber(spot, 0, 100),
    message: ({ spotPercent }) => `${spotPercent} is not a whole number from 0 to 100`,
  },
  {
    path: ['trafficShiftPercent'],
    // ECS's CanaryPercent and StepPercent take 0.1 to 100.
    broken: ({ trafficShiftPercent: step }) => known(step) && !(step >= MIN_STEP_PERCENT && step <= 100),
    message: ({ trafficShiftPercent }) => `${trafficShiftPercent}% is not from ${MIN_STEP_PERCENT} to 100`,
  },
  {
    path: ['trafficShiftPercent'],
    broken: ({ deploymentStrategy, trafficShiftPercent: step }) =>
      deploymentStrategy === WebDeploymentStrategy.LINEAR &&
      known(step) &&
      step >= MIN_STEP_PERCENT &&
      step < MIN_LINEAR_STEP_PERCENT,
    message: ({ trafficShiftPercent }) =>
      `${trafficShiftPercent}% is below the ${MIN_LINEAR_STEP_PERCENT}% minimum step of a linear deployment`,
  },
  {
    path: ['internetEgress'],
    broken: ({ internetEgress, awsApiPeerCount }) => internetEgress === false && awsApiPeerCount === 0,
    message: () =>
      'false without awsApiPeers leaves the tasks no way to ECR, CloudWatch Logs or Secrets Manager, so none would start; pass the VPC endpoints as awsApiPeers (e.g. INetwork.privateAwsApiPeers) or keep internetEgress',
  },
];

interface ScheduledInput {
  readonly scheduled: ScheduledCapacityRuleInput;
  /** The service's upper bound, which applies when the schedule names none. */
  readonly maxTasks: number;
}

const upperBound = ({ scheduled, maxTasks }: ScheduledInput) => scheduled.maxTasks ?? maxTasks;

const SCHEDULED_RULES: ReadonlyArray<Rule<ScheduledInput>> = [
  {
    path: ['schedule'],
    broken: ({ scheduled }) => known(scheduled.schedule) && !SCHEDULE_PATTERN.test(scheduled.schedule),
    message: ({ scheduled }) =>
      `"${scheduled.schedule}" (${scheduled.name}) is not a schedule Application Auto Scaling reads; use cron(...), rate(...) or at(...)`,
  },
  {
    path: ['minTasks'],
    broken: ({ scheduled: { minTasks } }) => known(minTasks) && !isWholeNumber(minTasks, 1),
    message: ({ scheduled: { minTasks } }) => `${minTasks} must be a whole number of at least 1`,
  },
  {
    path: ['maxTasks'],
    broken: ({ scheduled: { maxTasks } }) => maxTasks !== undefined && known(maxTasks) && !isWholeNumber(maxTasks, 1),
    message: ({ scheduled: { maxTasks } }) => `${maxTasks} must be a whole number of at least 1`,
  },
  {
    path: ['minTasks'],
    broken: (input) =>
      known(input.scheduled.minTasks, upperBound(input)) && input.scheduled.minTasks > upperBound(input),
    message: (input) => `${input.scheduled.minTasks} exceeds the upper bound (${upperBound(input)})`,
  },
];

/**
 * Every reason the web service's settings cannot work: a task size Fargate does not run, task-count
 * bounds that are not `1 <= minTasks <= maxTasks`, a Spot share outside 0 to 100, a traffic step
 * outside 0.1 to 100 or below linear's minimum, and scheduled bounds that are not whole numbers of at
 * least 1, with an unreadable schedule or a floor above their ceiling, and no egress at all (neither
 * the internet nor AWS API peers). Values that are tokens are skipped, not rejected.
 *
 * Shared by the construct (which throws them all at once) and the config schema (which reports
 * them under `compute`), so both reject the same settings with the same words.
 */
export function webServiceProblems(input: WebServiceRuleInput): Problem[] {
  return [
    ...problemsOf(input, RULES),
    ...input.scheduledCapacity.flatMap((scheduled, index) =>
      problemsOf({ scheduled, maxTasks: input.maxTasks }, SCHEDULED_RULES).map((problem) => ({
        ...problem,
        path: ['scheduledCapacity', index, ...problem.path],
      })),
    ),
  ];
}
