import * as path from 'node:path';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { DEPLOYMENT_STRATEGIES, resourcePrefixOf, type EnvironmentConfig } from '../../config';
import type { INetwork } from '../../constructs/network';
import type { ComputeStackProps, EnvironmentStackProps } from '../../stacks';
import { removalPolicyOf } from './common';
import { repositoryNameOf } from './registry';

/**
 * Interface endpoints the web tasks call (the S3 gateway aside): ECR and image layers at start,
 * CloudWatch Logs (awslogs driver, ECS Exec transcripts), Secrets Manager (container secrets),
 * `ssmmessages` (ECS Exec's agent; on Fargate it needs no `ssm` or `ec2messages`), and X-Ray when the
 * tracing sidecar runs. Not needed: `ecs`, `ecs-agent` and `ecs-telemetry` (the Fargate agent is
 * AWS's), `rds` and `elasticache` (IAM auth tokens are signed locally), `sts` (ECS serves the task
 * role's credentials), `kms` (services decrypt server-side), `monitoring` (Container Insights is
 * collected by ECS; the collector's `ecs-xray` pipeline exports traces only).
 */
export function webTaskEndpoints(config: EnvironmentConfig): string[] {
  return ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 'ssmmessages', ...(config.compute.tracing ? ['xray'] : [])];
}

/**
 * Name of the environment's web service and its ECS cluster (`WebService` names both after it):
 * operations commands find the service by it.
 */
export function clusterNameOf(config: EnvironmentConfig): string {
  return resourcePrefixOf(config);
}

/** Directory of the application shipped with this repository. */
export const APP_DIRECTORY = path.join(__dirname, '..', '..', 'app');

/**
 * Compute layer props, wired to the network and data layers.
 *
 * @param imageTag CI's image tag (`-c imageTag=...`); overrides the configured tag of an ECR image
 */
export function computeProps(
  config: EnvironmentConfig,
  network: INetwork,
  data: ComputeStackProps['data'],
  imageTag?: string,
): Omit<ComputeStackProps, keyof EnvironmentStackProps> {
  const { compute, domain } = config;
  // Where the network lacks an endpoint the tasks need (dev: none, to stay cheap), or the region's
  // S3 prefix list is unknown, their AWS calls go through NAT: HTTPS to the internet stays open.
  const awsApiPeers = network.privateAwsApiPeers(webTaskEndpoints(config));
  return {
    repositoryName: repositoryNameOf(config),
    image:
      compute.image.source === 'asset'
        ? { kind: 'asset', directory: APP_DIRECTORY }
        : { kind: 'repository', tag: imageTag ?? compute.image.tag },
    data,
    cdnOriginPrefixListId: config.edge.originFacingPrefixListId,
    originCertificate: domain && {
      domainName: `origin.${domain.zoneName}`,
      zoneName: domain.zoneName,
      hostedZoneId: domain.hostedZoneId,
    },
    web: {
      vpc: network.vpc,
      subnets: network.applicationSubnets,
      name: clusterNameOf(config),
      cpuUnits: compute.cpuUnits,
      memoryMiB: compute.memoryMiB,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      logRemovalPolicy: removalPolicyOf(config),
      minTasks: compute.minTasks,
      maxTasks: compute.maxTasks,
      spotPercent: compute.spotPercent,
      cpuTargetPercent: compute.cpuTargetPercent,
      memoryTargetPercent: compute.memoryTargetPercent,
      requestsPerTaskPerMinute: compute.requestsPerTaskPerMinute,
      scheduledCapacity: compute.scheduledScaling.map((s) => ({ ...s })),
      predictiveScaling: compute.predictiveScaling,
      deploymentStrategy: DEPLOYMENT_STRATEGIES[compute.deployment.strategy],
      trafficShiftPercent: compute.deployment.stepPercent,
      trafficShiftIntervalMinutes: compute.deployment.stepIntervalMinutes,
      bakeTimeMinutes: compute.deployment.bakeTimeMinutes,
      rollback5xxPercent: compute.deployment.rollback5xxPercent,
      rollbackLatencyP95Ms: compute.deployment.rollbackLatencyP95Ms,
      deletionProtection: compute.deletionProtection,
      tracing: compute.tracing,
      traceSamplePercent: compute.traceSamplePercent,
      awsApiPeers,
      internetEgress: compute.externalApiAccess || awsApiPeers === undefined,
    },
  };
}
