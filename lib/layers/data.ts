import { PhysicalName } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import { PROJECT_TITLE, resourcePrefixOf, type EnvironmentConfig } from '../../config';
import { CacheEngine, postgresInstanceIdentifiers } from '../../constructs/data';
import type { INetwork } from '../../constructs/network';
import type { DataStackProps, EnvironmentStackProps } from '../../stacks';
import { dataRemovalPolicyOf, keyAdministratorsOf, removalPolicyOf } from './common';

/**
 * The environment's database instance identifiers, as the data layer names them: the primary and
 * its in-region read replicas. Operations commands and the standby replica find instances by these.
 */
export function databaseIdentifiersOf(config: EnvironmentConfig): ReturnType<typeof postgresInstanceIdentifiers> {
  return postgresInstanceIdentifiers(resourcePrefixOf(config), config.database.readReplicas);
}

/** Data layer props, wired to the network layer's VPC and tiers. */
export function dataProps(
  config: EnvironmentConfig,
  network: INetwork,
): Omit<DataStackProps, keyof EnvironmentStackProps> {
  const { database, cache, storage } = config;
  const prefix = resourcePrefixOf(config);
  const logRetention = config.logRetentionDays as logs.RetentionDays;
  const [major] = database.engineVersion.split('.');
  return {
    keyAliasPrefix: `alias/${config.tags.Project}/${config.name}`,
    keyDescriptionPrefix: PROJECT_TITLE,
    keyRemovalPolicy: removalPolicyOf(config),
    keyAdministrators: keyAdministratorsOf(config),
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
      autoDeleteLogRetention: logRetention,
    },
    accessLogs: {
      // The edge stack (us-east-1) delivers CloudFront logs here: cross-region use needs a fixed name.
      bucketName: PhysicalName.GENERATE_IF_NEEDED,
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      transitionToInfrequentAccessDays: storage.logTransitionDays,
      expirationDays: storage.logExpirationDays,
      // The uploads bucket's S3 server access logs land here, and S3 does not deliver server access
      // logs into a bucket with Object Lock.
      objectLockEnabled: false,
      removalPolicy: removalPolicyOf(config),
      autoDeleteLogRetention: logRetention,
    },
  };
}
