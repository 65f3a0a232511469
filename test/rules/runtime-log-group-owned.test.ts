import { CfnResource, CustomResource, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { SecureBucket } from '../../constructs/data';
import { testFixture } from '../support/test-stack';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'RuntimeLogGroupOwned';

function fn(stack: ReturnType<typeof ruleStack>, id: string, props: Partial<lambda.FunctionProps> = {}) {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {}'),
    ...props,
  });
}

describe('DeployReadiness-RuntimeLogGroupOwned', () => {
  test('flags a function whose log group Lambda would create, accepts one with LoggingConfig', () => {
    const stack = ruleStack();
    fn(stack, 'Bare');
    fn(stack, 'Owned', { logGroup: new logs.LogGroup(stack, 'OwnedLogs') });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([`DeployReadiness-${RULE}`]);
  });

  test('a named group of a provider function counts only when the custom resources it serves wait for it', () => {
    const build = (wait: boolean) => {
      const stack = ruleStack();
      const handler = fn(stack, 'Provider');
      const group = new logs.LogGroup(stack, 'ProviderLogs', {
        logGroupName: Fn.join('', ['/aws/lambda/', handler.functionName]),
      });
      const resource = new CustomResource(stack, 'Invoker', { serviceToken: handler.functionArn });
      if (wait) resource.node.addDependency(group);
      return idsOf(deployReadinessFindings(stack), RULE);
    };
    expect(build(false)).toEqual([`DeployReadiness-${RULE}`]);
    expect(build(true)).toEqual([]);
  });

  test("aws-cdk-lib's auto-delete provider is flagged until SecureBucket owns its group", () => {
    const bare = ruleStack();
    new s3.Bucket(bare, 'Plain', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    expect(idsOf(deployReadinessFindings(bare), RULE)).toEqual([`DeployReadiness-${RULE}`]);

    const owned = ruleStack();
    new SecureBucket(owned, 'Secure', {
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteLogEncryptionKey: new kms.Key(owned, 'Key'),
    });
    expect(idsOf(deployReadinessFindings(owned), RULE)).toEqual([]);
  });

  test('a hosted rotation needs a group named after its function that the schedule waits for', () => {
    const build = (options: { group: boolean; wait: boolean; named: boolean }) => {
      const stack = ruleStack();
      const schedule = new CfnResource(stack, 'Schedule', {
        type: 'AWS::SecretsManager::RotationSchedule',
        properties: {
          SecretId: 'secret',
          HostedRotationLambda: {
            RotationType: 'PostgreSQLSingleUser',
            ...(options.named && { RotationLambdaName: 'app-rotation' }),
          },
        },
      });
      if (options.group) {
        const group = new logs.CfnLogGroup(stack, 'RotationLogs', { logGroupName: '/aws/lambda/app-rotation' });
        if (options.wait) schedule.addDependency(group);
      }
      return idsOf(deployReadinessFindings(stack), RULE);
    };
    expect(build({ group: false, wait: false, named: true })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ group: true, wait: false, named: true })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ group: true, wait: true, named: false })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ group: true, wait: true, named: true })).toEqual([]);
  });

  test('Container Insights needs a named cluster that waits for its performance group', () => {
    const build = (options: { name?: string; group?: string; insights?: boolean }) => {
      const { stack, vpc } = testFixture();
      const cluster = new ecs.Cluster(stack, 'Cluster', {
        vpc,
        clusterName: options.name,
        containerInsightsV2:
          options.insights === false ? ecs.ContainerInsights.DISABLED : ecs.ContainerInsights.ENHANCED,
      });
      if (options.group !== undefined) {
        cluster.node.addDependency(new logs.LogGroup(stack, 'Insights', { logGroupName: options.group }));
      }
      return idsOf(deployReadinessFindings(stack), RULE, 'Test/Cluster');
    };
    expect(build({})).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ name: 'web', group: '/aws/ecs/containerinsights/other/performance' })).toEqual([
      `DeployReadiness-${RULE}`,
    ]);
    expect(build({ name: 'web', group: '/aws/ecs/containerinsights/web/performance' })).toEqual([]);
    expect(build({ insights: false })).toEqual([]);
  });

  test('a canary must start stopped, have its cwsyn group, and a starter that waits for the group', () => {
    const build = (options: { start: boolean; group: boolean; starter?: boolean }) => {
      const stack = ruleStack();
      const canary = new CfnResource(stack, 'Canary', {
        type: 'AWS::Synthetics::Canary',
        properties: {
          Name: 'site',
          StartCanaryAfterCreation: options.start,
          RuntimeVersion: 'syn-nodejs-puppeteer-13.0',
          ArtifactS3Location: 's3://bucket',
          ExecutionRoleArn: 'arn:aws:iam::123456789012:role/canary',
          Schedule: { Expression: 'rate(5 minutes)' },
          Code: { Handler: 'index.handler', Script: 'x' },
        },
      });
      if (options.group) {
        const group = new logs.CfnLogGroup(stack, 'CanaryLogs', {
          logGroupName: Fn.join('', ['/aws/lambda/cwsyn-site-', canary.getAtt('Id').toString()]),
        });
        if (options.starter) {
          new CfnResource(stack, 'Starter', {
            type: 'Custom::Starter',
            properties: { ServiceToken: 'arn', Name: canary.ref },
          }).addDependency(group);
        }
      }
      return idsOf(deployReadinessFindings(stack), RULE);
    };
    expect(build({ start: true, group: true, starter: true })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ start: false, group: false })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ start: false, group: true, starter: false })).toEqual([`DeployReadiness-${RULE}`]);
    expect(build({ start: false, group: true, starter: true })).toEqual([]);
  });
});
