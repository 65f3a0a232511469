import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as kms from 'aws-cdk-lib/aws-kms';
import { WebDeploymentStrategy, WebService, fargateSizeProblem, type WebServiceProps } from '../../constructs/compute';
import { ValidationError } from '../../constructs/shared';

const AZS = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

class TestStack extends Stack {
  public override get availabilityZones(): string[] {
    return AZS;
  }
}

function build(overrides: Partial<WebServiceProps> = {}) {
  const stack = new TestStack(new App({ builtinCloudFormationValidation: false }), 'Test', {
    env: { account: '123456789012', region: 'eu-west-1' },
  });
  const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: AZS, natGateways: 1 });
  const web = new WebService(stack, 'Web', {
    vpc,
    subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/docker/library/node:22-alpine'),
    name: 'test-web',
    logEncryptionKey: new kms.Key(stack, 'Key'),
    ...overrides,
  });
  return { stack, vpc, web };
}

describe('WebService', () => {
  test('defaults: rolling with circuit breaker and alarm rollback, no test listener, protected load balancer', () => {
    const { stack, web } = build();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        Strategy: 'ROLLING',
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: {
          Enable: true,
          Rollback: true,
          AlarmNames: [{ Ref: 'WebRollbackAlarmsErrorRate1218A494' }, { Ref: 'WebRollbackAlarmsLatency95B105E8' }],
        },
        BakeTimeInMinutes: 10,
        MaximumPercent: 200,
        MinimumHealthyPercent: 100,
      },
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    expect(web.deploymentProbe).toBeUndefined();
    expect(web.protocol).toBe('HTTP');
  });

  test('linear deployments shift in steps and probe through the test listener', () => {
    const { stack, web } = build({
      deploymentStrategy: WebDeploymentStrategy.LINEAR,
      trafficShiftPercent: 20,
      trafficShiftIntervalMinutes: 3,
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        Strategy: 'LINEAR',
        LinearConfiguration: { StepPercent: 20, StepBakeTimeInMinutes: 3 },
      },
    });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    expect(web.deploymentProbe).toBeDefined();
  });

  test('allowHttpFrom admits a peer on the production listener port', () => {
    const { stack, vpc, web } = build();
    const peer = new ec2.SecurityGroup(stack, 'Edge', { vpc });
    web.allowHttpFrom(peer);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      FromPort: 80,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Edge'), 'GroupId'] },
    });
  });

  const invalid: Array<[string, Partial<WebServiceProps>, RegExp]> = [
    [
      'a memory size Fargate does not offer',
      { cpuUnits: 1024, memoryMiB: 1024 },
      /1024 MiB does not fit 1024 CPU units/,
    ],
    ['a CPU size Fargate does not offer', { cpuUnits: 300 }, /300 CPU units is not a Fargate size/],
    ['fewer max than min tasks', { minTasks: 3, maxTasks: 2 }, /need 1 <= minTasks <= maxTasks/],
    ['a Spot share above 100', { spotPercent: 120 }, /spotPercent is 120; give 0 to 100/],
    ['a traffic step of 0', { trafficShiftPercent: 0 }, /trafficShiftPercent is 0/],
    [
      'a schedule Application Auto Scaling cannot read',
      { scheduledCapacity: [{ name: 'Morning', schedule: '0 7 * * *', timeZone: 'UTC', minTasks: 2 }] },
      /scheduledCapacity "Morning" has schedule "0 7 \* \* \*"; use cron\(...\)/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => build(overrides)).toThrow(ValidationError);
    expect(() => build(overrides)).toThrow(message);
  });

  test('Fargate sizes: 256 CPU units take 512, 1024 or 2048 MiB; larger sizes 1024 MiB steps', () => {
    expect(fargateSizeProblem(256, 512)).toBeUndefined();
    expect(fargateSizeProblem(256, 1536)).toMatch(/512, 1024 or 2048 MiB/);
    expect(fargateSizeProblem(2048, 6144)).toBeUndefined();
    expect(fargateSizeProblem(2048, 6000)).toMatch(/4096 to 16384 MiB in 1024 MiB steps/);
  });
});
