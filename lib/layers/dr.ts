import { backupSelectionTagOf, resourcePrefixOf, vaultNamesOf, type EnvironmentConfig } from '../../config';
import type { DataBackupProps, DrStackProps, EnvironmentStackProps } from '../../stacks';
import { keyAdministratorsOf, removalPolicyOf } from './common';

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
    vault: { vaultName: vaultNamesOf(config).copy, ...lockOf(config), removalPolicy },
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
    vault: { vaultName: names.home, ...lockOf(config), removalPolicy: removalPolicyOf(config) },
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
    copyVaultArn: `arn:aws:backup:${config.drRegion}:${config.account}:backup-vault:${names.copy}`,
    restoreTesting: b.restoreTesting,
    replica,
  };
}
