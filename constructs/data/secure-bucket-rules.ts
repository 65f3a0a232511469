import { isWholeNumber, known, problemsOf, type Problem, type Rule } from '../shared/problems';

/** The youngest objects S3 Standard-IA accepts in a lifecycle transition, in days. */
export const MIN_INFREQUENT_ACCESS_DAYS = 30;

/** The longest default retention S3 Object Lock accepts, in days (100 years). */
export const MAX_RETENTION_DAYS = 36500;

/**
 * What the bucket rules read, defaults already applied. Paths of problems name these fields, which
 * are also the names of `SecureBucketProps`; the config schema maps them to its `storage` section.
 */
export interface SecureBucketRuleInput {
  /** Days a replaced or deleted object version is kept. */
  readonly noncurrentVersionExpirationDays: number;
  /** Days after which current objects move to Standard-IA; `undefined`: never. */
  readonly transitionToInfrequentAccessDays?: number;
  /** Days after which current objects expire; `undefined`: never. */
  readonly expirationDays?: number;
  /** Days of the default Object Lock retention; `undefined`: none. */
  readonly objectLockRetentionDays?: number;
  /**
   * Whether the bucket is emptied and deleted with its stack.
   *
   * @default false
   */
  readonly destroyedWithStack?: boolean;
  /**
   * Whether the bucket has Object Lock.
   *
   * @default true
   */
  readonly objectLockEnabled?: boolean;
}

/**
 * One row per rule. Every row skips values that are tokens (known only at deploy time), so a
 * construct given a token is never rejected for the token's placeholder text.
 */
const RULES: ReadonlyArray<Rule<SecureBucketRuleInput>> = [
  {
    path: ['noncurrentVersionExpirationDays'],
    broken: ({ noncurrentVersionExpirationDays: days }) => known(days) && !isWholeNumber(days, 1),
    message: ({ noncurrentVersionExpirationDays }) =>
      `${noncurrentVersionExpirationDays} is not a number of days; give a whole number, 1 or more`,
  },
  {
    path: ['transitionToInfrequentAccessDays'],
    broken: ({ transitionToInfrequentAccessDays: days }) =>
      days !== undefined && known(days) && !isWholeNumber(days, MIN_INFREQUENT_ACCESS_DAYS),
    message: ({ transitionToInfrequentAccessDays }) =>
      `${transitionToInfrequentAccessDays} days: S3 Standard-IA accepts objects ${MIN_INFREQUENT_ACCESS_DAYS} days or older; give a whole number, ${MIN_INFREQUENT_ACCESS_DAYS} or more`,
  },
  {
    path: ['expirationDays'],
    broken: ({ expirationDays: days }) => days !== undefined && known(days) && !isWholeNumber(days, 1),
    message: ({ expirationDays }) => `${expirationDays} is not a number of days; give a whole number, 1 or more`,
  },
  {
    path: ['expirationDays'],
    broken: ({ transitionToInfrequentAccessDays: transition, expirationDays: expiration }) =>
      transition !== undefined && expiration !== undefined && known(transition, expiration) && expiration <= transition,
    message: ({ transitionToInfrequentAccessDays, expirationDays }) =>
      `${expirationDays} days must exceed the ${transitionToInfrequentAccessDays} days after which objects move to Standard-IA; expire later or transition earlier`,
  },
  {
    path: ['objectLockRetentionDays'],
    broken: ({ objectLockRetentionDays: days }) =>
      days !== undefined && known(days) && !isWholeNumber(days, 1, MAX_RETENTION_DAYS),
    message: ({ objectLockRetentionDays }) =>
      `${objectLockRetentionDays} is not a retention S3 accepts; give a whole number of days from 1 to ${MAX_RETENTION_DAYS}`,
  },
  {
    path: ['objectLockRetentionDays'],
    broken: ({ objectLockRetentionDays: days, expirationDays: expiration }) =>
      days !== undefined && expiration !== undefined && known(days, expiration) && days > expiration,
    message: ({ objectLockRetentionDays, expirationDays }) =>
      `${objectLockRetentionDays} days of retention outlast the ${expirationDays} days after which objects expire: lifecycle cannot delete locked versions, so they would stay (and cost) until the lock ends; lock for at most ${expirationDays} days`,
  },
  {
    path: ['objectLockRetentionDays'],
    broken: ({ objectLockRetentionDays: days, objectLockEnabled }) => days !== undefined && objectLockEnabled === false,
    message: ({ objectLockRetentionDays }) =>
      `${objectLockRetentionDays} days of default retention need Object Lock, which this bucket does not enable; turn Object Lock on or leave the retention out`,
  },
  {
    path: ['objectLockRetentionDays'],
    broken: ({ objectLockRetentionDays: days, destroyedWithStack }) =>
      days !== undefined && destroyedWithStack === true,
    message: ({ objectLockRetentionDays }) =>
      `${objectLockRetentionDays} days of retention on a bucket destroyed with its stack: locked versions cannot be deleted, so emptying the bucket and the stack deletion would fail; leave the retention out or retain the bucket`,
  },
];

/**
 * Every reason a bucket's lifecycle cannot run, in table order: a noncurrent-version expiration
 * that is not a number of days, a transition to Standard-IA before objects are 30 days old, an
 * expiration that is not a number of days or does not come after the transition, an Object Lock
 * retention that is not a number of days, outlasts the expiration or blocks a disposable bucket's deletion.
 *
 * The one home of these rules: `SecureBucket` throws them all at once, the config schema reports
 * them under `storage`, both with the same words.
 */
export function secureBucketProblems(input: SecureBucketRuleInput): Problem[] {
  return problemsOf(input, RULES);
}
