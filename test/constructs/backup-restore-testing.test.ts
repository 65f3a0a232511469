import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as rds from 'aws-cdk-lib/aws-rds';
import { BackupVault, RestoreTesting, type RestoreTestingProps } from '../../constructs/backup';
import type { IConstruct } from 'constructs';
import { testFixture, thrown } from '../support/test-stack';

function build(
  overrides: (parts: { databases: rds.IDatabaseInstance[] }) => Partial<RestoreTestingProps> = () => ({}),
) {
  const { stack, vpc } = testFixture();
  const vault = new BackupVault(stack, 'Vault', { vaultName: 'shop-prod' });
  const isolated = new ec2.SecurityGroup(stack, 'Isolated', { vpc, allowAllOutbound: false });
  const subnetGroup = new rds.SubnetGroup(stack, 'Subnets', {
    vpc,
    description: 'restore tests',
    vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
  });
  const databases = [1, 2].map((n) =>
    rds.DatabaseInstance.fromDatabaseInstanceAttributes(stack, `Db${n}`, {
      instanceIdentifier: `shop-prod-${n}`,
      instanceEndpointAddress: `db${n}.example.com`,
      port: 5432,
      securityGroups: [],
    }),
  );
  const testing = new RestoreTesting(stack, 'RestoreTests', {
    name: 'shop_prod',
    vault: vault.vault,
    subnetGroup,
    isolatedSecurityGroup: isolated,
    selectionTag: { key: 'backup', value: 'shop-prod' },
    ...overrides({ databases }),
  });
  return {
    stack,
    testing,
    template: Template.fromStack(stack),
    vaultId: logicalId(vault.vault),
    isolatedId: logicalId(isolated),
    subnetGroupId: logicalId(subnetGroup),
  };
}

/** The logical ID of a construct's main resource. */
function logicalId(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** The only restore testing selection's properties. */
function selection(template: Template) {
  const selections = Object.values(template.findResources('AWS::Backup::RestoreTestingSelection'));
  expect(selections).toHaveLength(1);
  return selections[0];
}

describe('RestoreTesting', () => {
  test('a weekly plan restoring the latest recovery point (continuous or snapshot) of the last week from the vault', () => {
    const { template, vaultId } = build();
    const plans = Object.values(template.findResources('AWS::Backup::RestoreTestingPlan'));
    expect(plans).toHaveLength(1);
    expect(plans[0].Properties).toEqual({
      RestoreTestingPlanName: 'shop_prod',
      ScheduleExpression: 'cron(0 5 ? * MON *)',
      StartWindowHours: 24,
      RecoveryPointSelection: {
        Algorithm: 'LATEST_WITHIN_WINDOW',
        IncludeVaults: [{ 'Fn::GetAtt': [vaultId, 'BackupVaultArn'] }],
        RecoveryPointTypes: ['CONTINUOUS', 'SNAPSHOT'],
        SelectionWindowDays: 7,
      },
    });
  });

  test('schedule, windows and recovery point choice are props', () => {
    const { template } = build(() => ({
      schedule: events.Schedule.cron({ minute: '30', hour: '2', day: '1' }),
      startWindowHours: 4,
      selectionWindowDays: 30,
      algorithm: 'RANDOM_WITHIN_WINDOW',
      includeContinuous: false,
    }));
    template.hasResourceProperties('AWS::Backup::RestoreTestingPlan', {
      ScheduleExpression: 'cron(30 2 1 * ? *)',
      StartWindowHours: 4,
      RecoveryPointSelection: {
        Algorithm: 'RANDOM_WITHIN_WINDOW',
        RecoveryPointTypes: ['SNAPSHOT'],
        SelectionWindowDays: 30,
      },
    });
  });

  test('RDS instances whose recovery points carry the tag, restored into the isolated subnets and security group', () => {
    const { stack, testing, template, isolatedId, subnetGroupId } = build();
    const resource = selection(template);
    expect(resource.Properties).toEqual({
      RestoreTestingPlanName: { Ref: stack.getLogicalId(testing.plan) },
      RestoreTestingSelectionName: 'RdsInstances',
      ProtectedResourceType: 'RDS',
      IamRoleArn: { 'Fn::GetAtt': [logicalId(testing.role), 'Arn'] },
      // Tag conditions go with the wildcard, and the key with its aws:ResourceTag/ prefix.
      ProtectedResourceArns: ['*'],
      ProtectedResourceConditions: { StringEquals: [{ Key: 'aws:ResourceTag/backup', Value: 'shop-prod' }] },
      RestoreMetadataOverrides: {
        dbSubnetGroupName: { Ref: subnetGroupId },
        // A list override is a JSON array inside a string.
        vpcSecurityGroupIds: { 'Fn::Join': ['', ['["', { 'Fn::GetAtt': [isolatedId, 'GroupId'] }, '"]']] },
      },
    });
    // The role (its managed policies are its own property) exists before AWS Backup may run a
    // restore with it: the selection names it by ARN; no redundant DependsOn (cfn-lint W3005).
    expect(resource.Properties.IamRoleArn).toEqual({ 'Fn::GetAtt': [logicalId(testing.role), 'Arn'] });
    expect(resource.DependsOn).toBeUndefined();
  });

  test('named databases instead of a tag; a smaller instance class; a validation window', () => {
    const { template } = build(({ databases }) => ({
      selectionTag: undefined,
      databases,
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      validationWindowHours: 4,
    }));
    const { Properties: properties } = selection(template);
    expect(properties.ProtectedResourceConditions).toBeUndefined();
    expect(properties.ProtectedResourceArns).toEqual(
      [1, 2].map((n) => ({
        'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:rds:eu-west-1:123456789012:db:shop-prod-${n}`]],
      })),
    );
    expect(properties.RestoreMetadataOverrides.dbInstanceClass).toBe('db.t4g.micro');
    expect(properties.ValidationWindowHours).toBe(4);
  });

  test('restores with a role trusting AWS Backup (no source condition: Backup sends none), carrying the restore policy alone', () => {
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
    expect(roles[0].Properties.ManagedPolicyArns).toEqual([
      {
        'Fn::Join': [
          '',
          ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores'],
        ],
      },
    ]);
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });

  test('rejects a name with hyphens, a rate schedule and both a tag and databases, all at once', () => {
    expect(
      thrown(() =>
        build(({ databases }) => ({
          name: 'shop-prod',
          schedule: events.Schedule.rate(Duration.days(7)),
          databases,
        })),
      ),
    ).toBe(
      'Test/RestoreTests: 3 invalid props:\n' +
        '  name: "shop-prod" is not a restore testing plan name; use 1 to 50 letters, digits or underscores (no hyphens)\n' +
        '  schedule: "rate(7 days)": restore testing runs on cron expressions only; give events.Schedule.cron(...)\n' +
        '  databases: a selection takes either a tag or databases, not both (AWS Backup rejects both); give one',
    );
  });

  test('rejects a validation window beyond a week', () => {
    expect(thrown(() => build(() => ({ validationWindowHours: 200 })))).toBe(
      'Test/RestoreTests: validationWindowHours: 200 is not a validation window; give a whole number of hours from 1 to 168, or leave it out to delete restored databases at once',
    );
  });
});
