import { PhysicalName, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { EnvironmentConfig, InterfaceEndpointName } from '../config';
import * as path from 'node:path';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import { WebDeploymentStrategy } from '../constructs/compute';
import { CacheEngine } from '../constructs/data';
import type { Network, NetworkProps } from '../constructs/network';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { WebAclRules, type WebAclRule } from '../constructs/edge';
import type {
  ComputeStack,
  ComputeStackProps,
  DataStack,
  DataStackProps,
  EdgeStackProps,
  RegistryStackProps,
} from '../stacks';
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
      // The edge stack (us-east-1) delivers CloudFront logs here: cross-region use needs a fixed name.
      bucketName: PhysicalName.GENERATE_IF_NEEDED,
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

/** The web ACL's rules, in evaluation order: cheap IP checks first, then the managed groups. */
export function wafRules(config: EnvironmentConfig): WebAclRule[] {
  const { waf } = config.edge;
  return [
    WebAclRules.rateLimitPerIp('RateLimitPerIp', 0, waf.rateLimitPerFiveMinutes),
    ...(waf.blockedCountries.length > 0
      ? [WebAclRules.blockCountries('BlockedCountries', 1, [...waf.blockedCountries])]
      : []),
    WebAclRules.awsManaged('AWSManagedRulesAmazonIpReputationList', 10),
    // Hosting-provider addresses include Route 53's health checkers and many API clients: count, not block.
    ...(waf.anonymousIpList
      ? [WebAclRules.awsManaged('AWSManagedRulesAnonymousIpList', 20, { countRules: ['HostingProviderIPList'] })]
      : []),
    // The 8 KB body limit would refuse uploads and larger form posts the app accepts.
    WebAclRules.awsManaged('AWSManagedRulesCommonRuleSet', 30, { countRules: ['SizeRestrictions_BODY'] }),
    WebAclRules.awsManaged('AWSManagedRulesKnownBadInputsRuleSet', 40),
    WebAclRules.awsManaged('AWSManagedRulesSQLiRuleSet', 50),
    ...(waf.botControl
      ? [
          WebAclRules.awsManaged('AWSManagedRulesBotControlRuleSet', 60, {
            managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
          }),
        ]
      : []),
  ];
}

const PRICE_CLASSES = {
  PriceClass_100: cloudfront.PriceClass.PRICE_CLASS_100,
  PriceClass_200: cloudfront.PriceClass.PRICE_CLASS_200,
  PriceClass_All: cloudfront.PriceClass.PRICE_CLASS_ALL,
} as const;

/** Edge layer props, wired to the compute and data layers of the same environment. */
export function edgeProps(
  config: EnvironmentConfig,
  compute: ComputeStack,
  data: DataStack,
): Omit<EdgeStackProps, keyof EnvironmentStackProps> {
  const { edge, domain } = config;
  const { geoRestriction } = edge;
  return {
    name: resourcePrefixOf(config),
    loadBalancer: compute.web.loadBalancer,
    logsBucket: data.logsBucket,
    wafRules: wafRules(config),
    priceClass: PRICE_CLASSES[edge.priceClass],
    geoRestriction:
      geoRestriction.type === 'allowlist'
        ? cloudfront.GeoRestriction.allowlist(...geoRestriction.countries)
        : geoRestriction.type === 'denylist'
          ? cloudfront.GeoRestriction.denylist(...geoRestriction.countries)
          : undefined,
    originShieldRegion: edge.originShieldRegion,
    contentSecurityPolicy: edge.contentSecurityPolicy,
    domain: domain && {
      zoneName: domain.zoneName,
      hostedZoneId: domain.hostedZoneId,
      recordNames: [...edge.recordNames],
      originDomainName: `origin.${domain.zoneName}`,
    },
    logRetention: config.logRetentionDays as logs.RetentionDays,
    removalPolicy: removalPolicyOf(config),
  };
}

/** Image repository props. */
export function registryProps(config: EnvironmentConfig): Omit<RegistryStackProps, keyof EnvironmentStackProps> {
  return {
    repository: {
      repositoryName: repositoryNameOf(config),
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      imageScanOnPush: true,
      lifecycleRules: [
        { description: 'Keep the newest images only', maxImageCount: config.compute.repositoryMaxImages },
      ],
      removalPolicy: removalPolicyOf(config),
      emptyOnDelete: config.removalPolicy !== 'retain',
    },
  };
}

/** Name of the environment's image repository: `learning-assistant/prod/web`. */
export function repositoryNameOf(config: EnvironmentConfig): string {
  return `${config.tags.Project}/${config.name}/web`;
}
