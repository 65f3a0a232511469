import {
  backupPlanProblems,
  backupVaultProblems,
  restoreTestingProblems,
  tierRetentions,
  type BackupPlanRuleInput,
  type BackupVaultRuleInput,
  type RestoreTestingRuleInput,
} from '../../constructs/backup/backup-rules';

const VAULT: BackupVaultRuleInput = { vaultName: 'shop-prod' };

const PLAN: BackupPlanRuleInput = {
  planName: 'shop-prod',
  continuous: true,
  continuousRetentionDays: 35,
  hourlyRetentionDays: 2,
  dailyRetentionDays: 35,
  weeklyRetentionDays: 90,
  monthlyRetentionDays: 365,
  scheduleHourUtc: 3,
  startWindowMinutes: 60,
  completionWindowMinutes: 480,
  selectionTagKey: 'backup',
  selectionTagValue: 'shop-prod',
  copying: false,
};

const RESTORE: RestoreTestingRuleInput = {
  name: 'shop_prod',
  scheduleExpression: 'cron(0 5 ? * MON *)',
  selectionWindowDays: 7,
  startWindowHours: 24,
  selectedByTag: true,
  databaseCount: 0,
};

/** `path: message` of every problem, as a reader sees them. */
const lines = (problems: ReadonlyArray<{ path: ReadonlyArray<string | number>; message: string }>) =>
  problems.map((p) => `${p.path.join('.')}: ${p.message}`);

describe('backupVaultProblems', () => {
  test('finds nothing wrong with a vault without lock, in governance or in compliance mode', () => {
    expect(backupVaultProblems(VAULT)).toEqual([]);
    expect(backupVaultProblems({ ...VAULT, lockMinRetentionDays: 7, lockMaxRetentionDays: 400 })).toEqual([]);
    expect(backupVaultProblems({ ...VAULT, lockMinRetentionDays: 7, lockChangeableForDays: 3 })).toEqual([]);
    expect(backupVaultProblems({ ...VAULT, lockMinRetentionDays: 7, destroyedWithStack: true })).toEqual([]);
  });

  const cases: Array<[string, Partial<BackupVaultRuleInput>, string[]]> = [
    [
      'a name with a dot',
      { vaultName: 'shop.prod' },
      [
        'vaultName: "shop.prod" is not a vault name AWS Backup accepts; use 2 to 50 letters, digits, hyphens or underscores',
      ],
    ],
    [
      'a minimum retention of zero days',
      { lockMinRetentionDays: 0 },
      [
        'lockMinRetentionDays: 0 is not a minimum retention Vault Lock accepts; give a whole number of days from 1 to 36500',
      ],
    ],
    [
      'a maximum equal to the minimum',
      { lockMinRetentionDays: 30, lockMaxRetentionDays: 30 },
      [
        'lockMaxRetentionDays: 30 days must exceed the minimum retention of 30 days (aws-cdk-lib rejects equal values); raise the maximum or leave it out',
      ],
    ],
    [
      'a cooling-off period shorter than 72 hours',
      { lockMinRetentionDays: 7, lockChangeableForDays: 2 },
      [
        'lockChangeableForDays: 2 days: AWS Backup enforces a cooling-off period of 72 hours before a compliance lock becomes immutable; give a whole number of days, 3 or more',
      ],
    ],
    [
      'lock settings without the minimum CloudFormation requires',
      { lockMaxRetentionDays: 400 },
      [
        'lockMinRetentionDays: a Vault Lock created through CloudFormation needs a minimum retention; give lockMinRetentionDays or leave the other lock settings out',
      ],
    ],
    [
      'a compliance lock on a vault destroyed with its stack',
      { lockMinRetentionDays: 7, lockChangeableForDays: 3, destroyedWithStack: true },
      [
        'removalPolicy: a vault in compliance mode (locked for good after 3 days) can never be deleted while it holds recovery points, and nobody can delete them early; retain the vault (RemovalPolicy.RETAIN)',
      ],
    ],
  ];
  test.each(cases)('rejects %s', (_name, changes, expected) => {
    expect(lines(backupVaultProblems({ ...VAULT, ...changes }))).toEqual(expected);
  });

  test('reports every problem at once', () => {
    expect(
      backupVaultProblems({ vaultName: 'x', lockMinRetentionDays: 1.5, lockChangeableForDays: 1 }).map(
        (p) => p.path[0],
      ),
    ).toEqual(['vaultName', 'lockMinRetentionDays', 'lockChangeableForDays']);
  });
});

describe('backupPlanProblems', () => {
  test('finds nothing wrong with five tiers, or with continuous backups alone', () => {
    expect(backupPlanProblems(PLAN)).toEqual([]);
    expect(
      backupPlanProblems({
        ...PLAN,
        hourlyRetentionDays: undefined,
        dailyRetentionDays: undefined,
        weeklyRetentionDays: undefined,
        monthlyRetentionDays: undefined,
      }),
    ).toEqual([]);
  });

  test('tierRetentions lists the tiers the plan has, finest first; continuous only when on', () => {
    expect(tierRetentions(PLAN).map((t) => `${t.tier}=${t.days}`)).toEqual([
      'continuous=35',
      'hourly=2',
      'daily=35',
      'weekly=90',
      'monthly=365',
    ]);
    expect(tierRetentions({ ...PLAN, continuous: false, hourlyRetentionDays: undefined }).map((t) => t.tier)).toEqual([
      'daily',
      'weekly',
      'monthly',
    ]);
  });

  const cases: Array<[string, Partial<BackupPlanRuleInput>, string[]]> = [
    [
      'a plan name with a space',
      { planName: 'shop prod' },
      [
        'planName: "shop prod" is not a plan name AWS Backup accepts; use 1 to 50 letters, digits, hyphens, underscores or dots',
      ],
    ],
    [
      'continuous backups kept 36 days',
      { continuousRetentionDays: 36 },
      [
        'continuousRetentionDays: 36 is not a continuous-backup retention; point-in-time restore keeps 1 to 35 whole days',
      ],
    ],
    [
      'weekly points kept 6 days',
      {
        hourlyRetentionDays: undefined,
        dailyRetentionDays: 3,
        weeklyRetentionDays: 6,
        monthlyRetentionDays: undefined,
      },
      [
        'weeklyRetentionDays: 6 is not a weekly retention that works: kept less than 7 days, a weekly recovery point expires before the next one exists; give a whole number of days from 7 to 36500',
      ],
    ],
    [
      'monthly points kept 30 days',
      { monthlyRetentionDays: 30, weeklyRetentionDays: 14, dailyRetentionDays: 7 },
      [
        'monthlyRetentionDays: 30 is not a monthly retention that works: kept less than 31 days, a monthly recovery point expires before the next one exists; give a whole number of days from 31 to 36500',
      ],
    ],
    [
      'weekly points kept shorter than daily ones',
      { weeklyRetentionDays: 14 },
      [
        'weeklyRetentionDays: 14 days is shorter than the 35 days daily recovery points are kept, so weekly points keep nothing those do not; keep weekly points at least 35 days or drop the tier',
      ],
    ],
    [
      'monthly points kept shorter than hourly ones, with no tier between',
      {
        hourlyRetentionDays: 40,
        dailyRetentionDays: undefined,
        weeklyRetentionDays: undefined,
        monthlyRetentionDays: 35,
      },
      [
        'monthlyRetentionDays: 35 days is shorter than the 40 days hourly recovery points are kept, so monthly points keep nothing those do not; keep monthly points at least 40 days or drop the tier',
      ],
    ],
    [
      'a plan with no tier at all',
      {
        continuous: false,
        hourlyRetentionDays: undefined,
        dailyRetentionDays: undefined,
        weeklyRetentionDays: undefined,
        monthlyRetentionDays: undefined,
      },
      ['continuous: the plan backs up nothing; turn continuous backups on or give the retention of at least one tier'],
    ],
    [
      'an hour of 24',
      { scheduleHourUtc: 24 },
      ['scheduleHourUtc: 24 is not an hour of the day; give a whole number from 0 to 23'],
    ],
    [
      'a 30-minute start window',
      { startWindowMinutes: 30, completionWindowMinutes: 480 },
      [
        'startWindowMinutes: 30 minutes: AWS Backup needs a start window of at least 60 minutes; give a whole number, 60 or more',
      ],
    ],
    [
      'a 2-hour start window with hourly backups',
      { startWindowMinutes: 120 },
      [
        'startWindowMinutes: 120 minutes is longer than the hour between two hourly backups: a job that cannot start would still wait when the next one is scheduled; give 60',
      ],
    ],
    [
      'a completion window only 30 minutes past the start window',
      { completionWindowMinutes: 90 },
      [
        'completionWindowMinutes: 90 minutes: the completion window must be a whole number of minutes, at least 60 more than the 60-minute start window; give 120 or more',
      ],
    ],
    ['an empty tag key', { selectionTagKey: '' }, ['selectionTagKey: "" is not a tag key; give 1 to 128 characters']],
    [
      'an empty tag value',
      { selectionTagValue: '' },
      [
        'selectionTagValue: "" cannot select resources: an empty value matches nothing deliberate; give 1 to 256 characters',
      ],
    ],
    [
      'a copy from a tier the plan does not have',
      { copying: true, copyFromTier: 'hourly', copyRetentionDays: 7, hourlyRetentionDays: undefined },
      ['copyFromTier: the plan has no hourly tier to copy from; copy from a tier it has or give that tier a retention'],
    ],
    [
      'a copy without a source tier',
      { copying: true, copyRetentionDays: 7 },
      ['copyFromTier: copies need a tier to copy from, whose schedule is the RPO of a region loss; give copyFromTier'],
    ],
    [
      'a copy without retention',
      { copying: true, copyFromTier: 'daily' },
      ['copyRetentionDays: no retention: copies need a retention; give a whole number of days from 1 to 36500'],
    ],
    [
      'copy settings without a vault to copy to',
      { copyRetentionDays: 35 },
      ['copyRetentionDays: there is no vault to copy to; give copyTo or leave the copy settings out'],
    ],
    [
      'copies kept shorter than the destination lock allows',
      { copying: true, copyFromTier: 'daily', copyRetentionDays: 7, copyVaultLock: { minRetentionDays: 14 } },
      [
        "copyRetentionDays: 7 days is outside the 14 or more days the destination vault's lock accepts: every copy job would fail; keep copies within the lock's range",
      ],
    ],
    [
      'tiers outside the vault lock range',
      { vaultLock: { minRetentionDays: 3, maxRetentionDays: 100 } },
      [
        "hourlyRetentionDays: 2 days is outside the 3 to 100 days the vault's lock accepts: every hourly backup job would fail; keep hourly points within the lock's range",
        "monthlyRetentionDays: 365 days is outside the 3 to 100 days the vault's lock accepts: every monthly backup job would fail; keep monthly points within the lock's range",
      ],
    ],
    ['tiers within the vault lock range', { vaultLock: { minRetentionDays: 1 }, continuousRetentionDays: 35 }, []],
  ];
  test.each(cases)('%s', (_name, changes, expected) => {
    expect(lines(backupPlanProblems({ ...PLAN, ...changes }))).toEqual(expected);
  });

  test('a vault lock minimum above 35 days fails every continuous backup job', () => {
    expect(
      lines(
        backupPlanProblems({
          ...PLAN,
          hourlyRetentionDays: undefined,
          dailyRetentionDays: 40,
          vaultLock: { minRetentionDays: 40 },
        }),
      ),
    ).toEqual([
      "continuousRetentionDays: 35 days is outside the 40 or more days the vault's lock accepts: every continuous backup job would fail; keep continuous points within the lock's range",
    ]);
  });

  test('continuous settings are not checked when continuous backups are off', () => {
    expect(backupPlanProblems({ ...PLAN, continuous: false, continuousRetentionDays: 100 })).toEqual([]);
  });

  test('reports every problem at once', () => {
    expect(
      backupPlanProblems({ ...PLAN, planName: 'a b', continuousRetentionDays: 0, startWindowMinutes: 10 }).map((p) =>
        p.path.join('.'),
      ),
    ).toEqual(['planName', 'continuousRetentionDays', 'startWindowMinutes']);
  });
});

describe('restoreTestingProblems', () => {
  test('finds nothing wrong with a weekly test by tag, or of named databases with a validation window', () => {
    expect(restoreTestingProblems(RESTORE)).toEqual([]);
    expect(
      restoreTestingProblems({ ...RESTORE, selectedByTag: false, databaseCount: 30, validationWindowHours: 168 }),
    ).toEqual([]);
  });

  const cases: Array<[string, Partial<RestoreTestingRuleInput>, string[]]> = [
    [
      'a name with a hyphen',
      { name: 'shop-prod' },
      ['name: "shop-prod" is not a restore testing plan name; use 1 to 50 letters, digits or underscores (no hyphens)'],
    ],
    [
      'a rate expression',
      { scheduleExpression: 'rate(7 days)' },
      ['schedule: "rate(7 days)": restore testing runs on cron expressions only; give events.Schedule.cron(...)'],
    ],
    [
      'a selection window of a year and a day',
      { selectionWindowDays: 366 },
      ['selectionWindowDays: 366 is not a selection window; give a whole number of days from 1 to 365'],
    ],
    [
      'a start window of zero hours',
      { startWindowHours: 0 },
      ['startWindowHours: 0 is not a start window; give a whole number of hours from 1 to 168'],
    ],
    [
      'a validation window over a week',
      { validationWindowHours: 169 },
      [
        'validationWindowHours: 169 is not a validation window; give a whole number of hours from 1 to 168, or leave it out to delete restored databases at once',
      ],
    ],
    [
      'both a tag and databases',
      { databaseCount: 1 },
      ['databases: a selection takes either a tag or databases, not both (AWS Backup rejects both); give one'],
    ],
    [
      'neither a tag nor databases',
      { selectedByTag: false },
      ['databases: nothing is selected for restore tests; give a selection tag or databases'],
    ],
    [
      '31 databases',
      { selectedByTag: false, databaseCount: 31 },
      ['databases: 31 databases: a restore testing selection takes at most 30; select by tag instead'],
    ],
  ];
  test.each(cases)('rejects %s', (_name, changes, expected) => {
    expect(lines(restoreTestingProblems({ ...RESTORE, ...changes }))).toEqual(expected);
  });
});
