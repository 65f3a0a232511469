import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/** The longest retention AWS Backup accepts for a recovery point or a Vault Lock, in days (100 years). */
export const MAX_RETENTION_DAYS = 36500;

/** The longest a continuous (point-in-time) backup can be kept, in days. */
export const MAX_CONTINUOUS_RETENTION_DAYS = 35;

/** AWS Backup's cooling-off period before a compliance-mode Vault Lock becomes immutable, in days (72 h). */
export const MIN_LOCK_CHANGEABLE_DAYS = 3;

/** The shortest start window AWS Backup accepts, in minutes. */
export const MIN_START_WINDOW_MINUTES = 60;

/** How much longer than the start window the completion window must be, in minutes. */
export const COMPLETION_AFTER_START_MINUTES = 60;

/** The longest restore testing windows (start window, validation window) AWS Backup accepts, in hours (7 days). */
export const MAX_RESTORE_TEST_WINDOW_HOURS = 168;

/** The widest window restore testing picks recovery points from, in days. */
export const MAX_SELECTION_WINDOW_DAYS = 365;

/** The most protected resource ARNs one restore testing selection accepts. */
export const MAX_RESTORE_TEST_RESOURCES = 30;

/** Names of backup vaults (CreateBackupVault). */
const VAULT_NAME = /^[a-zA-Z0-9\-_]{2,50}$/;
/** Names of backup plans, their rules and selections (CreateBackupPlan, CreateBackupSelection). */
const PLAN_NAME = /^[a-zA-Z0-9\-_.]{1,50}$/;
/** Names of restore testing plans and selections: no hyphens there. */
const RESTORE_TESTING_NAME = /^[a-zA-Z0-9_]{1,50}$/;

/** How often a tier backs up; `continuous` keeps a transaction log for point-in-time restores. */
export type BackupTier = 'continuous' | 'hourly' | 'daily' | 'weekly' | 'monthly';

/** The scheduled (snapshot) tiers, finest first. */
export const SNAPSHOT_TIERS = ['hourly', 'daily', 'weekly', 'monthly'] as const;

/** The shortest useful retention of a snapshot tier: less leaves gaps between its recovery points. */
const MIN_TIER_RETENTION_DAYS: Record<(typeof SNAPSHOT_TIERS)[number], number> = {
  hourly: 1,
  daily: 1,
  weekly: 7,
  monthly: 31,
};

/** The retention range a Vault Lock enforces on every backup and copy job into its vault. */
export interface VaultLockDays {
  /** Days every recovery point must at least be kept. */
  readonly minRetentionDays: number;
  /** Days every recovery point may at most be kept; `undefined`: no maximum. */
  readonly maxRetentionDays?: number;
}

/**
 * What the vault rules read. Paths of problems name these fields, which are also the names of
 * `BackupVaultProps`.
 */
export interface BackupVaultRuleInput {
  readonly vaultName: string;
  /** `undefined`: no Vault Lock. */
  readonly lockMinRetentionDays?: number;
  readonly lockMaxRetentionDays?: number;
  /** `undefined`: governance mode (the lock can be removed); else compliance mode after these days. */
  readonly lockChangeableForDays?: number;
  /**
   * Whether the vault is deleted with its stack.
   *
   * @default false
   */
  readonly destroyedWithStack?: boolean;
}

const lockRange = (min: number, max?: number) => `${min}${max === undefined ? ' or more' : ` to ${max}`} days`;

const VAULT_RULES: ReadonlyArray<Rule<BackupVaultRuleInput>> = [
  {
    path: ['vaultName'],
    broken: ({ vaultName }) => known(vaultName) && !VAULT_NAME.test(vaultName),
    message: ({ vaultName }) =>
      `"${vaultName}" is not a vault name AWS Backup accepts; use 2 to 50 letters, digits, hyphens or underscores`,
  },
  {
    path: ['lockMinRetentionDays'],
    broken: ({ lockMinRetentionDays: days }) =>
      days !== undefined && known(days) && !isWholeNumber(days, 1, MAX_RETENTION_DAYS),
    message: ({ lockMinRetentionDays }) =>
      `${lockMinRetentionDays} is not a minimum retention Vault Lock accepts; give a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
  },
  {
    path: ['lockMaxRetentionDays'],
    broken: ({ lockMaxRetentionDays: days }) =>
      days !== undefined && known(days) && !isWholeNumber(days, 1, MAX_RETENTION_DAYS),
    message: ({ lockMaxRetentionDays }) =>
      `${lockMaxRetentionDays} is not a maximum retention Vault Lock accepts; give a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
  },
  {
    path: ['lockMaxRetentionDays'],
    broken: ({ lockMinRetentionDays: min, lockMaxRetentionDays: max }) =>
      min !== undefined && max !== undefined && known(min, max) && max <= min,
    message: ({ lockMinRetentionDays, lockMaxRetentionDays }) =>
      `${lockMaxRetentionDays} days must exceed the minimum retention of ${lockMinRetentionDays} days (aws-cdk-lib rejects equal values); raise the maximum or leave it out`,
  },
  {
    path: ['lockChangeableForDays'],
    broken: ({ lockChangeableForDays: days }) =>
      days !== undefined && known(days) && !isWholeNumber(days, MIN_LOCK_CHANGEABLE_DAYS),
    message: ({ lockChangeableForDays }) =>
      `${lockChangeableForDays} days: AWS Backup enforces a cooling-off period of 72 hours before a compliance lock becomes immutable; give a whole number of days, ${MIN_LOCK_CHANGEABLE_DAYS} or more`,
  },
  {
    path: ['lockMinRetentionDays'],
    broken: ({ lockMinRetentionDays: min, lockMaxRetentionDays: max, lockChangeableForDays: changeable }) =>
      min === undefined && (max !== undefined || changeable !== undefined),
    message: () =>
      'a Vault Lock created through CloudFormation needs a minimum retention; give lockMinRetentionDays or leave the other lock settings out',
  },
  {
    path: ['removalPolicy'],
    broken: ({ lockMinRetentionDays: min, lockChangeableForDays: changeable, destroyedWithStack }) =>
      min !== undefined && changeable !== undefined && destroyedWithStack === true,
    message: ({ lockChangeableForDays }) =>
      `a vault in compliance mode (locked for good after ${lockChangeableForDays} days) can never be deleted while it holds recovery points, and nobody can delete them early; retain the vault (RemovalPolicy.RETAIN)`,
  },
];

/**
 * Every reason a vault cannot be created as asked: a name AWS Backup refuses, Vault Lock settings
 * out of range or without the minimum retention CloudFormation requires, a compliance lock on a vault
 * meant to be deleted with its stack.
 *
 * The one home of these rules: `BackupVault` throws them all at once, the config schema reports them,
 * both with the same words.
 */
export function backupVaultProblems(input: BackupVaultRuleInput): Problem[] {
  return problemsOf(input, VAULT_RULES);
}

/**
 * What the plan rules read, defaults already applied. Paths of problems name these fields, which are
 * also the names of `RecoveryPlanProps`.
 */
export interface BackupPlanRuleInput {
  readonly planName: string;
  /** Whether the plan keeps continuous backups (point-in-time restore) of RDS and S3. */
  readonly continuous: boolean;
  readonly continuousRetentionDays: number;
  /** `undefined`: no such tier. */
  readonly hourlyRetentionDays?: number;
  readonly dailyRetentionDays?: number;
  readonly weeklyRetentionDays?: number;
  readonly monthlyRetentionDays?: number;
  readonly scheduleHourUtc: number;
  readonly startWindowMinutes: number;
  readonly completionWindowMinutes: number;
  readonly selectionTagKey: string;
  readonly selectionTagValue: string;
  /** Whether recovery points are copied to another vault. */
  readonly copying: boolean;
  /** `undefined`: not given. */
  readonly copyFromTier?: BackupTier;
  readonly copyRetentionDays?: number;
  /** The lock of the plan's vault, when known. */
  readonly vaultLock?: VaultLockDays;
  /** The lock of the vault copies go to, when known. */
  readonly copyVaultLock?: VaultLockDays;
}

/** The retention of each tier the plan has, finest first. */
export function tierRetentions(input: BackupPlanRuleInput): Array<{ tier: BackupTier; days: number }> {
  const tiers: Array<{ tier: BackupTier; days: number | undefined }> = [
    { tier: 'continuous', days: input.continuous ? input.continuousRetentionDays : undefined },
    { tier: 'hourly', days: input.hourlyRetentionDays },
    { tier: 'daily', days: input.dailyRetentionDays },
    { tier: 'weekly', days: input.weeklyRetentionDays },
    { tier: 'monthly', days: input.monthlyRetentionDays },
  ];
  return tiers.filter((t): t is { tier: BackupTier; days: number } => t.days !== undefined);
}

const retentionField = (tier: BackupTier) => `${tier}RetentionDays`;

/** One row per snapshot tier: its retention is a whole number of days, long enough to leave no gaps. */
const tierRules: Array<Rule<BackupPlanRuleInput>> = SNAPSHOT_TIERS.map((tier) => {
  const min = MIN_TIER_RETENTION_DAYS[tier];
  const days = (input: BackupPlanRuleInput) => input[`${tier}RetentionDays`];
  return {
    path: [retentionField(tier)],
    broken: (input) => {
      const value = days(input);
      return value !== undefined && known(value) && !isWholeNumber(value, min, MAX_RETENTION_DAYS);
    },
    message: (input) =>
      `${days(input)} is not a ${tier} retention that works: ${
        min > 1 ? `kept less than ${min} days, a ${tier} recovery point expires before the next one exists; ` : ''
      }give a whole number of days from ${min} to ${MAX_RETENTION_DAYS}`,
  };
});

/** One row per pair of neighbouring snapshot tiers: the coarser one must keep its points at least as long. */
const orderRules: Array<Rule<BackupPlanRuleInput>> = SNAPSHOT_TIERS.slice(1).map((tier, index) => {
  const coarser = (input: BackupPlanRuleInput) => input[`${tier}RetentionDays`];
  /** The nearest finer tier the plan has. */
  const finer = (input: BackupPlanRuleInput) =>
    SNAPSHOT_TIERS.slice(0, index + 1)
      .reverse()
      .map((t) => ({ tier: t, days: input[`${t}RetentionDays`] }))
      .find((t) => t.days !== undefined);
  return {
    path: [retentionField(tier)],
    broken: (input) => {
      const days = coarser(input);
      const other = finer(input)?.days;
      return days !== undefined && other !== undefined && known(days, other) && days < other;
    },
    message: (input) => {
      const other = finer(input);
      return `${coarser(input)} days is shorter than the ${other?.days} days ${other?.tier} recovery points are kept, so ${tier} points keep nothing those do not; keep ${tier} points at least ${other?.days} days or drop the tier`;
    },
  };
});

/** One row per tier: a Vault Lock fails every backup job whose retention is outside its range. */
const lockRules: Array<Rule<BackupPlanRuleInput>> = (['continuous', ...SNAPSHOT_TIERS] as readonly BackupTier[]).map(
  (tier) => {
    const days = (input: BackupPlanRuleInput) => tierRetentions(input).find((t) => t.tier === tier)?.days;
    return {
      path: [retentionField(tier)],
      broken: (input) => {
        const value = days(input);
        const lock = input.vaultLock;
        return (
          value !== undefined &&
          lock !== undefined &&
          known(value, lock.minRetentionDays, lock.maxRetentionDays) &&
          (value < lock.minRetentionDays || (lock.maxRetentionDays !== undefined && value > lock.maxRetentionDays))
        );
      },
      message: (input) =>
        `${days(input)} days is outside the ${lockRange(input.vaultLock?.minRetentionDays ?? 0, input.vaultLock?.maxRetentionDays)} the vault's lock accepts: every ${tier} backup job would fail; keep ${tier} points within the lock's range`,
    };
  },
);

const PLAN_RULES: ReadonlyArray<Rule<BackupPlanRuleInput>> = [
  {
    path: ['planName'],
    broken: ({ planName }) => known(planName) && !PLAN_NAME.test(planName),
    message: ({ planName }) =>
      `"${planName}" is not a plan name AWS Backup accepts; use 1 to 50 letters, digits, hyphens, underscores or dots`,
  },
  {
    path: ['continuousRetentionDays'],
    broken: ({ continuous, continuousRetentionDays: days }) =>
      continuous && known(days) && !isWholeNumber(days, 1, MAX_CONTINUOUS_RETENTION_DAYS),
    message: ({ continuousRetentionDays }) =>
      `${continuousRetentionDays} is not a continuous-backup retention; point-in-time restore keeps 1 to ${MAX_CONTINUOUS_RETENTION_DAYS} whole days`,
  },
  ...tierRules,
  ...orderRules,
  {
    path: ['continuous'],
    broken: (input) => tierRetentions(input).length === 0,
    message: () => 'the plan backs up nothing; turn continuous backups on or give the retention of at least one tier',
  },
  {
    path: ['scheduleHourUtc'],
    broken: ({ scheduleHourUtc: hour }) => known(hour) && !isWholeNumber(hour, 0, 23),
    message: ({ scheduleHourUtc }) => `${scheduleHourUtc} is not an hour of the day; give a whole number from 0 to 23`,
  },
  {
    path: ['startWindowMinutes'],
    broken: ({ startWindowMinutes: minutes }) => known(minutes) && !isWholeNumber(minutes, MIN_START_WINDOW_MINUTES),
    message: ({ startWindowMinutes }) =>
      `${startWindowMinutes} minutes: AWS Backup needs a start window of at least ${MIN_START_WINDOW_MINUTES} minutes; give a whole number, ${MIN_START_WINDOW_MINUTES} or more`,
  },
  {
    path: ['startWindowMinutes'],
    broken: ({ hourlyRetentionDays, startWindowMinutes: minutes }) =>
      hourlyRetentionDays !== undefined && known(minutes) && minutes > 60,
    message: ({ startWindowMinutes }) =>
      `${startWindowMinutes} minutes is longer than the hour between two hourly backups: a job that cannot start would still wait when the next one is scheduled; give 60`,
  },
  {
    path: ['completionWindowMinutes'],
    broken: ({ startWindowMinutes: start, completionWindowMinutes: completion }) =>
      known(start, completion) &&
      (!Number.isInteger(completion) || completion < start + COMPLETION_AFTER_START_MINUTES),
    message: ({ startWindowMinutes, completionWindowMinutes }) =>
      `${completionWindowMinutes} minutes: the completion window must be a whole number of minutes, at least ${COMPLETION_AFTER_START_MINUTES} more than the ${startWindowMinutes}-minute start window; give ${startWindowMinutes + COMPLETION_AFTER_START_MINUTES} or more`,
  },
  {
    path: ['selectionTagKey'],
    broken: ({ selectionTagKey: key }) => known(key) && (key.length === 0 || key.length > 128),
    message: ({ selectionTagKey }) => `"${selectionTagKey}" is not a tag key; give 1 to 128 characters`,
  },
  {
    path: ['selectionTagValue'],
    broken: ({ selectionTagValue: value }) => known(value) && (value.length === 0 || value.length > 256),
    message: ({ selectionTagValue }) =>
      `"${selectionTagValue}" cannot select resources: an empty value matches nothing deliberate; give 1 to 256 characters`,
  },
  {
    path: ['copyFromTier'],
    broken: ({ copying, copyFromTier }) => copying && copyFromTier === undefined,
    message: () => 'copies need a tier to copy from, whose schedule is the RPO of a region loss; give copyFromTier',
  },
  {
    path: ['copyFromTier'],
    broken: (input) =>
      input.copying &&
      input.copyFromTier !== undefined &&
      !tierRetentions(input).some((t) => t.tier === input.copyFromTier),
    message: ({ copyFromTier }) =>
      `the plan has no ${copyFromTier} tier to copy from; copy from a tier it has or give that tier a retention`,
  },
  {
    path: ['copyRetentionDays'],
    broken: ({ copying, copyRetentionDays: days }) =>
      copying && (days === undefined || (known(days) && !isWholeNumber(days, 1, MAX_RETENTION_DAYS))),
    message: ({ copyRetentionDays }) =>
      `${copyRetentionDays ?? 'no retention'}: copies need a retention; give a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
  },
  {
    path: ['copyRetentionDays'],
    broken: ({ copying, copyRetentionDays, copyFromTier }) =>
      !copying && (copyRetentionDays !== undefined || copyFromTier !== undefined),
    message: () => 'there is no vault to copy to; give copyTo or leave the copy settings out',
  },
  {
    path: ['copyRetentionDays'],
    broken: ({ copying, copyRetentionDays: days, copyVaultLock: lock }) =>
      copying &&
      days !== undefined &&
      lock !== undefined &&
      known(days, lock.minRetentionDays, lock.maxRetentionDays) &&
      (days < lock.minRetentionDays || (lock.maxRetentionDays !== undefined && days > lock.maxRetentionDays)),
    message: ({ copyRetentionDays, copyVaultLock }) =>
      `${copyRetentionDays} days is outside the ${lockRange(copyVaultLock?.minRetentionDays ?? 0, copyVaultLock?.maxRetentionDays)} the destination vault's lock accepts: every copy job would fail; keep copies within the lock's range`,
  },
  ...lockRules,
];

/**
 * Every reason a backup plan cannot run as asked: names AWS Backup refuses, retentions out of range
 * (continuous backups keep 1 to 35 days), coarser tiers kept shorter than finer ones, a plan without
 * any tier, backup windows AWS Backup refuses or that overlap hourly jobs, a copy without a source
 * tier or retention, and retentions a Vault Lock (of the plan's or the copy's vault) would make every
 * job fail on.
 *
 * The one home of these rules: `RecoveryPlan` throws them all at once, the config schema reports them,
 * both with the same words.
 */
export function backupPlanProblems(input: BackupPlanRuleInput): Problem[] {
  return problemsOf(input, PLAN_RULES);
}

/**
 * What the restore testing rules read, defaults already applied. Paths of problems name these fields,
 * which are also the names of `RestoreTestingProps`.
 */
export interface RestoreTestingRuleInput {
  readonly name: string;
  readonly scheduleExpression: string;
  readonly selectionWindowDays: number;
  readonly startWindowHours: number;
  /** `undefined`: restored resources are deleted as soon as the test ends. */
  readonly validationWindowHours?: number;
  /** Whether resources are selected by a tag. */
  readonly selectedByTag: boolean;
  /** How many databases are selected by name; `0`: none. */
  readonly databaseCount: number;
}

const RESTORE_TESTING_RULES: ReadonlyArray<Rule<RestoreTestingRuleInput>> = [
  {
    path: ['name'],
    broken: ({ name }) => known(name) && !RESTORE_TESTING_NAME.test(name),
    message: ({ name }) =>
      `"${name}" is not a restore testing plan name; use 1 to 50 letters, digits or underscores (no hyphens)`,
  },
  {
    path: ['schedule'],
    broken: ({ scheduleExpression: expression }) => known(expression) && !/^cron\(.+\)$/.test(expression),
    message: ({ scheduleExpression }) =>
      `"${scheduleExpression}": restore testing runs on cron expressions only; give events.Schedule.cron(...)`,
  },
  {
    path: ['selectionWindowDays'],
    broken: ({ selectionWindowDays: days }) => known(days) && !isWholeNumber(days, 1, MAX_SELECTION_WINDOW_DAYS),
    message: ({ selectionWindowDays }) =>
      `${selectionWindowDays} is not a selection window; give a whole number of days from 1 to ${MAX_SELECTION_WINDOW_DAYS}`,
  },
  {
    path: ['startWindowHours'],
    broken: ({ startWindowHours: hours }) => known(hours) && !isWholeNumber(hours, 1, MAX_RESTORE_TEST_WINDOW_HOURS),
    message: ({ startWindowHours }) =>
      `${startWindowHours} is not a start window; give a whole number of hours from 1 to ${MAX_RESTORE_TEST_WINDOW_HOURS}`,
  },
  {
    path: ['validationWindowHours'],
    broken: ({ validationWindowHours: hours }) =>
      hours !== undefined && known(hours) && !isWholeNumber(hours, 1, MAX_RESTORE_TEST_WINDOW_HOURS),
    message: ({ validationWindowHours }) =>
      `${validationWindowHours} is not a validation window; give a whole number of hours from 1 to ${MAX_RESTORE_TEST_WINDOW_HOURS}, or leave it out to delete restored databases at once`,
  },
  {
    path: ['databases'],
    broken: ({ selectedByTag, databaseCount }) => selectedByTag === databaseCount > 0,
    message: ({ selectedByTag }) =>
      selectedByTag
        ? 'a selection takes either a tag or databases, not both (AWS Backup rejects both); give one'
        : 'nothing is selected for restore tests; give a selection tag or databases',
  },
  {
    path: ['databases'],
    broken: ({ databaseCount }) => databaseCount > MAX_RESTORE_TEST_RESOURCES,
    message: ({ databaseCount }) =>
      `${databaseCount} databases: a restore testing selection takes at most ${MAX_RESTORE_TEST_RESOURCES}; select by tag instead`,
  },
];

/**
 * Every reason a restore testing plan cannot be created as asked: a name with characters AWS Backup
 * refuses, a schedule that is not a cron expression, windows out of range, a selection that names both
 * or neither of a tag and databases, or more databases than one selection takes.
 */
export function restoreTestingProblems(input: RestoreTestingRuleInput): Problem[] {
  return problemsOf(input, RESTORE_TESTING_RULES);
}
