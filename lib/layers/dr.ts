import { Arn, ArnFormat, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import {
  STANDBY_NAT_GATEWAYS,
  backupSelectionTagOf,
  resourcePrefixOf,
  vaultNamesOf,
  type EnvironmentConfig,
} from '../../config';
import { PARTITION } from '../../config/aws/regions';
import { s3GatewayPrefixListOf } from '../../config/aws/vpc';
import type { DataBackupProps, DrStackProps, EnvironmentStackProps, StandbyStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';
import { databaseIdentifiersOf } from './data';
import { alarmRecipientsOf } from './monitoring';

/** The vault lock of the environment, as `BackupVault` takes it. */
function lockOf(config: EnvironmentConfig) {
  const lock = config.backup.vaultLock;
  return lock === undefined
    ? {}
    : {
        lockMinRetentionDays: lock.minRetentionDays,
        lockMaxRetentionDays: lock.maxRetentionDays,
        lockChangeableForDays: lock.changeableForDays,
      };
}

/**
 * The disaster-recovery region's stack: the copy vault and the uploads replica. The vaults'
 * protections are administered by the deployment role and the root user only (the configured key
 * administrators administer the keys).
 */
export function drProps(config: EnvironmentConfig): Omit<DrStackProps, keyof EnvironmentStackProps> {
  const { storage } = config;
  const removalPolicy = removalPolicyOf(config);
  return {
    name: resourcePrefixOf(config),
    vault: {
      vaultName: vaultNamesOf(config).copy,
      ...lockOf(config),
      removalPolicy,
      keyAdministrators: keyAdministratorsOf(config),
    },
    replica: {
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      // The source has Object Lock: S3 replicates into a bucket with Object Lock only.
      objectLockEnabled: true,
      removalPolicy,
    },
    accessLogs: {
      noncurrentVersionExpirationDays: storage.noncurrentVersionExpirationDays,
      transitionToInfrequentAccessDays: storage.logTransitionDays,
      expirationDays: storage.logExpirationDays,
      // S3 does not deliver server access logs into a bucket with Object Lock.
      objectLockEnabled: false,
      removalPolicy,
    },
    keyRemovalPolicy: removalPolicy,
    keyAdministrators: keyAdministratorsOf(config),
  };
}

/** The data layer's backup: the home vault, the plan, restore tests and the replica it copies to. */
export function dataBackupProps(config: EnvironmentConfig, replica: DataBackupProps['replica']): DataBackupProps {
  const b = config.backup;
  const names = vaultNamesOf(config);
  return {
    vault: {
      vaultName: names.home,
      ...lockOf(config),
      removalPolicy: removalPolicyOf(config),
      keyAdministrators: keyAdministratorsOf(config),
    },
    plan: {
      planName: resourcePrefixOf(config),
      continuous: true,
      continuousRetentionDays: b.continuousRetentionDays,
      hourlyRetentionDays: b.hourlyRetentionDays,
      dailyRetentionDays: b.dailyRetentionDays,
      weeklyRetentionDays: b.weeklyRetentionDays,
      monthlyRetentionDays: b.monthlyRetentionDays,
      copyRetentionDays: b.copyRetentionDays,
    },
    selectionTag: backupSelectionTagOf(config),
    // Every region config admits is in one partition (config/aws/regions.ts).
    copyVaultArn: Arn.format({
      partition: PARTITION,
      service: 'backup',
      region: config.drRegion,
      account: config.account,
      resource: 'backup-vault',
      resourceName: names.copy,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    }),
    restoreTesting: b.restoreTesting,
    replica,
  };
}

/** Identifier of the database's standby replica in `drRegion` (`backup.standby`). */
export function standbyIdentifierOf(config: EnvironmentConfig): string {
  return `${resourcePrefixOf(config)}-standby`;
}

/**
 * The standby of the database in the disaster-recovery region, where `backup.standby` is set: its
 * network (the schema checked the layout against `drRegion`), the replica of the home primary, and
 * its alarms.
 */
export function standbyProps(
  config: EnvironmentConfig,
): Omit<StandbyStackProps, keyof EnvironmentStackProps> | undefined {
  const standby = config.backup.standby;
  if (standby === undefined) return undefined;
  const { database } = config;
  const prefix = resourcePrefixOf(config);
  const [major] = database.engineVersion.split('.');
  return {
    name: prefix,
    network: {
      vpcCidr: standby.vpcCidr,
      availabilityZones: [...standby.availabilityZones],
      publicSubnetCidrs: [...standby.subnets.public],
      applicationSubnetCidrs: [...standby.subnets.application],
      databaseSubnetCidrs: [...standby.subnets.database],
      natGateways: STANDBY_NAT_GATEWAYS,
      flowLogRetention: config.network.flowLogRetentionDays as logs.RetentionDays,
      s3PrefixListId: s3GatewayPrefixListOf(config.drRegion),
      removalPolicy: removalPolicyOf(config),
    },
    replica: {
      sourceInstanceIdentifier: databaseIdentifiersOf(config).primary,
      sourceRegion: config.region,
      engineVersion: rds.PostgresEngineVersion.of(database.engineVersion, major ?? database.engineVersion),
      instanceIdentifier: standbyIdentifierOf(config),
      instanceType: new ec2.InstanceType(standby.instanceClass ?? database.instanceClass),
      maxAllocatedStorageGiB: database.maxAllocatedStorageGiB,
      slowStatementThresholdMs: database.slowStatementThresholdMs,
      logRetention: config.logRetentionDays as logs.RetentionDays,
      deletionProtection: database.deletionProtection,
      monitoringIntervalSeconds: database.monitoringIntervalSeconds,
      // Kept (a promoted standby is the database), except where the environment is disposable.
      removalPolicy:
        config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY,
    },
    lagThresholdSeconds: standby.lagThresholdSeconds,
    recipients: alarmRecipientsOf(config),
    keyRemovalPolicy: removalPolicyOf(config),
    keyAdministrators: keyAdministratorsOf(config),
  };
}
