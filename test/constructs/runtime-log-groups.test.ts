import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SecureBucket } from '../../constructs/data';
import { Network } from '../../constructs/network';
import { testDatabase, testWebService } from '../support/builders';
import { TEST_AZS, testStack, thrown } from '../support/test-stack';

/**
 * Log groups services would create at run time (unencrypted, kept forever) are made by the
 * constructs first, and whatever first runs waits for them.
 */

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] }>;

function resourcesOf(stack: Stack): Resources {
  return Template.fromStack(stack).toJSON().Resources as Resources;
}

function idOf(resources: Resources, predicate: (id: string, type: string) => boolean): string {
  const ids = Object.entries(resources)
    .filter(([id, r]) => predicate(id, r.Type))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0] as string;
}

describe('log groups made before the service would make them', () => {
  test("Network: the default-security-group function's group, named after it, encrypted, before its custom resource", () => {
    const stack = testStack();
    const network = new Network(stack, 'Network', {
      vpcCidr: '10.50.0.0/16',
      availabilityZones: [...TEST_AZS],
      publicSubnetCidrs: ['10.50.0.0/24', '10.50.1.0/24', '10.50.2.0/24'],
      applicationSubnetCidrs: ['10.50.16.0/20', '10.50.32.0/20', '10.50.48.0/20'],
      databaseSubnetCidrs: ['10.50.64.0/24', '10.50.65.0/24', '10.50.66.0/24'],
    });
    const resources = resourcesOf(stack);
    const handler = idOf(resources, (id, type) => type === 'AWS::Lambda::Function' && id.includes('RestrictDefaultSG'));
    const group = idOf(resources, (id, type) => type === 'AWS::Logs::LogGroup' && id.includes('OwnedLogs'));
    expect(resources[group]?.Properties).toEqual({
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/', { Ref: handler }]] },
      KmsKeyId: { 'Fn::GetAtt': [stack.getLogicalId(network.flowLogKey.node.defaultChild as kms.CfnKey), 'Arn'] },
      RetentionInDays: 365,
    });
    const customResource = idOf(resources, (_, type) => type === 'Custom::VpcRestrictDefaultSG');
    expect(resources[customResource]?.DependsOn).toContain(group);
  });

  test('SecureBucket: a bucket destroyed with its stack owns the auto-delete function group, shared by all buckets', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'LogKey');
    new SecureBucket(stack, 'A', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteLogEncryptionKey: key });
    new SecureBucket(stack, 'B', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteLogEncryptionKey: key });
    const resources = resourcesOf(stack);
    const group = idOf(resources, (id, type) => type === 'AWS::Logs::LogGroup' && id.includes('AutoDelete'));
    const invokers = Object.values(resources).filter((r) => r.Type === 'Custom::S3AutoDeleteObjects');
    expect(invokers).toHaveLength(2);
    for (const invoker of invokers) expect(invoker.DependsOn).toContain(group);
    expect(resources[group]?.Properties?.KmsKeyId).toBeDefined();
  });

  test('SecureBucket: destroyed with its stack but no key for that group is refused, with the fix', () => {
    expect(thrown(() => new SecureBucket(testStack(), 'A', { removalPolicy: RemovalPolicy.DESTROY }))).toMatch(
      /autoDeleteLogEncryptionKey: .*give one that CloudWatch Logs may use/,
    );
  });

  test("WebService: the cluster has a fixed name and waits for Container Insights' performance group", () => {
    const { stack } = testWebService();
    const resources = resourcesOf(stack);
    const cluster = idOf(resources, (_, type) => type === 'AWS::ECS::Cluster');
    expect(resources[cluster]?.Properties?.ClusterName).toBe('test-web');
    const group = groupNamed(resources, '/aws/ecs/containerinsights/test-web/performance');
    expect(resources[group]?.Properties?.KmsKeyId).toBeDefined();
    expect(resources[group]?.Properties?.RetentionInDays).toBe(365);
    expect(resources[cluster]?.DependsOn).toContain(group);
  });

  test('PostgresDatabase: the rotation function group, named after it, encrypted, before the rotation schedule', () => {
    const { stack } = testDatabase();
    const resources = resourcesOf(stack);
    const schedule = idOf(resources, (_, type) => type === 'AWS::SecretsManager::RotationSchedule');
    const name = (resources[schedule]?.Properties?.HostedRotationLambda as { RotationLambdaName: string })
      .RotationLambdaName;
    const group = groupNamed(resources, `/aws/lambda/${name}`);
    expect(resources[group]?.Properties?.KmsKeyId).toBeDefined();
    expect(resources[schedule]?.DependsOn).toContain(group);
  });
});

function groupNamed(resources: Resources, name: string): string {
  return idOf(
    resources,
    (id, type) => type === 'AWS::Logs::LogGroup' && resources[id]?.Properties?.LogGroupName === name,
  );
}
