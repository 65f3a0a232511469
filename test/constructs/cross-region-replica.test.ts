import { Template } from 'aws-cdk-lib/assertions';
import { postgresParameters, type CrossRegionReplicaProps } from '../../constructs/data';
import { testStandbyReplica } from '../support/builders';
import { thrown } from '../support/test-stack';

/** A replica in eu-central-1 of `shop-prod-primary` in eu-west-1, with `overrides`. */
function build(overrides: Partial<CrossRegionReplicaProps> = {}) {
  const { stack, replica } = testStandbyReplica(overrides);
  return { stack, replica, template: Template.fromStack(stack) };
}

function instance(template: Template) {
  const instances = Object.values(template.findResources('AWS::RDS::DBInstance'));
  expect(instances).toHaveLength(1);
  return instances[0] as { Properties: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string };
}

describe('CrossRegionReplica', () => {
  test('names its source by the ARN in the source region and sets SourceRegion (aws/aws-cdk#28998)', () => {
    const { template, replica } = build();
    const props = instance(template).Properties;
    expect(props.SourceDBInstanceIdentifier).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':rds:eu-west-1:123456789012:db:shop-prod-primary']],
    });
    expect(props.SourceRegion).toBe('eu-west-1');
    expect(props.DBInstanceIdentifier).toBe('shop-prod-standby');
    expect(replica.sourceInstanceArn).toContain(':rds:eu-west-1:');
  });

  test('encrypted with a key of its own region, without StorageEncrypted (refused next to a source)', () => {
    const { template, stack } = build();
    const props = instance(template).Properties;
    const keyId = Object.keys(template.findResources('AWS::KMS::Key')).find((id) => id.startsWith('StorageKey'));
    expect(props.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(props.StorageEncrypted).toBeUndefined();
    expect(stack.region).toBe('eu-central-1');
  });

  test("its own parameter group carries the source's parameters: TLS only, slow statements logged", () => {
    const { template } = build({ slowStatementThresholdMs: 250 });
    template.hasResourceProperties('AWS::RDS::DBParameterGroup', {
      Family: 'postgres17',
      Parameters: { ...postgresParameters(250), 'rds.force_ssl': '1', log_min_duration_statement: '250' },
    });
    const groupId = Object.keys(template.findResources('AWS::RDS::DBParameterGroup'))[0];
    expect(instance(template).Properties.DBParameterGroupName).toEqual({ Ref: groupId });
  });

  test('its log groups exist, encrypted, before the instance exports to them, and go with it', () => {
    const { template } = build();
    const groups = template.findResources('AWS::Logs::LogGroup');
    const names = Object.values(groups).map((g) => g.Properties.LogGroupName);
    expect(names.sort()).toEqual([
      '/aws/rds/instance/shop-prod-standby/postgresql',
      '/aws/rds/instance/shop-prod-standby/upgrade',
    ]);
    for (const group of Object.values(groups)) {
      expect(group.Properties.KmsKeyId).toBeDefined();
      expect(group.DeletionPolicy).toBe('Delete');
    }
    const replica = instance(template);
    expect(replica.Properties.EnableCloudwatchLogsExports).toEqual(['postgresql', 'upgrade']);
    expect([...(replica.DependsOn ?? [])].sort()).toEqual(Object.keys(groups).sort());
  });

  test('deletion protection on and kept with the stack by default (promoted by hand, it is the database)', () => {
    expect(instance(build().template).Properties.DeletionProtection).toBe(true);
    expect(instance(build().template).DeletionPolicy).toBe('RetainExceptOnCreate');
    expect(instance(build({ deletionProtection: false }).template).Properties.DeletionProtection).toBe(false);
  });

  test('nobody may connect until allowed, and the security group sends nothing', () => {
    const { template, replica } = build();
    const groups = Object.values(template.findResources('AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0]?.Properties.SecurityGroupIngress).toBeUndefined();
    expect(groups[0]?.Properties.SecurityGroupEgress).toHaveLength(1);
    expect(groups[0]?.Properties.SecurityGroupEgress[0].CidrIp).toBe('255.255.255.255/32');
    expect(replica.connections.securityGroups).toHaveLength(1);
    expect(instance(template).Properties.PubliclyAccessible).toBe(false);
  });

  test('enhanced monitoring only when asked, with a role only RDS monitoring of this account assumes', () => {
    expect(instance(build().template).Properties.MonitoringInterval).toBeUndefined();
    const { template } = build({ monitoringIntervalSeconds: 60 });
    expect(instance(template).Properties.MonitoringInterval).toBe(60);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: { Service: 'monitoring.rds.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
  });

  test('replica lag: the maximum per minute of ReplicaLag of this instance', () => {
    const { replica, stack } = build();
    const metric = replica.metricReplicaLag();
    expect(metric.metricName).toBe('ReplicaLag');
    expect(metric.statistic).toBe('Maximum');
    expect(metric.period.toMinutes()).toBe(1);
    expect(stack.resolve(metric.dimensions)).toEqual({ DBInstanceIdentifier: expect.anything() });
  });

  test('every problem at once: same region, bad identifier, storage ceiling, monitoring interval', () => {
    const message = thrown(() =>
      build({
        sourceRegion: 'eu-central-1',
        instanceIdentifier: 'Shop--standby',
        maxAllocatedStorageGiB: 10,
        monitoringIntervalSeconds: 7,
      }),
    );
    expect(message).toContain('sourceRegion: the replica');
    expect(message).toContain('instanceIdentifier: "Shop--standby" is not an RDS instance identifier');
    expect(message).toContain('maxAllocatedStorageGiB: 10 GiB is not a storage ceiling RDS accepts');
    expect(message).toContain('monitoringIntervalSeconds: 7 is not an interval RDS accepts');
  });
});
