import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { BackupVault, RecoveryPlan, type RecoveryPlanProps } from '../../constructs/backup';
import { metricExpression } from '../support/metrics';
import { testStack, thrown } from '../support/test-stack';

const DR_VAULT_ARN = 'arn:aws:backup:eu-central-1:123456789012:backup-vault:shop-prod-dr';

/**
 * A plan into a vault (with the lock given), with `overrides`; `dr` is the DR vault of another
 * region, imported by its constructed ARN as a stack in the primary region would.
 */
function build(
  overrides: Partial<RecoveryPlanProps> | ((dr: backup.IBackupVault) => Partial<RecoveryPlanProps>) = {},
  vaultLock: { min?: number; max?: number } = {},
) {
  const stack = testStack();
  const vault = new BackupVault(stack, 'Vault', {
    vaultName: 'shop-prod',
    lockMinRetentionDays: vaultLock.min,
    lockMaxRetentionDays: vaultLock.max,
  });
  const dr = backup.BackupVault.fromBackupVaultArn(stack, 'Dr', DR_VAULT_ARN);
  const plan = new RecoveryPlan(stack, 'Plan', {
    planName: 'shop-prod',
    vault: vault.vault,
    selectionTag: { key: 'backup', value: 'shop-prod' },
    ...(typeof overrides === 'function' ? overrides(dr) : overrides),
  });
  const template = Template.fromStack(stack);
  const vaultId = stack.getLogicalId(vault.vault.node.defaultChild as backup.CfnBackupVault);
  return { stack, vault, dr, plan, template, vaultId };
}

interface Rule {
  RuleName: string;
  ScheduleExpression: string;
  EnableContinuousBackup?: boolean;
  StartWindowMinutes: number;
  CompletionWindowMinutes: number;
  Lifecycle: Record<string, number>;
  TargetBackupVault: unknown;
  CopyActions?: unknown[];
}

/** The rules of the only plan, by name. */
function rules(template: Template): Record<string, Rule> {
  const plans = Object.values(template.findResources('AWS::Backup::BackupPlan'));
  expect(plans).toHaveLength(1);
  const list = plans[0].Properties.BackupPlan.BackupPlanRule as Rule[];
  return Object.fromEntries(list.map((rule) => [rule.RuleName, rule]));
}

describe('RecoveryPlan', () => {
  test('by default: continuous backups for 35 days, an hour before the snapshot tiers, into the vault', () => {
    const { template, vaultId } = build();
    template.hasResourceProperties('AWS::Backup::BackupPlan', { BackupPlan: { BackupPlanName: 'shop-prod' } });
    const target = { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] };
    expect(rules(template)).toEqual({
      Continuous: {
        RuleName: 'Continuous',
        EnableContinuousBackup: true,
        // The snapshot tiers start at 03:00: a tie between a continuous and a snapshot rule is not documented.
        ScheduleExpression: 'cron(0 2 * * ? *)',
        StartWindowMinutes: 60,
        CompletionWindowMinutes: 480,
        Lifecycle: { DeleteAfterDays: 35 },
        TargetBackupVault: target,
      },
    });
  });

  test('hourly, weekly and monthly tiers each keep their own days, never in cold storage', () => {
    const { template } = build({
      hourlyRetentionDays: 2,
      dailyRetentionDays: 35,
      weeklyRetentionDays: 90,
      monthlyRetentionDays: 365,
      scheduleHourUtc: 22,
    });
    const byName = rules(template);
    expect(Object.keys(byName)).toEqual(['Continuous', 'Hourly', 'Daily', 'Weekly', 'Monthly']);
    expect(byName.Hourly).toMatchObject({ ScheduleExpression: 'cron(0 * * * ? *)', Lifecycle: { DeleteAfterDays: 2 } });
    expect(byName.Daily.ScheduleExpression).toBe('cron(0 22 * * ? *)');
    expect(byName.Weekly).toMatchObject({
      ScheduleExpression: 'cron(0 22 ? * SUN *)',
      Lifecycle: { DeleteAfterDays: 90 },
    });
    expect(byName.Monthly).toMatchObject({
      ScheduleExpression: 'cron(0 22 1 * ? *)',
      Lifecycle: { DeleteAfterDays: 365 },
    });
    expect(Object.values(byName).every((rule) => rule.Lifecycle.MoveToColdStorageAfterDays === undefined)).toBe(true);
    expect(Object.values(byName).filter((rule) => rule.EnableContinuousBackup === true)).toHaveLength(1);
  });

  test('without continuous backups, only the snapshot tiers given', () => {
    const { template } = build({ continuous: false, hourlyRetentionDays: 7 });
    expect(Object.keys(rules(template))).toEqual(['Hourly']);
  });

  test('copies of the daily tier go to the DR vault, kept their own days', () => {
    const { template } = build({ dailyRetentionDays: 35 });
    expect(rules(template).Daily.CopyActions).toBeUndefined();
    const withCopy = build((dr) => ({ dailyRetentionDays: 35, copyTo: dr, copyRetentionDays: 90 }));
    const byName = rules(withCopy.template);
    expect(byName.Daily.CopyActions).toEqual([
      { DestinationBackupVaultArn: DR_VAULT_ARN, Lifecycle: { DeleteAfterDays: 90 } },
    ]);
    expect(byName.Continuous.CopyActions).toBeUndefined();
  });

  test('the weekly and monthly tiers copy too: on their days they replace the daily job', () => {
    const { template } = build((dr) => ({
      hourlyRetentionDays: 2,
      dailyRetentionDays: 35,
      weeklyRetentionDays: 90,
      monthlyRetentionDays: 365,
      copyTo: dr,
      copyRetentionDays: 35,
    }));
    const byName = rules(template);
    const copy = [{ DestinationBackupVaultArn: DR_VAULT_ARN, Lifecycle: { DeleteAfterDays: 35 } }];
    expect(byName.Daily.CopyActions).toEqual(copy);
    expect(byName.Weekly.CopyActions).toEqual(copy);
    expect(byName.Monthly.CopyActions).toEqual(copy);
    expect(byName.Hourly.CopyActions).toBeUndefined();
    expect(byName.Continuous.CopyActions).toBeUndefined();
  });

  test('copies of the continuous tier may delete the temporary RDS snapshot they go through', () => {
    const { template } = build((dr) => ({ copyTo: dr, copyFromTier: 'continuous', copyRetentionDays: 14 }));
    expect(rules(template).Continuous.CopyActions).toEqual([
      { DestinationBackupVaultArn: DR_VAULT_ARN, Lifecycle: { DeleteAfterDays: 14 } },
    ]);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: [
          {
            Sid: 'DeleteTemporarySnapshotsOfContinuousCopies',
            Effect: 'Allow',
            Action: 'rds:DeleteDBSnapshot',
            Resource: {
              'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:snapshot:awsbackup:*']],
            },
          },
        ],
      },
    });
  });

  test('resources opt in by the tag, their types named by ARN (so the region opt-in cannot skip them), backed up with a role of their own', () => {
    const { stack, plan, template } = build();
    const roleId = stack.getLogicalId(plan.role.node.defaultChild as iam.CfnRole);
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupPlanId: {
        'Fn::GetAtt': [stack.getLogicalId(plan.plan.node.defaultChild as backup.CfnBackupPlan), 'BackupPlanId'],
      },
      BackupSelection: {
        SelectionName: 'shop-prod',
        IamRoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] },
        Resources: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:*']] },
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::*']] },
        ],
        Conditions: { StringEquals: [{ ConditionKey: 'aws:ResourceTag/backup', ConditionValue: 'shop-prod' }] },
      },
    });
    const selection = Object.values(template.findResources('AWS::Backup::BackupSelection'))[0];
    expect(selection.Properties.BackupSelection.ListOfTags).toBeUndefined();
  });

  test('the role trusts AWS Backup without a source condition (Backup sends none) and carries the backup, restore and S3 policies', () => {
    const { template } = build();
    const roles = Object.values(template.findResources('AWS::IAM::Role'));
    expect(roles).toHaveLength(1);
    expect(roles[0].Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'backup.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    const arns = (roles[0].Properties.ManagedPolicyArns as Array<{ 'Fn::Join': [string, unknown[]] }>).map(
      (arn) => arn['Fn::Join'][1][2],
    );
    // The S3 pair lives at the root path, unlike the other two: a wrong path fails the deployment.
    expect(arns).toEqual([
      ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup',
      ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores',
      ':iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup',
      ':iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore',
    ]);
    // No inline policy (compliance packs reject them) and no own statements without continuous copies.
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('failed and expired backup jobs: the sum over the protected resource types in the vault', () => {
    const { stack, plan, vaultId } = build();
    const vaultName = { 'Fn::GetAtt': [vaultId, 'BackupVaultName'] };
    const failed = metricExpression(stack, plan.metricBackupJobsFailed({ period: Duration.hours(1) }));
    expect(failed).toMatchObject({ expression: 'SUM([m1, m2])', label: 'Failed backup jobs', period: 3600 });
    expect(failed.using.m1).toMatchObject({
      namespace: 'AWS/Backup',
      metricName: 'NumberOfBackupJobsFailed',
      statistic: 'Sum',
      dimensions: { ResourceType: 'RDS', BackupVaultName: vaultName },
    });
    expect(stack.resolve(failed.using.m2.dimensions)).toEqual({ ResourceType: 'S3', BackupVaultName: vaultName });
    const expired = metricExpression(stack, plan.metricBackupJobsExpired());
    expect(expired.using.m1.metricName).toBe('NumberOfBackupJobsExpired');
  });

  test("with one protected resource type the metric is that type's own", () => {
    const { plan } = build({ protectedResourceTypes: ['RDS'] });
    const metric = plan.metricBackupJobsFailed() as cloudwatch.Metric;
    expect(metric.dimensions).toMatchObject({ ResourceType: 'RDS' });
  });

  test('failed copy jobs are counted under the source and the destination vault; without copies there are none', () => {
    const copying = build((dr) => ({ copyTo: dr, copyFromTier: 'continuous', copyRetentionDays: 35 }));
    const metric = metricExpression(copying.stack, copying.plan.metricCopyJobsFailed());
    // AWS Backup does not document which vault a copy job's metrics name: both are summed.
    expect(metric.expression).toBe('SUM([m1, m2, m3, m4])');
    const vaultName = { 'Fn::GetAtt': [copying.vaultId, 'BackupVaultName'] };
    expect(Object.values(metric.using).map((m) => [m.metricName, m.dimensions])).toEqual([
      ['NumberOfCopyJobsFailed', { ResourceType: 'RDS', BackupVaultName: vaultName }],
      ['NumberOfCopyJobsFailed', { ResourceType: 'S3', BackupVaultName: vaultName }],
      ['NumberOfCopyJobsFailed', { ResourceType: 'RDS', BackupVaultName: 'shop-prod-dr' }],
      ['NumberOfCopyJobsFailed', { ResourceType: 'S3', BackupVaultName: 'shop-prod-dr' }],
    ]);
    const { plan } = build();
    expect(thrown(() => plan.metricCopyJobsFailed())).toBe(
      'Test/Plan: the plan copies nothing (no copyTo), so it has no copy jobs to measure',
    );
  });

  test('rejects retentions the vault lock would fail every job of, with every other problem', () => {
    expect(
      thrown(() =>
        build({ hourlyRetentionDays: 2, startWindowMinutes: 120, completionWindowMinutes: 180 }, { min: 7, max: 100 }),
      ),
    ).toBe(
      'Test/Plan: 2 invalid props:\n' +
        '  startWindowMinutes: 120 minutes is longer than the hour between two hourly backups: a job that cannot start would still wait when the next one is scheduled; give 60\n' +
        "  hourlyRetentionDays: 2 days is outside the 7 to 100 days the vault's lock accepts: every hourly backup job would fail; keep hourly points within the lock's range",
    );
  });

  test('rejects a copy of the daily tier (the default) in a plan without one, and without retention', () => {
    expect(thrown(() => build((dr) => ({ copyTo: dr })))).toBe(
      'Test/Plan: 2 invalid props:\n' +
        '  copyFromTier: the plan has no daily tier to copy from; copy from a tier it has or give that tier a retention\n' +
        '  copyRetentionDays: no retention: copies need a retention; give a whole number of days from 1 to 36500',
    );
  });

  test('rejects continuous backups kept longer than 35 days', () => {
    expect(thrown(() => build({ continuousRetentionDays: 60 }))).toBe(
      'Test/Plan: continuousRetentionDays: 60 is not a continuous-backup retention; point-in-time restore keeps 1 to 35 whole days',
    );
  });
});
