import type { EnvironmentName } from '../config';
import { committedConfigs, schemaMessages } from './support/config';
import { ENVIRONMENTS, resources, synthesized, type Resource } from './support/synth';

const configs = committedConfigs();
/** `backup.enabled`: staging and prod back up and copy to the DR region; dev keeps automated backups only. */
const BACKUP = { dev: false, staging: true, prod: true } as const;
/** `backup.vaultLock`: prod only. */
const LOCKED = { dev: false, staging: false, prod: true } as const;

type Rule = {
  RuleName: string;
  ScheduleExpression: string;
  EnableContinuousBackup?: boolean;
  Lifecycle: { DeleteAfterDays: number };
  CopyActions?: Array<{ DestinationBackupVaultArn: string; Lifecycle: { DeleteAfterDays: number } }>;
};

/** The one resource of `type` in the stack (filtered by `keep`), failing when there is not exactly one. */
function only(
  environment: EnvironmentName,
  stackId: string,
  type: string,
  keep: (id: string, resource: Resource) => boolean = () => true,
): Resource {
  const found = resources(environment, stackId, type).filter(([id, r]) => keep(id, r));
  expect(found).toHaveLength(1);
  return found[0]![1];
}

function planRules(environment: EnvironmentName): Rule[] {
  const plans = resources(environment, 'Data', 'AWS::Backup::BackupPlan');
  expect(plans).toHaveLength(1);
  return plans[0]![1].Properties?.BackupPlan.BackupPlanRule as Rule[];
}

describe.each(ENVIRONMENTS)('%s backup and disaster recovery', (environment) => {
  const config = configs[environment];

  test('the committed config takes the branches this file expects', () => {
    expect(config.backup.enabled).toBe(BACKUP[environment]);
    expect(config.backup.vaultLock !== undefined).toBe(LOCKED[environment]);
  });

  if (!BACKUP[environment]) {
    test('no backup plan, vault or DR stack: the database keeps its automated backups only', () => {
      expect(resources(environment, 'Data', 'AWS::Backup::BackupPlan')).toHaveLength(0);
      expect(resources(environment, 'Data', 'AWS::Backup::BackupVault')).toHaveLength(0);
      expect(
        synthesized()
          .stacks.filter((s) => s.environment === environment)
          .map((s) => s.stackId),
      ).not.toContain('Dr');
    });
    return;
  }

  test('the schedule meets the RPO: continuous backup, and an hourly tier for what it does not cover', () => {
    const rules = planRules(environment);
    expect(rules.find((r) => r.RuleName === 'Continuous')?.EnableContinuousBackup).toBe(true);
    expect(rules.find((r) => r.RuleName === 'Hourly')?.ScheduleExpression).toBe('cron(0 * * * ? *)');
  });

  test('retention per tier comes from config', () => {
    const b = config.backup;
    expect(Object.fromEntries(planRules(environment).map((r) => [r.RuleName, r.Lifecycle.DeleteAfterDays]))).toEqual({
      Continuous: b.continuousRetentionDays,
      Hourly: b.hourlyRetentionDays,
      Daily: b.dailyRetentionDays,
      Weekly: b.weeklyRetentionDays,
      Monthly: b.monthlyRetentionDays,
    });
  });

  test('the daily points are copied to the vault of the DR region, by ARN (no reference across regions)', () => {
    const copies = planRules(environment).flatMap((r) => r.CopyActions ?? []);
    expect(copies).toEqual([
      {
        DestinationBackupVaultArn: `arn:aws:backup:${config.drRegion}:${config.account}:backup-vault:learning-assistant-${environment}-dr`,
        Lifecycle: { DeleteAfterDays: config.backup.copyRetentionDays },
      },
    ]);
    const vault = only(environment, 'Dr', 'AWS::Backup::BackupVault');
    expect(vault.Properties?.BackupVaultName).toBe(`learning-assistant-${environment}-dr`);
    const dr = synthesized().stacks.find((s) => s.environment === environment && s.stackId === 'Dr');
    expect(dr?.region).toBe(config.drRegion);
  });

  test('the database and the uploads bucket carry the selection tag; the plan selects by it', () => {
    const tag = { Key: 'backup-plan', Value: `learning-assistant-${environment}` };
    const primary = only(
      environment,
      'Data',
      'AWS::RDS::DBInstance',
      (_, r) => r.Properties?.SourceDBInstanceIdentifier === undefined,
    );
    expect(primary.Properties?.Tags).toContainEqual(tag);
    const uploads = only(environment, 'Data', 'AWS::S3::Bucket', (id) => id.startsWith('Uploads'));
    expect(uploads.Properties?.Tags).toContainEqual(tag);
    const selection = only(environment, 'Data', 'AWS::Backup::BackupSelection');
    expect(JSON.stringify(selection.Properties?.BackupSelection)).toContain('"backup-plan"');
  });

  test('uploads replicate to the DR bucket with its key, delete markers kept out', () => {
    const uploads = only(environment, 'Data', 'AWS::S3::Bucket', (id) => id.startsWith('Uploads'));
    const [rule] = uploads.Properties!.ReplicationConfiguration.Rules;
    expect(rule.DeleteMarkerReplication).toEqual({ Status: 'Disabled' });
    expect(rule.SourceSelectionCriteria).toEqual({ SseKmsEncryptedObjects: { Status: 'Enabled' } });
    expect(JSON.stringify(rule.Destination.Bucket)).toContain(`"Region":"${config.drRegion}"`);
    expect(JSON.stringify(rule.Destination.EncryptionConfiguration.ReplicaKmsKeyID)).toContain('ReplicaKey');
  });

  test(`vault lock ${LOCKED[environment] ? 'on both vaults, from config' : 'off'}`, () => {
    for (const stackId of ['Data', 'Dr']) {
      const vault = only(environment, stackId, 'AWS::Backup::BackupVault');
      const lock = config.backup.vaultLock;
      expect(vault.Properties?.LockConfiguration).toEqual(
        lock && {
          MinRetentionDays: lock.minRetentionDays,
          MaxRetentionDays: lock.maxRetentionDays,
          ChangeableForDays: lock.changeableForDays,
        },
      );
    }
  });

  test('a weekly restore test restores the database into the isolated security group', () => {
    expect(resources(environment, 'Data', 'AWS::Backup::RestoreTestingPlan')).toHaveLength(1);
    const selection = only(environment, 'Data', 'AWS::Backup::RestoreTestingSelection');
    expect(selection.Properties?.ProtectedResourceType).toBe('RDS');
    expect(JSON.stringify(selection.Properties?.RestoreMetadataOverrides)).toContain('DatabaseSecurityGroupsIsolated');
  });
});

describe('backup config: the plan and vault rule tables run at config load', () => {
  test('a lock whose minimum outlasts the hourly tier names the tier, before any template', () => {
    expect(
      schemaMessages('backup.hourlyRetentionDays', (c) => {
        c.backup.vaultLock = { minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 3 };
      }),
    ).toEqual([
      "2 days is outside the 30 to 400 days the vault's lock accepts: every hourly backup job would fail; keep hourly points within the lock's range",
    ]);
  });

  test('a lock range upside down is reported at the config field', () => {
    expect(
      schemaMessages('backup.vaultLock.maxRetentionDays', (c) => {
        c.backup.vaultLock = { minRetentionDays: 30, maxRetentionDays: 20, changeableForDays: 3 };
      }),
    ).toHaveLength(1);
  });

  test('backup off (dev) checks nothing of it', () => {
    expect(
      schemaMessages(
        'backup.hourlyRetentionDays',
        (c) => {
          c.backup.vaultLock = { minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 3 };
        },
        'dev',
      ),
    ).toEqual([]);
  });
});
