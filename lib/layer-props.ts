import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { EnvironmentConfig, InterfaceEndpointName } from '../config';
import * as path from 'node:path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { WebDeploymentStrategy } from '../constructs/compute';
import { CacheEngine } from '../constructs/data';
import type { Network, NetworkProps } from '../constructs/network';
import type { ComputeStackProps, DataStackProps } from '../stacks';
import type { EnvironmentStackProps } from './environment-stack';

/**
 * Translation from config (plain data) to construct props (CDK types).
 * Stacks receive the result and only wire constructs together.
 */

const INTERFACE_ENDPOINT_SERVICES: Record<InterfaceEndpointName, ec2.InterfaceVpcEndpointAwsService> = {
  'ecr.api': ec2.InterfaceVpcEndpointAwsService.ECR,
  'ecr.dkr': ec2.InterfaceVpcEndpointAwsService.ECR_DOCKER,
  logs: ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  secretsmanager: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  ssm: ec2.InterfaceVpcEndpointAwsService.SSM,
  kms: ec2.InterfaceVpcEndpointAwsService.KMS,
  sts: ec2.InterfaceVpcEndpointAwsService.STS,
};

/** The removal policy of stateful resources in this environment. */
export function removalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

/** Network layer props. */
export function networkProps(config: EnvironmentConfig): NetworkProps {
  const { network } = config;
  return {
    vpcCidr: network.vpcCidr,
    availabilityZones: [...config.availabilityZones],
    publicSubnetCidrs: [...network.subnets.public],
    applicationSubnetCidrs: [...network.subnets.application],
    databaseSubnetCidrs: [...network.subnets.database],
    natGateways: network.natGateways,
    // The schema only admits values CloudWatch Logs accepts, which are the enum's values.
    flowLogRetention: network.flowLogRetentionDays as logs.RetentionDays,
    interfaceEndpoints: network.interfaceEndpoints.map((name) => INTERFACE_ENDPOINT_SERVICES[name]),
    removalPolicy: removalPolicyOf(config),
  };
}

/** The removal policy of databases and caches: a final snapshot where data is retained. */
function dataRemovalPolicyOf(config: EnvironmentConfig): RemovalPolicy {
  return config.removalPolicy === 'retain' ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY;
}

/** Identifier prefix of named resources: `learning-assistant-prod`. */
export function resourcePrefixOf(config: EnvironmentConfig): string {
  return `${config.tags.Project}-${config.name}`;
}

/** Data layer props, wired to the network layer's VPC and tiers. */
export function dataProps(
  config: EnvironmentConfig,
  network: Network,
): Omit<DataStackProps, keyof EnvironmentStackProps> {
  const { database, cache, storage } = config;
  const prefix = resourcePrefixOf(config);
  const logRetention = config.logRetentionDays as logs.RetentionDays;
  const [major] = database.engineVersion.split('.');
  return {
    keyAliasPrefix: `alias/${config.tags.Project}/${config.name}`,
    keyRemovalPolicy: removalPolicyOf(config),
    database: {
      vpc: network.vpc,
      subnets: network.databaseSubnets,
      // The rotation function calls the Secrets Manager API: it needs the application tier's egress.
      rotationSubnets: network.applicationSubnets,
      availabilityZones: [...config.availabilityZones],
      engineVersion: rds.PostgresEngineVersion.of(database.engineVersion, major ?? database.engineVersion),
      instanceType: new ec2.InstanceType(database.instanceClass),
      identifierPrefix: prefix,
      logRetention,
      allocatedStorageGiB: database.allocatedStorageGiB,
      maxAllocatedStorageGiB: database.maxAllocatedStorageGiB,
      multiAz: database.multiAz,
      readReplicas: database.readReplicas,
      backupRetentionDays: database.backupRetentionDays,
      performanceInsights: database.performanceInsights,
      monitoringIntervalSeconds: database.monitoringIntervalSeconds,
      credentialRotationDays: database.credentialRotationDays,
      deletionProtection: database.deletionProtection,
      removalPolicy: dataRemovalPolicyOf(config),
      slowStatementThresholdMs: database.slowStatementThresholdMs,
      endpointZoneName: `database.${config.name}.${config.tags.Project}.internal`,
    },
    cache: {
      vpc: network.vpc,
      subnets: network.databaseSubnets,
      replicationGroupId: prefix,
      engine: cache.engine === 'valkey' ? CacheEngine.VALKEY : CacheEngine.REDIS,
      engineVersion: cache.engineVersion,
      nodeType: cache.nodeType,
      clusterMode: cache.clusterMode,
      shards: cache.shards,
      replicasPerShard: cache.replicasPerShard,
      multiAz: cache.multiAz,
      snapshotRetentionDays: cache.snapshotRetentionDays,
      logRetention,
      removalPolicy: dataRemovalPolicyOf(config),
    },
    uploads: {
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      removalPolicy: removalPolicyOf(config),
    },
    accessLogs: {
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      transitionToInfrequentAccessDays: storage.logTransitionDays,
      expirationDays: storage.logExpirationDays,
      removalPolicy: removalPolicyOf(config),
    },
  };
}

const DEPLOYMENT_STRATEGIES = {
  rolling: WebDeploymentStrategy.ROLLING,
  'blue-green': WebDeploymentStrategy.BLUE_GREEN,
  canary: WebDeploymentStrategy.CANARY,
  linear: WebDeploymentStrategy.LINEAR,
} as const;

/** Directory of the application shipped with this repository. */
export const APP_DIRECTORY = path.join(__dirname, '..', 'app');

/**
 * Compute layer props, wired to the network and data layers.
 *
 * @param imageTag CI's image tag (`-c imageTag=...`); overrides the configured tag of an ECR image
 */
export function computeProps(
  config: EnvironmentConfig,
  network: Network,
  data: ComputeStackProps['data'],
  imageTag?: string,
): Omit<ComputeStackProps, keyof EnvironmentStackProps> {
  const { compute, domain } = config;
  const prefix = resourcePrefixOf(config);
  const retain = config.removalPolicy === 'retain';
  return {
    repository: {
      repositoryName: `${config.tags.Project}/${config.name}/web`,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [{ description: 'Keep the newest images only', maxImageCount: compute.repositoryMaxImages }],
      removalPolicy: removalPolicyOf(config),
      emptyOnDelete: !retain,
    },
    image:
      compute.image.source === 'asset'
        ? { kind: 'asset', directory: APP_DIRECTORY }
        : { kind: 'repository', tag: imageTag ?? compute.image.tag },
    data,
    originCertificate: domain && {
      domainName: `origin.${domain.zoneName}`,
      zoneName: domain.zoneName,
      hostedZoneId: domain.hostedZoneId,
    },
    web: {
      vpc: network.vpc,
      subnets: network.applicationSubnets,
      name: prefix,
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
    },
  };
}
