import * as fs from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import type { EnvironmentName } from '../config';
import { committedConfigs, environmentsWhere } from './support/config';
import { ENVIRONMENTS, resources, synthesized, template, templateJson } from './support/synth';

const configs = committedConfigs();

// Which branch each environment's committed config takes. The first tests pin these tables to config,
// so moving an environment to another branch fails there instead of silently testing the other one.

/** `compute.image.source`. */
const IMAGE_SOURCE = { dev: 'asset', staging: 'ecr', prod: 'ecr' } as const;
/** `domain` is set: HTTPS on the load balancer, with its own certificate. */
const HAS_DOMAIN = { dev: false, staging: true, prod: true } as const;
/** `compute.deployment.strategy`. */
const DEPLOYMENT_STRATEGY = { dev: 'rolling', staging: 'blue-green', prod: 'canary' } as const;
/** `compute.tracing`. */
const TRACING = { dev: false, staging: true, prod: true } as const;
/** `compute.predictiveScaling`. */
const PREDICTIVE_SCALING = { dev: false, staging: false, prod: true } as const;

/** Strategies that shift traffic: a test listener, a green target group and the deployment probe. */
const SHIFTING = environmentsWhere(DEPLOYMENT_STRATEGY, (strategy) => strategy !== 'rolling');
const ROLLING = environmentsWhere(DEPLOYMENT_STRATEGY, 'rolling');

/**
 * What the loops below see: the task and exec log groups; the load balancer's and the tasks' security
 * groups, with 5 rules (CloudFront to the load balancer, the load balancer to the tasks, the tasks to
 * the proxy, the replicas and the cache). The deployment probe adds a log group, a security group and
 * its rule to the test listener; the function behind the listener rules ECS shifts adds a log group
 * and a security group (egress only).
 */
const COUNTS = {
  dev: { logGroups: 3, securityGroups: 2, ingressRules: 5 },
  staging: { logGroups: 5, securityGroups: 4, ingressRules: 6 },
  prod: { logGroups: 5, securityGroups: 4, ingressRules: 6 },
} as const;

const STRATEGIES = { rolling: 'ROLLING', 'blue-green': 'BLUE_GREEN', canary: 'CANARY', linear: 'LINEAR' } as const;

/** The Compute stack of one environment, with its service, task definition and web container. */
function computeStack(environment: EnvironmentName) {
  const config = configs[environment];
  const taskDefinition = resources(environment, 'Compute', 'AWS::ECS::TaskDefinition')[0]?.[1].Properties ?? {};
  return {
    config,
    compute: config.compute,
    t: template(environment, 'Compute'),
    service: resources(environment, 'Compute', 'AWS::ECS::Service')[0]?.[1].Properties ?? {},
    taskDefinition,
    web: (taskDefinition.ContainerDefinitions as any[]).find((c) => c.Name === 'web'),
    ingress: resources(environment, 'Compute', 'AWS::EC2::SecurityGroupIngress').map(([, r]) => r.Properties ?? {}),
  };
}

/** `<prefix list or 'sg'>:<port>` of each rule admitting traffic to the load balancer. */
function loadBalancerIngress(ingress: ReadonlyArray<Record<string, any>>): string[] {
  return ingress
    .filter((r) => JSON.stringify(r.GroupId).includes('WebLoadBalancerSecurityGroup'))
    .map((r) => `${r.SourcePrefixListId ?? 'sg'}:${r.FromPort}`)
    .sort();
}

describe.each(ENVIRONMENTS)('%s compute stack: committed config', (environment) => {
  test('takes the branches the tables of this file expect', () => {
    const { compute, domain } = configs[environment];
    expect({
      imageSource: compute.image.source,
      domain: domain !== undefined,
      strategy: compute.deployment.strategy,
      tracing: compute.tracing,
      predictiveScaling: compute.predictiveScaling,
    }).toEqual({
      imageSource: IMAGE_SOURCE[environment],
      domain: HAS_DOMAIN[environment],
      strategy: DEPLOYMENT_STRATEGY[environment],
      tracing: TRACING[environment],
      predictiveScaling: PREDICTIVE_SCALING[environment],
    });
  });
});

describe.each(ENVIRONMENTS)('%s compute stack', (environment) => {
  const { config, compute, t, service, taskDefinition, web, ingress } = computeStack(environment);

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
  });

  describe('service', () => {
    test('Fargate on ARM64 in the application tier, no public IP', () => {
      expect(taskDefinition.RuntimePlatform).toEqual({ CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' });
      expect(taskDefinition).toMatchObject({ Cpu: String(compute.cpuUnits), Memory: String(compute.memoryMiB) });
      expect(service.NetworkConfiguration.AwsvpcConfiguration.AssignPublicIp).toBe('DISABLED');
      const subnets = service.NetworkConfiguration.AwsvpcConfiguration.Subnets;
      expect(subnets).toHaveLength(config.availabilityZones.length);
      for (const subnet of subnets) {
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

    test('no container holds a secret: the application authenticates to the database and cache with IAM', () => {
      const containers = taskDefinition.ContainerDefinitions as Array<Record<string, unknown>>;
      // No task definition references the master secret, or any secret at all.
      for (const container of containers) {
        expect(container.Secrets).toBeUndefined();
      }
      expect(JSON.stringify(taskDefinition)).not.toMatch(/secretsmanager|Credentials/i);
      const environmentOf = Object.fromEntries(
        (web.Environment as Array<{ Name: string; Value: unknown }>).map((e) => [e.Name, e.Value]),
      );
      expect(environmentOf).toMatchObject({
        DB_AUTH: 'iam',
        DB_WRITE_USER: 'app_writer',
        DB_READ_USER: 'app_reader',
        DB_PORT: '5432',
        CACHE_AUTH: 'iam',
        CACHE_PORT: '6379',
        CACHE_USER: `${String(environmentOf.CACHE_REPLICATION_GROUP_ID)}-app-iam`,
      });
      expect(Object.keys(environmentOf)).toEqual(
        expect.arrayContaining(['DB_WRITER_HOST', 'DB_READER_HOST', 'DB_NAME', 'CACHE_HOST', 'UPLOADS_BUCKET']),
      );
      expect(Object.keys(environmentOf).filter((n) => /PASSWORD|SECRET|TOKEN/.test(n))).toEqual([]);
      expect(JSON.stringify(web.Environment)).not.toContain('resolve:secretsmanager');
    });

    test('the execution role reads no secret and decrypts nothing of the data layer', () => {
      const policies = [
        ...resources(environment, 'Compute', 'AWS::IAM::ManagedPolicy'),
        ...resources(environment, 'Compute', 'AWS::IAM::Policy'),
      ].filter(([id]) => id.startsWith('WebExecutionRole'));
      const actions = policies.flatMap(([, p]) =>
        (p.Properties?.PolicyDocument.Statement as any[]).flatMap((st) => [st.Action].flat()),
      );
      expect(actions.filter((a: string) => /^(secretsmanager|kms):/.test(a))).toEqual([]);
    });

    test('logs go to a log group encrypted with the logs key, with the configured retention', () => {
      const groups = resources(environment, 'Compute', 'AWS::Logs::LogGroup');
      expect(groups).toHaveLength(COUNTS[environment].logGroups);
      for (const [, group] of groups) {
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
  });

  describe('security group flows', () => {
    const groups = resources(environment, 'Compute', 'AWS::EC2::SecurityGroup');

    test('no security group admits a CIDR: only security groups and the CloudFront prefix list', () => {
      expect(groups).toHaveLength(COUNTS[environment].securityGroups);
      for (const [, group] of groups) {
        expect(group.Properties?.SecurityGroupIngress).toBeUndefined();
      }
      expect(ingress).toHaveLength(COUNTS[environment].ingressRules);
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
      expect(toData).toHaveLength(3);
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
  });

  describe('load balancer', () => {
    test('internal, in the application tier, hardened attributes, access logs', () => {
      const [, alb] = resources(environment, 'Compute', 'AWS::ElasticLoadBalancingV2::LoadBalancer')[0]!;
      expect(alb.Properties?.Scheme).toBe('internal');
      expect(alb.Properties?.Subnets).toHaveLength(config.availabilityZones.length);
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

    test('target groups check /api/health', () => {
      t.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', {
        HealthCheckPath: '/api/health',
        Port: 3000,
        TargetType: 'ip',
      });
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

    test(`${compute.scheduledScaling.length} scheduled action(s)`, () => {
      const [, target] = resources(environment, 'Compute', 'AWS::ApplicationAutoScaling::ScalableTarget')[0]!;
      const actions = (target.Properties?.ScheduledActions ?? []) as Array<{
        Schedule: string;
        ScalableTargetAction: { MinCapacity: number };
      }>;
      expect(actions.map((a) => [a.Schedule, a.ScalableTargetAction.MinCapacity])).toEqual(
        compute.scheduledScaling.map((s) => [s.schedule, s.minTasks]),
      );
    });
  });

  test('least privilege: the task role reaches the uploads bucket with named actions only', () => {
    const policies = resources(environment, 'Compute', 'AWS::IAM::ManagedPolicy').filter(([id]) =>
      id.startsWith('WebTaskRole'),
    );
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
    expect(resources(environment, 'Compute', 'AWS::IAM::Policy')).toEqual([]);
  });

  const taskRoleStatements = () =>
    resources(environment, 'Compute', 'AWS::IAM::ManagedPolicy')
      .filter(([id]) => id.startsWith('WebTaskRole'))
      .flatMap(([, p]) => p.Properties?.PolicyDocument.Statement as any[]);
  /** `<data stack output or literal>/<user>` of each `rds-db:connect` resource, by the producing output. */
  const connectTargets = (action: string) =>
    taskRoleStatements()
      .filter((st) => [st.Action].flat().includes(action))
      .flatMap((st) => [st.Resource].flat());

  test('least privilege: rds-db:connect only as the application users, only on the proxy and the replicas', () => {
    const readReplicas = config.database.readReplicas;
    // The statements live in two managed policies of the data stack (the proxy's resource id is cut
    // out of its ARN there: Fn::Split does not take the Fn::GetStackOutput this stack would read it
    // through); the task role attaches exactly those two.
    const taskRole = resources(environment, 'Compute', 'AWS::IAM::Role').find(([id]) => id.startsWith('WebTaskRole'));
    const attached = (taskRole?.[1].Properties?.ManagedPolicyArns ?? []).map(
      (arn: any) => arn['Fn::GetStackOutput']?.OutputName as string,
    );
    expect(attached.sort()).toEqual([
      expect.stringMatching(/^PublishOutputRefDatabaseConnectAsReader/),
      expect.stringMatching(/^PublishOutputRefDatabaseConnectAsWriter/),
    ]);
    const policies = resources(environment, 'Data', 'AWS::IAM::ManagedPolicy').filter(([id]) =>
      id.startsWith('DatabaseConnectAs'),
    );
    const targets = policies.flatMap(([id, policy]) =>
      (policy.Properties?.PolicyDocument.Statement as any[]).flatMap((st) => {
        expect(st.Action).toBe('rds-db:connect');
        return [st.Resource].flat().map((resource: any) => {
          const text = JSON.stringify(resource);
          const target = /DBProxyArn/.test(text)
            ? 'proxy'
            : (text.match(/DatabaseReplicasReplica(\d)/)?.[0] ?? `unexpected ${text}`);
          return `${id.replace(/[0-9A-F]{8}$/, '')}: ${target}${text.match(/\/(app_\w+)"/)?.[1] ? `/${text.match(/\/(app_\w+)"/)?.[1]}` : ''}`;
        });
      }),
    );
    expect(targets.sort()).toEqual(
      [
        'DatabaseConnectAsWriter: proxy/app_writer',
        'DatabaseConnectAsReader: proxy/app_reader',
        ...Array.from(
          { length: readReplicas },
          (_, i) => `DatabaseConnectAsReader: DatabaseReplicasReplica${i + 1}/app_reader`,
        ),
      ].sort(),
    );
    // Never the master user, never a wildcard; no rds-db:connect left in the task role's own policy.
    const text = JSON.stringify(policies);
    expect(text).not.toContain('app_admin');
    expect(text).not.toMatch(/dbuser:\*|"\*"/);
    expect(connectTargets('rds-db:connect')).toEqual([]);
    expect(JSON.stringify(taskRoleStatements())).not.toMatch(/secretsmanager:/);
  });

  test('least privilege: elasticache:Connect only on the replication group and the application user', () => {
    const targets = connectTargets('elasticache:Connect').map((resource) => {
      const [prefix, ref] = resource['Fn::Join'][1] as [string, any];
      return `${prefix.split(':').at(-2)}:${ref['Fn::GetStackOutput'].OutputName}`;
    });
    expect(targets).toEqual([
      expect.stringMatching(/^replicationgroup:PublishOutputRefCache18F6EE16/),
      expect.stringMatching(/^user:PublishOutputRefCacheAccessAppUser/),
    ]);
  });
});

describe.each(environmentsWhere(IMAGE_SOURCE, 'asset'))('%s compute stack, image from an asset', (environment) => {
  const { web } = computeStack(environment);

  test('the image comes from app/, built at deploy time', () => {
    expect(JSON.stringify(web.Image)).toContain('cdk-hnb659fds-container-assets');
  });
});

describe.each(environmentsWhere(IMAGE_SOURCE, 'ecr'))('%s compute stack, image from the repository', (environment) => {
  const { config, compute, web } = computeStack(environment);

  test('the image comes from the repository', () => {
    const image = JSON.stringify(web.Image);
    expect(compute.image.source).toBe('ecr');
    const { tag } = compute.image as Extract<typeof compute.image, { source: 'ecr' }>;
    expect(image).toContain(`:${tag}`);
    expect(image).toContain(`${config.account}.dkr.ecr.${config.region}.`);
    expect(image).toContain(`/learning-assistant/${environment}/web:`);
  });
});

describe.each(environmentsWhere(TRACING, true))('%s compute stack, with tracing', (environment) => {
  const { taskDefinition } = computeStack(environment);

  test('tracing sidecar present', () => {
    const names = (taskDefinition.ContainerDefinitions as Array<{ Name: string }>).map((c) => c.Name);
    expect(names).toContain('otel-collector');
  });
});

describe.each(environmentsWhere(TRACING, false))('%s compute stack, without tracing', (environment) => {
  const { taskDefinition } = computeStack(environment);

  test('tracing sidecar absent', () => {
    const names = (taskDefinition.ContainerDefinitions as Array<{ Name: string }>).map((c) => c.Name);
    expect(names).toContain('web');
    expect(names).not.toContain('otel-collector');
  });
});

describe.each(environmentsWhere(HAS_DOMAIN, true))('%s compute stack, with a domain', (environment) => {
  const { config, t, ingress } = computeStack(environment);
  const domain = config.domain!;

  test('HTTPS with a TLS 1.3 policy and an ACM certificate', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^Certificate') } }],
    });
    t.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: `origin.${domain.zoneName}`,
      ValidationMethod: 'DNS',
      DomainValidationOptions: [{ DomainName: `origin.${domain.zoneName}`, HostedZoneId: domain.hostedZoneId }],
    });
  });

  test("the load balancer admits CloudFront's VPC origin on the HTTPS listener", () => {
    expect(loadBalancerIngress(ingress).filter((rule) => rule.startsWith('pl-'))).toEqual([
      `${config.edge.originFacingPrefixListId}:443`,
    ]);
  });
});

describe.each(environmentsWhere(HAS_DOMAIN, false))('%s compute stack, without a domain', (environment) => {
  const { config, t, ingress } = computeStack(environment);

  test('HTTP inside the VPC (no domain)', () => {
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    t.resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  test("the load balancer admits CloudFront's VPC origin on the HTTP listener", () => {
    expect(loadBalancerIngress(ingress).filter((rule) => rule.startsWith('pl-'))).toEqual([
      `${config.edge.originFacingPrefixListId}:80`,
    ]);
  });
});

describe.each(environmentsWhere(DEPLOYMENT_STRATEGY, 'canary'))(
  '%s compute stack, canary deployments',
  (environment) => {
    const { compute, service } = computeStack(environment);

    test(`the canary takes ${compute.deployment.stepPercent}% for ${compute.deployment.stepIntervalMinutes} minutes`, () => {
      expect(service.DeploymentConfiguration.CanaryConfiguration).toEqual({
        CanaryPercent: compute.deployment.stepPercent,
        CanaryBakeTimeInMinutes: compute.deployment.stepIntervalMinutes,
      });
    });
  },
);

describe.each(environmentsWhere(DEPLOYMENT_STRATEGY, (strategy) => strategy !== 'canary'))(
  '%s compute stack, deployments without a canary',
  (environment) => {
    const { service } = computeStack(environment);

    test('no canary configuration', () => {
      expect(service.DeploymentConfiguration).toBeDefined();
      expect(service.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
    });
  },
);

describe.each(SHIFTING)('%s compute stack, deployments shifting traffic', (environment) => {
  const { t, service, ingress } = computeStack(environment);

  test('a test listener and a lifecycle hook probe the new revision', () => {
    expect(service.LoadBalancers[0].AdvancedConfiguration).toMatchObject({
      AlternateTargetGroupArn: { Ref: expect.stringMatching(/^WebTargetGroupsGreen/) },
      ProductionListenerRule: { Ref: expect.stringMatching(/^WebListenerRulesProduction/) },
      TestListenerRule: { Ref: expect.stringMatching(/^WebListenerRulesTest/) },
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
  });

  test('ECS shifts listener rules CloudFormation does not manage (aws/aws-cdk#36649)', () => {
    const all = templateJson(environment, 'Compute');
    for (const field of ['ProductionListenerRule', 'TestListenerRule']) {
      const id = service.LoadBalancers[0].AdvancedConfiguration[field].Ref as string;
      expect(all.Resources[id].Type).toBe('Custom::EcsManagedListenerRule');
    }
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    // The function creating them runs in the application subnets, on a supported runtime.
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      VpcConfig: {
        SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^WebListenerRulesProvider'), 'GroupId'] }],
        SubnetIds: Match.anyValue(),
      },
    });
  });

  test("the hook's esbuild bundle is in the cloud assembly", () => {
    const [, fn] = resources(environment, 'Compute', 'AWS::Lambda::Function').find(([id]) =>
      id.startsWith('WebDeploymentProbeFunction'),
    )!;
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

  test('blue and green target groups', () => {
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
  });

  test('the load balancer admits the probe on the test listener, and no other security group', () => {
    expect(loadBalancerIngress(ingress).filter((rule) => !rule.startsWith('pl-'))).toEqual(['sg:9000']);
  });
});

describe.each(ROLLING)('%s compute stack, rolling deployments', (environment) => {
  const { t, service, ingress } = computeStack(environment);

  test('rolling needs no test listener or hook', () => {
    expect(service.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    expect(service.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    t.resourceCountIs('AWS::Lambda::Function', 0);
  });

  test('production goes through one CloudFormation-managed rule to blue, which ECS never rewrites', () => {
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
    t.resourceCountIs('Custom::EcsManagedListenerRule', 0);
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: Match.stringLikeRegexp('^WebTargetGroupsBlue') } }],
    });
  });

  test('one target group', () => {
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
  });

  test('the load balancer admits no security group (there is no test listener)', () => {
    expect(loadBalancerIngress(ingress).filter((rule) => !rule.startsWith('pl-'))).toEqual([]);
  });
});

describe.each(environmentsWhere(PREDICTIVE_SCALING, true))(
  '%s compute stack, with predictive scaling',
  (environment) => {
    test('predictive scaling on', () => {
      const predictive = resources(environment, 'Compute', 'AWS::ApplicationAutoScaling::ScalingPolicy').filter(
        ([, p]) => p.Properties?.PolicyType === 'PredictiveScaling',
      );
      expect(predictive).toHaveLength(1);
    });
  },
);

describe.each(environmentsWhere(PREDICTIVE_SCALING, false))(
  '%s compute stack, without predictive scaling',
  (environment) => {
    test('predictive scaling off', () => {
      const policies = resources(environment, 'Compute', 'AWS::ApplicationAutoScaling::ScalingPolicy');
      // Target tracking on CPU, memory and requests only.
      expect(policies).toHaveLength(3);
      expect(policies.filter(([, p]) => p.Properties?.PolicyType === 'PredictiveScaling')).toHaveLength(0);
    });
  },
);
