import type { RemovalPolicy } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { BackupVault, type BackupVaultProps } from '../constructs/backup';
import { SecureBucket, type SecureBucketProps } from '../constructs/data';
import { EncryptionKey } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';

/** Properties of a {@link DrStack}. */
export interface DrStackProps extends EnvironmentStackProps {
  /** Name prefix of keys and aliases, e.g. `learning-assistant-prod`. */
  readonly name: string;
  /** The copy vault: its name, lock and administrators (the stack gives it its own key). */
  readonly vault: Omit<BackupVaultProps, 'encryptionKey' | 'keyServices'>;
  /** The replica of the uploads bucket, without its key and log target. */
  readonly replica: Omit<SecureBucketProps, 'encryptionKey' | 'serverAccessLogsBucket' | 'replicaBucket'>;
  /** The bucket receiving the replica bucket's S3 server access logs. */
  readonly accessLogs: Omit<SecureBucketProps, 'encryptionKey' | 'serverAccessLogsBucket' | 'replicaBucket'>;
  /** Removal of the replica key. */
  readonly keyRemovalPolicy: RemovalPolicy;
  /** Administrators of the replica key. */
  readonly keyAdministrators: iam.IPrincipal[];
}

/**
 * What an environment keeps in its disaster-recovery region, deployed before the data layer that
 * copies into it: the vault AWS Backup copies recovery points to (its own key, the lock of the
 * environment), and the replica of the uploads bucket with its own key. Nothing here reads the home
 * region: a region outage leaves it whole.
 */
export class DrStack extends EnvironmentStack {
  public readonly vault: BackupVault;
  public readonly replicaKey: EncryptionKey;
  public readonly replicaBucket: SecureBucket;

  constructor(scope: Construct, id: string, props: DrStackProps) {
    super(scope, id, props);
    this.vault = new BackupVault(this, 'CopyVault', props.vault);
    // S3 encrypts the replicas with it, on behalf of the home region's replication role.
    this.replicaKey = new EncryptionKey(this, 'ReplicaKey', {
      description: `Replica of the uploads of ${props.name}`,
      alias: `alias/${props.name}/dr-storage`,
      removalPolicy: props.keyRemovalPolicy,
      administrators: props.keyAdministrators,
      viaServices: ['s3'],
    });
    const accessLogs = new SecureBucket(this, 'AccessLogs', props.accessLogs);
    this.replicaBucket = new SecureBucket(this, 'Replica', {
      ...props.replica,
      encryptionKey: this.replicaKey,
      serverAccessLogsBucket: accessLogs,
    });
  }
}
