import { CfnParameter, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { WebDeploymentStrategy, fargateSizeProblem, type WebServiceProps } from '../../constructs/compute';
import { ValidationError } from '../../constructs/shared';
import { testWebService } from '../support/builders';

describe('WebService', () => {
  test('defaults: rolling with circuit breaker and alarm rollback, no test listener, protected load balancer', () => {
    const { stack, web } = testWebService();
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
    const { stack, web } = testWebService({
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

  /** The service's DependsOn, and the logical IDs of what it must wait for, in a service built with `props`. */
  function serviceWaits(props: Partial<WebServiceProps>) {
    const t = Template.fromStack(testWebService(props).stack);
    const policy = (prefix: string) =>
      Object.keys(t.findResources('AWS::IAM::ManagedPolicy')).find((id) => id.startsWith(prefix));
    const [service] = Object.values(t.findResources('AWS::ECS::Service'));
    return {
      dependsOn: service?.DependsOn as string[],
      association: Object.keys(t.findResources('AWS::ECS::ClusterCapacityProviderAssociations'))[0],
      executionPolicy: policy('WebExecutionRolePolicy'),
      invokePolicy: policy('WebDeploymentProbeInvokeRolePolicy'),
    };
  }

  test('the service waits for the capacity-provider association and the execution role policy (first create)', () => {
    const { dependsOn, association, executionPolicy } = serviceWaits({});
    expect(association).toEqual(expect.any(String));
    expect(executionPolicy).toEqual(expect.any(String));
    expect(dependsOn).toEqual(expect.arrayContaining([association, executionPolicy]));
  });

  test('with a lifecycle hook, the service also waits for the policy of the role ECS invokes it with', () => {
    const { dependsOn, invokePolicy } = serviceWaits({ deploymentStrategy: WebDeploymentStrategy.BLUE_GREEN });
    expect(invokePolicy).toEqual(expect.any(String));
    expect(dependsOn).toContain(invokePolicy);
  });

  test('allowHttpFrom admits a peer on the production listener port', () => {
    const { stack, vpc, web } = testWebService();
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
      /Web: memoryMiB: 1024 MiB does not fit 1024 CPU units/,
    ],
    ['a CPU size Fargate does not offer', { cpuUnits: 300 }, /Web: cpuUnits: 300 CPU units is not a Fargate size/],
    ['fewer max than min tasks', { minTasks: 3, maxTasks: 2 }, /Web: maxTasks: 2 is below minTasks \(3\)/],
    ['no tasks at all', { minTasks: 0 }, /Web: minTasks: 0 must be a whole number of at least 1/],
    ['a Spot share above 100', { spotPercent: 120 }, /Web: spotPercent: 120 is not a whole number from 0 to 100/],
    ['a traffic step of 0', { trafficShiftPercent: 0 }, /Web: trafficShiftPercent: 0% is not from 0.1 to 100/],
    [
      'a linear step below 3 %',
      { deploymentStrategy: WebDeploymentStrategy.LINEAR, trafficShiftPercent: 2 },
      /Web: trafficShiftPercent: 2% is below the 3% minimum step of a linear deployment/,
    ],
    [
      'a schedule Application Auto Scaling cannot read',
      { scheduledCapacity: [{ name: 'Morning', schedule: '0 7 * * *', timeZone: 'UTC', minTasks: 2 }] },
      /Web: scheduledCapacity\[0\]\.schedule: "0 7 \* \* \*" \(Morning\) is not a schedule .* use cron\(...\)/,
    ],
    [
      'a scheduled floor above the ceiling',
      {
        maxTasks: 4,
        scheduledCapacity: [{ name: 'Peak', schedule: 'cron(0 7 * * ? *)', timeZone: 'UTC', minTasks: 5 }],
      },
      /Web: scheduledCapacity\[0\]\.minTasks: 5 exceeds the upper bound \(4\)/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => testWebService(overrides)).toThrow(ValidationError);
    expect(() => testWebService(overrides)).toThrow(message);
  });

  test('reports every invalid prop in one error', () => {
    expect(() => testWebService({ cpuUnits: 1024, memoryMiB: 1024, spotPercent: 120 })).toThrow(
      /Web: 2 invalid props:\n {2}memoryMiB: 1024 MiB does not fit 1024 CPU units.*\n {2}spotPercent: 120 is not/,
    );
  });

  test('skips a bound that is a token instead of rejecting it', () => {
    const { stack } = testWebService((scope) => ({
      minTasks: 3,
      maxTasks: new CfnParameter(scope, 'MaxTasks', { type: 'Number' }).valueAsNumber,
    }));
    Template.fromStack(stack).hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
      MinCapacity: 3,
      MaxCapacity: { Ref: 'MaxTasks' },
    });
  });

  test('Fargate sizes: 256 CPU units take 512, 1024 or 2048 MiB; larger sizes 1024 MiB steps', () => {
    expect(fargateSizeProblem(256, 512)).toBeUndefined();
    expect(fargateSizeProblem(256, 1536)).toMatch(/512, 1024 or 2048 MiB/);
    expect(fargateSizeProblem(2048, 6144)).toBeUndefined();
    expect(fargateSizeProblem(2048, 6000)).toMatch(/4096 to 16384 MiB in 1024 MiB steps/);
  });
});

describe('WebService egress', () => {
  /** The tasks' egress, as `<destination>:<port> <description>`, from both inline and standalone rules. */
  function egress(t: Template): string[] {
    const group = Object.entries(t.findResources('AWS::EC2::SecurityGroup')).find(([id]) =>
      id.startsWith('WebServiceSecurityGroup'),
    );
    const [groupId, resource] = group ?? [];
    const inline = (resource?.Properties.SecurityGroupEgress ?? []) as Array<Record<string, unknown>>;
    const standalone = Object.values(t.findResources('AWS::EC2::SecurityGroupEgress'))
      .map((rule) => rule.Properties as Record<string, unknown>)
      .filter((rule) => JSON.stringify(rule.GroupId).includes(`"${groupId}"`));
    return [...inline, ...standalone].map((rule) => {
      const destination =
        rule.CidrIp ?? rule.DestinationPrefixListId ?? JSON.stringify(rule.DestinationSecurityGroupId);
      return `${String(destination)}:${String(rule.FromPort)} ${String(rule.Description)}`;
    });
  }

  /** The tracing sidecar's image, as the template has it. */
  function collectorImage(t: Template): string {
    const [definition] = Object.values(t.findResources('AWS::ECS::TaskDefinition'));
    const containers = definition?.Properties.ContainerDefinitions as Array<{ Name: string; Image: unknown }>;
    return JSON.stringify(containers.find((c) => c.Name === 'otel-collector')?.Image);
  }

  const endpointPeers = (stack: Stack, vpc: ec2.IVpc): ec2.IPeer[] => [
    new ec2.SecurityGroup(stack, 'Endpoints', { vpc }),
    ec2.Peer.prefixList('pl-6da54004'),
  ];

  test('without AWS API peers, HTTPS goes to the internet and the collector comes from ECR Public', () => {
    const t = Template.fromStack(testWebService({ tracing: true }).stack);
    expect(egress(t)).toEqual(['0.0.0.0/0:443 AWS APIs over HTTPS']);
    expect(collectorImage(t)).toContain('public.ecr.aws/aws-observability/aws-otel-collector');
  });

  test('with AWS API peers, HTTPS goes only to them and the collector is copied into the asset repository', () => {
    const t = Template.fromStack(
      testWebService((stack) => ({
        tracing: true,
        awsApiPeers: endpointPeers(stack, stack.node.findChild('Vpc') as ec2.IVpc),
      })).stack,
    );
    expect(egress(t).sort()).toEqual([
      'pl-6da54004:443 AWS APIs over HTTPS, through VPC endpoints',
      expect.stringMatching(
        /^\{"Fn::GetAtt":\["Endpoints[0-9A-F]+","GroupId"\]\}:443 AWS APIs over HTTPS, through VPC/,
      ),
    ]);
    expect(collectorImage(t)).toContain('container-assets');
    expect(collectorImage(t)).not.toContain('public.ecr.aws');
  });

  test('internetEgress adds HTTPS to the internet for external APIs', () => {
    const t = Template.fromStack(
      testWebService((stack) => ({
        tracing: true,
        internetEgress: true,
        awsApiPeers: endpointPeers(stack, stack.node.findChild('Vpc') as ec2.IVpc),
      })).stack,
    );
    expect(egress(t)).toContain('0.0.0.0/0:443 External APIs over HTTPS');
    expect(egress(t)).toHaveLength(3);
    expect(collectorImage(t)).toContain('public.ecr.aws');
  });

  test('no egress at all is refused: no task could start', () => {
    expect(() => testWebService({ internetEgress: false })).toThrow(ValidationError);
    expect(() => testWebService({ internetEgress: false })).toThrow(
      /internetEgress: false without awsApiPeers leaves the tasks no way to ECR/,
    );
  });
});
