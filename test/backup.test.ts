import type { EnvironmentName } from '../config';
import { committedConfigs, schemaMessages } from './support/config';
import { ENVIRONMENTS, resources, synthesized, templateJson, type Resource } from './support/synth';

const configs = committedConfigs();
/** `backup.enabled`: staging and prod back up and copy to the DR region; dev keeps automated backups only. */
const BACKUP = { dev: false, staging: true, prod: true } as const;
/** `backup.vaultLock`: prod only. */
const LOCKED = { dev: false, staging: false, prod: true } as const;
/** `backup.standby`: prod keeps a cross-region replica of the database. */
const STANDBY = { dev: false, staging: false, prod: true } as const;

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
    expect(config.backup.standby !== undefined).toBe(STANDBY[environment]);
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

  test('the schedule meets the RPO: continuous backup (minutes) of both protected types, no hourly RDS snapshots', () => {
    const rules = planRules(environment);
    expect(rules.find((r) => r.RuleName === 'Continuous')?.EnableContinuousBackup).toBe(true);
    // Continuous backup covers RDS and S3; hourly snapshots would only fill the RDS snapshot quota.
    expect(rules.find((r) => r.RuleName === 'Hourly')).toBeUndefined();
    const selection = only(environment, 'Data', 'AWS::Backup::BackupSelection').Properties?.BackupSelection;
    expect(JSON.stringify(selection.Resources)).toContain(':rds:');
    expect(JSON.stringify(selection.Resources)).toContain(':s3:::*');
  });

  test("continuous backup keeps the database's own retention (AWS Backup takes it over)", () => {
    const primary = only(
      environment,
      'Data',
      'AWS::RDS::DBInstance',
      (_, r) => r.Properties?.SourceDBInstanceIdentifier === undefined,
    );
    expect(primary.Properties?.BackupRetentionPeriod).toBe(config.backup.continuousRetentionDays);
  });

  test('retention per tier comes from config', () => {
    const b = config.backup;
    expect(Object.fromEntries(planRules(environment).map((r) => [r.RuleName, r.Lifecycle.DeleteAfterDays]))).toEqual({
      Continuous: b.continuousRetentionDays,
      Daily: b.dailyRetentionDays,
      Weekly: b.weeklyRetentionDays,
      Monthly: b.monthlyRetentionDays,
    });
  });

  test('daily, weekly and monthly points are copied to the vault of the DR region, by ARN (no reference across regions)', () => {
    const copying = planRules(environment).filter((r) => r.CopyActions !== undefined);
    // The weekly and monthly jobs replace the daily one on their days: they must copy too.
    expect(copying.map((r) => r.RuleName)).toEqual(['Daily', 'Weekly', 'Monthly']);
    const copies = copying.flatMap((r) => r.CopyActions ?? []);
    expect(new Set(copies.map((c) => JSON.stringify(c)))).toEqual(
      new Set([
        JSON.stringify({
          DestinationBackupVaultArn: `arn:aws:backup:${config.drRegion}:${config.account}:backup-vault:learning-assistant-${environment}-dr`,
          Lifecycle: { DeleteAfterDays: config.backup.copyRetentionDays },
        }),
      ]),
    );
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
    expect(selection.Properties?.BackupSelection.Conditions).toEqual({
      StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup-plan', ConditionValue: tag.Value }],
    });
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

  test('failed and expired backup jobs and failed copy jobs notify, from the home region', () => {
    const names = resources(environment, 'Monitoring', 'AWS::CloudWatch::Alarm').map(
      ([, a]) => a.Properties?.AlarmName,
    );
    expect(names).toEqual(
      expect.arrayContaining([
        `learning-assistant-${environment}-Backup-JobsFailed`,
        `learning-assistant-${environment}-Backup-JobsExpired`,
        `learning-assistant-${environment}-Backup-CopyJobsFailed`,
      ]),
    );
  });

  test('the Data stack outputs the isolated security group the restore drill needs', () => {
    const outputs = templateJson(environment, 'Data').Outputs as Record<string, { Value: unknown }>;
    only(environment, 'Data', 'AWS::EC2::SecurityGroup', (id) => id.includes('Isolated'));
    const [groupId] = resources(environment, 'Data', 'AWS::EC2::SecurityGroup').find(([id]) =>
      id.includes('Isolated'),
    )!;
    expect(outputs.IsolatedSecurityGroupId?.Value).toEqual({ 'Fn::GetAtt': [groupId, 'GroupId'] });
  });

  if (STANDBY[environment]) {
    test('the standby replicates the home primary from the DR region, with its own key, and alarms there', () => {
      const standby = synthesized().stacks.find((s) => s.environment === environment && s.stackId === 'Standby');
      expect(standby?.region).toBe(config.drRegion);
      const replica = only(environment, 'Standby', 'AWS::RDS::DBInstance');
      expect(replica.Properties?.SourceDBInstanceIdentifier).toBe(
        `arn:aws:rds:${config.region}:${config.account}:db:learning-assistant-${environment}-primary`,
      );
      // The source is the Data stack's primary, by the identifier the data layer gives it.
      const primary = only(
        environment,
        'Data',
        'AWS::RDS::DBInstance',
        (_, r) => r.Properties?.SourceDBInstanceIdentifier === undefined,
      );
      expect(primary.Properties?.DBInstanceIdentifier).toBe(`learning-assistant-${environment}-primary`);
      expect(replica.Properties?.SourceRegion).toBe(config.region);
      expect(replica.Properties?.KmsKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^StorageKey/), 'Arn'] });
      expect(replica.Properties?.DeletionProtection).toBe(true);
      const alarms = resources(environment, 'Standby', 'AWS::CloudWatch::Alarm').map(([, a]) => a.Properties);
      expect(alarms.map((a) => a?.AlarmName).sort()).toEqual([
        `learning-assistant-${environment}-Standby-FreeStorage`,
        `learning-assistant-${environment}-Standby-ReplicaLag`,
      ]);
      expect(alarms.find((a) => a?.MetricName === 'ReplicaLag')?.Threshold).toBe(
        config.backup.standby?.lagThresholdSeconds,
      );
    });
  } else {
    test('no standby replica', () => {
      expect(
        synthesized()
          .stacks.filter((s) => s.environment === environment)
          .map((s) => s.stackId),
      ).not.toContain('Standby');
    });
  }

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
        c.backup.hourlyRetentionDays = 2;
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

  test('continuous retention other than the database retention is refused (AWS Backup takes the latter over)', () => {
    expect(
      schemaMessages('backup.continuousRetentionDays', (c) => {
        c.backup.continuousRetentionDays = 14;
      }),
    ).toEqual([
      "14 days differs from database.backupRetentionDays (35): continuous backup sets the instance's retention to its own, so the template would drift and the next change of backupRetentionDays would fail; make them equal",
    ]);
  });

  test('a standby zone outside drRegion, an overlapping network and a standby without backup are named', () => {
    const zone = schemaMessages('backup.standby.availabilityZones.0', (c) => {
      c.backup.standby!.availabilityZones = ['eu-west-1a', 'eu-central-1b', 'eu-central-1c'];
    });
    expect(zone).toEqual([
      '"eu-west-1a" is not an availability zone of drRegion eu-central-1 (it is in eu-west-1); eu-central-1 has eu-central-1a, eu-central-1b, eu-central-1c',
    ]);
    const overlap = schemaMessages('backup.standby.vpcCidr', (c) => {
      c.backup.standby!.vpcCidr = '10.0.0.0/16';
      c.backup.standby!.subnets = structuredClone(c.network.subnets);
    });
    expect(overlap).toEqual([
      '"10.0.0.0/16" overlaps network.vpcCidr (10.0.0.0/16): the two networks could never be peered',
    ]);
    const outside = schemaMessages('backup.standby.subnets.database.0', (c) => {
      c.backup.standby!.subnets.database[0] = '10.0.21.0/24';
    });
    expect(outside).toEqual(['"10.0.21.0/24" lies outside the VPC 10.100.0.0/16']);
    expect(
      schemaMessages('backup.standby', (c) => {
        c.backup.enabled = false;
      }),
    ).toEqual(['a standby replica needs backup.enabled: it lives in the disaster-recovery stack']);
  });

  test('backup off (dev) checks nothing of it', () => {
    expect(
      schemaMessages(
        'backup.hourlyRetentionDays',
        (c) => {
          c.backup.hourlyRetentionDays = 2;
          c.backup.vaultLock = { minRetentionDays: 30, maxRetentionDays: 400, changeableForDays: 3 };
        },
        'dev',
      ),
    ).toEqual([]);
  });
});
