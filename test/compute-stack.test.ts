import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { loadConfigs } from '../lib/config-loader';
import { ENVIRONMENTS, synthesized, template, templateJson } from './support/synth';

const configs = loadConfigs({ context: () => undefined, env: {} });

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };

function resources(environment: 'dev' | 'staging' | 'prod', type: string): Array<[string, Resource]> {
  return Object.entries(templateJson(environment, 'Compute').Resources as Record<string, Resource>).filter(
    ([, r]) => r.Type === type,
  );
}

const STRATEGIES = { rolling: 'ROLLING', 'blue-green': 'BLUE_GREEN', canary: 'CANARY', linear: 'LINEAR' } as const;

describe.each(ENVIRONMENTS)('%s compute stack', (environment) => {
  const config = configs[environment];
  const { compute } = config;
  const t = template(environment, 'Compute');
  const service = resources(environment, 'AWS::ECS::Service')[0]?.[1].Properties ?? {};
  const taskDefinition = resources(environment, 'AWS::ECS::TaskDefinition')[0]?.[1].Properties ?? {};
  const web = (taskDefinition.ContainerDefinitions as any[]).find((c) => c.Name === 'web');
  const shifting = compute.deployment.strategy !== 'rolling';

  describe('image repository', () => {
    test('immutable tags, scan on push, a bounded number of images, in a stack of its own', () => {
      template(environment, 'Registry').hasResourceProperties('AWS::ECR::Repository', {
        RepositoryName: `learning-assistant/${environment}/web`,
        ImageTagMutability: 'IMMUTABLE',
        ImageScanningConfiguration: { ScanOnPush: true },
        LifecyclePolicy: {
          LifecyclePolicyText: Match.serializedJson(
            Match.objectLike({
              rules: [
                Match.objectLike({
                  selection: Match.objectLike({
                    countType: 'imageCountMoreThan',
                    countNumber: compute.repositoryMaxImages,
                  }),
                }),
              ],
            }),
          ),
        },
      });
    });

    test(`the image comes from ${compute.image.source === 'asset' ? 'app/, built at deploy time' : 'the repository'}`, () => {
      const image = JSON.stringify(web.Image);
      if (compute.image.source === 'asset') {
        expect(image).toContain('cdk-hnb659fds-container-assets');
      } else {
        expect(image).toContain(`:${compute.image.tag}`);
        expect(image).toContain(`${config.account}.dkr.ecr.${config.region}.`);
        expect(image).toContain(`/learning-assistant/${environment}/web:`);
      }
    });
  });

  describe('service', () => {
    test('Fargate on ARM64 in the application tier, no public IP', () => {
      expect(taskDefinition.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
      expect(taskDefinition).toMatchObject({ Cpu: String(compute.cpuUnits), Memory: String(compute.memoryMiB) });
      expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
      for (const subnet of service.NetworkConfiguration.AwsvpcConfiguration.Subnets) {
        expect(JSON.stringify(subnet)).toMatch(/NetworkApplicationSubnet\dSubnet/);
      }
    });

    test(`capacity: ${compute.spotPercent}% on Fargate Spot`, () => {
      const strategy = service.CapacityProviderStrategy as Array<{ CapacityProvider: string; Weight: number }>;
      const weights = Object.fromEntries(strategy.map((s) => [s.CapacityProvider, s.Weight]));
      expect(weights.FARGATE_SPOT ?? 0).toBe(compute.spotPercent);
      expect(weights.FARGATE ?? 0).toBe(100 - compute.spotPercent);
    });

    test('container: port 3000, health check, read-only root, non-root user, scratch volumes, memory limit', () => {
      expect(web).toMatchObject({
        PortMappings: [{ ContainerPort: 3000, Protocol: 'tcp' }],
        ReadonlyRootFilesystem: true,
        User: '1001:1001',
        Memory: expect.any(Number),
        HealthCheck: { Command: expect.arrayContaining(['CMD', 'node']) },
        MountPoints: [
          { ContainerPath: '/tmp', SourceVolume: 'tmp', ReadOnly: false },
          { ContainerPath: '/app/.next/cache', SourceVolume: 'next-cache', ReadOnly: false },
          // ECS Exec's agent needs these under a read-only root file system.
          { ContainerPath: '/managed-agents', SourceVolume: 'ssm-agents', ReadOnly: false },
          { ContainerPath: '/var/lib/amazon/ssm', SourceVolume: 'ssm-state', ReadOnly: false },
          { ContainerPath: '/var/log/amazon/ssm', SourceVolume: 'ssm-logs', ReadOnly: false },
        ],
        LogConfiguration: { LogDriver: 'awslogs' },
      });
    });

    test('secrets are injected from Secrets Manager, never written as environment variables', () => {
      expect((web.Secrets as Array<{ Name: string }>).map((s) => s.Name).sort()).toEqual([
        'CACHE_PASSWORD',
        'CACHE_USER',
        'DB_PASSWORD',
        'DB_USER',
      ]);
      const names = (web.Environment as Array<{ Name: string }>).map((e) => e.Name);
      expect(names).toEqual(
        expect.arrayContaining(['DB_WRITER_HOST', 'DB_READER_HOST', 'DB_PORT', 'CACHE_HOST', 'UPLOADS_BUCKET']),
      );
      expect(names.filter((n) => /PASSWORD|SECRET|TOKEN/.test(n))).toEqual([]);
      expect(JSON.stringify(web.Environment)).not.toContain('resolve:secretsmanager');
    });

    test('logs go to a log group encrypted with the logs key, with the configured retention', () => {
      for (const [, group] of resources(environment, 'AWS::Logs::LogGroup')) {
        expect(JSON.stringify(group.Properties?.KmsKeyId)).toContain('KeysLogs');
        expect(group.Properties?.RetentionInDays).toBe(config.logRetentionDays);
      }
    });

    test('cluster: Container Insights (enhanced) and ECS Exec audited to an encrypted log group', () => {
      t.hasResourceProperties('AWS::ECS::Cluster', {
        ClusterSettings: [{ Name: 'containerInsights', Value: 'enhanced' }],
        Configuration: {
          ExecuteCommandConfiguration: {
            // A session key would make ECS grant the whole account kms:* on it.
            KmsKeyId: Match.absent(),
            Logging: 'OVERRIDE',
            LogConfiguration: {
              CloudWatchEncryptionEnabled: true,
              CloudWatchLogGroupName: { Ref: Match.stringLikeRegexp('^WebExecLogs') },
            },
          },
        },
      });
      expect(service.EnableExecuteCommand).toBe(true);
    });

    test(`tracing sidecar ${compute.tracing ? 'present' : 'absent'}`, () => {
      const names = (taskDefinition.ContainerDefinitions as Array<{ Name: string }>).map((c) => c.Name);
      expect(names.includes('otel-collector')).toBe(compute.tracing);
    });
  });

  describe('security group flows', () => {
    const ingress = resources(environment, 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties ?? {});
    const groups = resources(environment, 'AWS::EC2::SecurityGroup');

    test('no security group admits a CIDR: only security groups and the CloudFront prefix list', () => {
      for (const [, group] of groups) {
        expect(group.Properties?.SecurityGroupIngress).toBeUndefined();
      }
      for (const rule of ingress) {
        expect(rule.CidrIp).toBeUndefined();
        expect(rule.CidrIpv6).toBeUndefined();
        expect(rule.SourceSecurityGroupId ?? rule.SourcePrefixListId).toBeDefined();
      }
    });

    test('tasks admit only the load balancer, on 3000', () => {
      const toTasks = ingress.filter((r) => JSON.stringify(r.GroupId).includes('WebServiceSecurityGroup'));
      expect(toTasks).toHaveLength(1);
      expect(toTasks[0]).toMatchObject({
        FromPort: 3000,
        ToPort: 3000,
        SourceSecurityGroupId: { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancerSecurityGroup/), 'GroupId'] },
      });
    });

    test('tasks reach the proxy, the replicas and the cache, and nothing else of the data layer', () => {
      const toData = ingress.filter((r) => JSON.stringify(r.GroupId).includes('Fn::GetStackOutput'));
      const targets = toData
        .map(
          (r) =>
            `${r.GroupId['Fn::GetStackOutput'].OutputName.match(/(DatabaseSecurityGroupsProxy|DatabaseSecurityGroupsReplicas|CacheSecurityGroup)/)?.[1]}:${r.FromPort}`,
        )
        .sort();
      expect(targets).toEqual([
        'CacheSecurityGroup:6379',
        'DatabaseSecurityGroupsProxy:5432',
        'DatabaseSecurityGroupsReplicas:5432',
      ]);
      for (const rule of toData) {
        expect(rule.SourceSecurityGroupId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^WebServiceSecurityGroup/), 'GroupId'],
        });
      }
    });

    test(`the load balancer admits CloudFront's VPC origin on the listener${shifting ? ' and the probe on the test listener' : ''}`, () => {
      const toAlb = ingress.filter((r) => JSON.stringify(r.GroupId).includes('WebLoadBalancerSecurityGroup'));
      const listenerPort = config.domain ? 443 : 80;
      expect(toAlb.map((r) => `${r.SourcePrefixListId ?? 'sg'}:${r.FromPort}`).sort()).toEqual(
        [`${config.edge.originFacingPrefixListId}:${listenerPort}`, ...(shifting ? ['sg:9000'] : [])].sort(),
      );
    });
  });

  describe('load balancer', () => {
    test('internal, in the application tier, hardened attributes, access logs', () => {
      const [, alb] = resources(environment, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]!;
      expect(alb.Properties?.Scheme).toBe('internal');
      for (const subnet of alb.Properties?.Subnets ?? []) {
        expect(JSON.stringify(subnet)).toMatch(/NetworkApplicationSubnet\dSubnet/);
      }
      const attributes = Object.fromEntries(
        (alb.Properties?.LoadBalancerAttributes as Array<{ Key: string; Value: string }>).map((a) => [a.Key, a.Value]),
      );
      expect(attributes).toMatchObject({
        'routing.http.drop_invalid_header_fields.enabled': 'true',
        'routing.http.desync_mitigation_mode': 'strictest',
        'access_logs.s3.enabled': 'true',
        'deletion_protection.enabled': String(compute.deletionProtection),
      });
      expect(JSON.stringify(attributes['access_logs.s3.bucket'])).toContain('AccessLogs');
    });

    test(
      config.domain ? 'HTTPS with a TLS 1.3 policy and an ACM certificate' : 'HTTP inside the VPC (no domain)',
      () => {
        if (config.domain) {
          t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
            Port: 443,
            Protocol: 'HTTPS',
            SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^Certificate') } }],
          });
          t.hasResourceProperties('AWS::CertificateManager::Certificate', {
            DomainName: `origin.${config.domain.zoneName}`,
            ValidationMethod: 'DNS',
            DomainValidationOptions: [
              { DomainName: `origin.${config.domain.zoneName}`, HostedZoneId: config.domain.hostedZoneId },
            ],
          });
        } else {
          t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
          t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
        }
      },
    );

    test('target groups check /api/health', () => {
      t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/api/health',
        Port: 3000,
        TargetType: 'ip',
      });
      t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', shifting ? 2 : 1);
    });
  });

  describe('deployments', () => {
    test(`strategy ${STRATEGIES[compute.deployment.strategy]} with bake time, circuit breaker and alarm rollback`, () => {
      expect(service.DeploymentConfiguration).toMatchObject({
        Strategy: STRATEGIES[compute.deployment.strategy],
        BakeTimeInMinutes: compute.deployment.bakeTimeMinutes,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: { Enable: true, Rollback: true, AlarmNames: [expect.anything(), expect.anything()] },
      });
      if (compute.deployment.strategy === 'canary') {
        expect(service.DeploymentConfiguration.CanaryConfiguration).toEqual({
          CanaryPercent: compute.deployment.stepPercent,
          CanaryBakeTimeInMinutes: compute.deployment.stepIntervalMinutes,
        });
      }
    });

    test('rollback alarms watch the 5xx rate and p95 latency of the tasks', () => {
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Threshold: compute.deployment.rollback5xxPercent,
        Metrics: Match.arrayWith([Match.objectLike({ Expression: '100 * errors / MAX([errors, requests])' })]),
      });
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'TargetResponseTime',
        ExtendedStatistic: 'p95',
        Threshold: compute.deployment.rollbackLatencyP95Ms / 1000,
      });
    });

    test(
      shifting
        ? 'a test listener and a lifecycle hook probe the new revision'
        : 'rolling needs no test listener or hook',
      () => {
        if (shifting) {
          expect(service.LoadBalancers[0].AdvancedConfiguration).toMatchObject({
            AlternateTargetGroupArn: { Ref: expect.stringMatching(/^WebTargetGroupsGreen/) },
            ProductionListenerRule: { Ref: expect.stringMatching(/^WebLoadBalancerListenerForward/) },
            TestListenerRule: { Ref: expect.stringMatching(/^WebLoadBalancerTestListenerForward/) },
          });
          expect(service.DeploymentConfiguration.LifecycleHooks).toEqual([
            {
              HookTargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^WebDeploymentProbeFunction/), 'Arn'] },
              LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'],
              RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^WebDeploymentProbeInvokeRole/), 'Arn'] },
            },
          ]);
          t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTP' });
          t.hasResourceProperties('AWS::Lambda::Function', {
            Runtime: 'nodejs24.x',
            Architectures: ['arm64'],
            VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue() }),
            Environment: { Variables: Match.objectLike({ PROBE_URL: Match.anyValue() }) },
          });
        } else {
          expect(service.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
          expect(service.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
          t.resourceCountIs('AWS::Lambda::Function', 0);
        }
      },
    );

    if (shifting) {
      test("the hook's esbuild bundle is in the cloud assembly", () => {
        const [, fn] = resources(environment, 'AWS::Lambda::Function')[0]!;
        const assetHash = String(fn.Properties?.Code.S3Key).replace(/\.zip$/, '');
        const stack = synthesized().stacks.find((s) => s.environment === environment && s.stackId === 'Compute')!;
        // The asset manifest beside the template says where the bundle was staged.
        const manifest = JSON.parse(
          fs.readFileSync(stack.templateFile.replace(/\.template\.json$/, '.assets.json'), 'utf8'),
        );
        const source = manifest.files[assetHash]?.source as { path: string; packaging: string };
        expect(source.packaging).toBe('zip');
        const bundle = path.join(path.dirname(stack.templateFile), source.path, 'index.js');
        expect(fs.existsSync(bundle)).toBe(true);
        const code = fs.readFileSync(bundle, 'utf8');
        expect(code).toContain('hookStatus');
        expect(code).toContain('PROBE_URL');
      });
    }
  });

  describe('scaling', () => {
    test(`between ${compute.minTasks} and ${compute.maxTasks} tasks`, () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalableTarget', {
        MinCapacity: compute.minTasks,
        MaxCapacity: compute.maxTasks,
        ScalableDimension: 'ecs:service:DesiredCount',
      });
    });

    test('target tracking on CPU, memory and requests per task', () => {
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
          TargetValue: compute.cpuTargetPercent,
        }),
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageMemoryUtilization' },
          TargetValue: compute.memoryTargetPercent,
        }),
      });
      t.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
        TargetTrackingScalingPolicyConfiguration: Match.objectLike({
          TargetValue: compute.requestsPerTaskPerMinute,
          CustomizedMetricSpecification: {
            Metrics: Match.arrayWith([
              Match.objectLike({ Id: 'perTask', Expression: 'requests / MAX([tasks, 1])', ReturnData: true }),
            ]),
          },
        }),
      });
    });

    test(`${compute.scheduledScaling.length} scheduled action(s); predictive scaling ${compute.predictiveScaling ? 'on' : 'off'}`, () => {
      const [, target] = resources(environment, 'AWS::ApplicationAutoScaling::ScalableTarget')[0]!;
      const actions = (target.Properties?.ScheduledActions ?? []) as Array<{
        Schedule: string;
        ScalableTargetAction: { MinCapacity: number };
      }>;
      expect(actions.map((a) => [a.Schedule, a.ScalableTargetAction.MinCapacity])).toEqual(
        compute.scheduledScaling.map((s) => [s.schedule, s.minTasks]),
      );
      const predictive = resources(environment, 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(
        ([, p]) => p.Properties?.PolicyType === 'PredictiveScaling',
      );
      expect(predictive).toHaveLength(compute.predictiveScaling ? 1 : 0);
    });
  });

  test('least privilege: the task role reaches the uploads bucket with named actions only', () => {
    const policies = resources(environment, 'AWS::IAM::ManagedPolicy').filter(([id]) => id.startsWith('WebTaskRole'));
    const statements = policies.flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as any[]);
    const s3 = statements.filter((st) => [st.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3.flatMap((st) => [st.Action].flat()).sort()).toEqual([
      's3:AbortMultipartUpload',
      's3:DeleteObject',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:GetObjectVersion',
      's3:ListBucket',
      's3:PutObject',
    ]);
    expect(resources(environment, 'AWS::IAM::Policy')).toEqual([]);
  });
});
