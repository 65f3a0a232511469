import { DefaultStackSynthesizer, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { EncryptionKey } from '../security/encryption-key';
import { ValidationError } from '../shared/errors';
import { throwOnProblems } from '../shared/problems';
import { backupVaultProblems, type VaultLockDays } from './backup-rules';

/** Properties of a {@link BackupVault}. */
export interface BackupVaultProps {
  /**
   * Physical name, 2 to 50 letters, digits, hyphens or underscores. Fixed, so that a stack in another
   * region can name this vault as a copy destination by its constructed ARN
   * (`arn:<partition>:backup:<region>:<account>:backup-vault:<name>`). Changing it replaces the vault.
   */
  readonly vaultName: string;

  /**
   * Key the vault encrypts the recovery points it fully manages with (S3, and copies of RDS snapshots
   * into this vault). AWS Backup uses it through `backup` and `rds` in this region; the key policy
   * must allow that. A vault's key cannot change: another key means another vault.
   *
   * @default - a new {@link EncryptionKey} usable through AWS Backup and RDS (plus `keyServices`)
   */
  readonly encryptionKey?: kms.IKey;

  /**
   * More services (e.g. `dynamodb`, `elasticfilesystem`, `ec2`) through which the new key may be used,
   * for vaults that receive copies of those resources. Ignored with `encryptionKey`.
   *
   * @default - none beyond `backup` and `rds`
   */
  readonly keyServices?: readonly string[];

  /**
   * People's roles that administer the vault's protections: they, the deployment role and the
   * account's root user are the only principals that may change or delete the vault's access policy
   * and Vault Lock. They also administer the new key unless `keyAdministrators` says otherwise. Each must exist when the vault is created.
   *
   * @default - nobody but the deployment role and the root user
   */
  readonly administrators?: iam.IRole[];

  /**
   * Principals that administer the vault's key (`EncryptionKey.administrators`): people who manage
   * keys without being allowed to lift the vault's protections. Ignored when `encryptionKey` is given.
   *
   * @default - the `administrators`
   */
  readonly keyAdministrators?: iam.IPrincipal[];

  /**
   * The role CloudFormation deploys the stack with. The access policy exempts it, so later deployments
   * can still update the policy and the lock.
   *
   * @default - the CloudFormation execution role of the stack's `DefaultStackSynthesizer`; other
   *   synthesizers must pass it
   */
  readonly deploymentRole?: iam.IRole;

  /**
   * Turns Vault Lock on: every backup and copy job into the vault must keep its recovery points at
   * least this many days (jobs with a shorter retention fail), and nobody can delete a recovery point
   * or shorten its retention early. Without `lockChangeableForDays` the lock is in governance mode.
   *
   * @default - no Vault Lock
   */
  readonly lockMinRetentionDays?: number;

  /**
   * With a lock: the most days a backup or copy job into the vault may keep its recovery points (jobs
   * with a longer retention fail). Must exceed `lockMinRetentionDays`.
   *
   * @default - no maximum
   */
  readonly lockMaxRetentionDays?: number;

  /**
   * With a lock: days (3 or more) after which the lock switches to compliance mode and becomes
   * immutable. Until then it can be changed or removed; after that nobody, not even the root user or
   * AWS, can remove it, delete recovery points early or delete the vault while it holds any.
   * CloudFormation then fails any update that changes or removes `LockConfiguration`.
   *
   * @default - governance mode: the lock can be changed or removed by a principal allowed
   *   `backup:DeleteBackupVaultLockConfiguration` (here: the administrators and the deployment role)
   */
  readonly lockChangeableForDays?: number;

  /**
   * What happens to the vault (and a new key) when it leaves the stack. AWS Backup refuses to delete
   * a vault that holds recovery points, and this vault's access policy forbids deleting them, so
   * `DESTROY` works only for a vault that never received any (or whose points all expired).
   * A vault with a compliance-mode lock must be retained.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** Actions on recovery points that nobody may call: AWS Backup's own lifecycle still expires them. */
const PROTECTED_RECOVERY_POINT_ACTIONS = ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'];

/** Actions that would lift the protections; only the administrators may call them. */
const PROTECTION_ACTIONS = [
  'backup:PutBackupVaultAccessPolicy',
  'backup:DeleteBackupVaultAccessPolicy',
  'backup:PutBackupVaultLockConfiguration',
  'backup:DeleteBackupVaultLockConfiguration',
];

/**
 * An AWS Backup vault whose recovery points cannot be deleted by anyone before AWS Backup's lifecycle
 * expires them:
 *
 * - encrypted with its own customer-managed key ({@link EncryptionKey}, usable only through AWS Backup
 *   and RDS in this region), unless given one;
 * - its access policy denies `backup:DeleteRecoveryPoint` and `backup:UpdateRecoveryPointLifecycle` to
 *   every principal, administrators included (retention is the plan's business; a vault policy never
 *   limits AWS Backup's lifecycle expiry), and denies changing or deleting the access policy or the
 *   Vault Lock to everyone but the administrators, the deployment role and the root user. Denying
 *   those to everyone would lock CloudFormation itself out of the next update, for good;
 * - optionally under Vault Lock, in governance or (after `lockChangeableForDays`) compliance mode.
 *
 * The access policy governs AWS Backup's API only. Snapshot-based recovery points (RDS, EBS) can also
 * be reached through their own services' APIs (copy, share): restrict those with IAM or an SCP, and use
 * Vault Lock where an administrator of the account must not be able to undo the protections.
 */
export class BackupVault extends Construct {
  /**
   * The Vault Lock range of `vault` when it is the vault of a {@link BackupVault}, else `undefined`
   * (an imported vault, a vault without lock).
   */
  public static lockOf(vault: backup.IBackupVault): VaultLockDays | undefined {
    const owner = vault.node.scope;
    return owner instanceof BackupVault ? owner.lock : undefined;
  }

  /** The vault. */
  public readonly vault: backup.IBackupVault;
  /** The key the vault encrypts with. */
  public readonly key: kms.IKey;
  /** The vault's ARN. */
  public readonly vaultArn: string;
  /** The vault's name. */
  public readonly vaultName: string;
  /** The retention range the Vault Lock enforces, if the vault has one. */
  public readonly lock?: VaultLockDays;

  constructor(scope: Construct, id: string, props: BackupVaultProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    throwOnProblems(
      this,
      backupVaultProblems({
        vaultName: props.vaultName,
        lockMinRetentionDays: props.lockMinRetentionDays,
        lockMaxRetentionDays: props.lockMaxRetentionDays,
        lockChangeableForDays: props.lockChangeableForDays,
        destroyedWithStack: removalPolicy === RemovalPolicy.DESTROY,
      }),
    );

    const deploymentRole = props.deploymentRole ?? deploymentRoleOf(this);
    const administrators = props.administrators ?? [];
    this.key =
      props.encryptionKey ??
      new EncryptionKey(this, 'Key', {
        description: `Recovery points of the AWS Backup vault ${props.vaultName}`,
        alias: `alias/backup/${props.vaultName}`,
        viaServices: ['backup', 'rds', ...(props.keyServices ?? [])],
        administrators: props.keyAdministrators ?? administrators,
        deploymentRole,
        removalPolicy,
      });

    const stack = Stack.of(this);
    const root = `arn:${stack.partition}:iam::${stack.account}:root`;
    const accessPolicy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'NobodyDeletesRecoveryPoints',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: PROTECTED_RECOVERY_POINT_ACTIONS,
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'OnlyAdministratorsChangeProtections',
          effect: iam.Effect.DENY,
          principals: [new iam.AnyPrincipal()],
          actions: PROTECTION_ACTIONS,
          resources: ['*'],
          conditions: {
            ArnNotEquals: {
              'aws:PrincipalArn': [deploymentRole.roleArn, ...administrators.map((role) => role.roleArn), root],
            },
          },
        }),
      ],
    });

    this.lock =
      props.lockMinRetentionDays === undefined
        ? undefined
        : { minRetentionDays: props.lockMinRetentionDays, maxRetentionDays: props.lockMaxRetentionDays };
    const vault = new backup.BackupVault(this, 'Resource', {
      backupVaultName: props.vaultName,
      encryptionKey: this.key,
      accessPolicy,
      removalPolicy,
      lockConfiguration:
        props.lockMinRetentionDays === undefined
          ? undefined
          : {
              minRetention: Duration.days(props.lockMinRetentionDays),
              maxRetention:
                props.lockMaxRetentionDays === undefined ? undefined : Duration.days(props.lockMaxRetentionDays),
              changeableFor:
                props.lockChangeableForDays === undefined ? undefined : Duration.days(props.lockChangeableForDays),
            },
    });
    this.vault = vault;
    this.vaultArn = vault.backupVaultArn;
    this.vaultName = vault.backupVaultName;
  }
}

/** The role the stack's default synthesizer has CloudFormation deploy with. */
function deploymentRoleOf(scope: Construct): iam.IRole {
  const synthesizer = Stack.of(scope).synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) {
    throw new ValidationError(
      scope,
      `cannot tell which role CloudFormation deploys this stack with (synthesizer ${synthesizer.constructor.name}); pass deploymentRole`,
    );
  }
  // The ARN keeps the ${AWS::Partition} placeholder, which Fn::Sub resolves.
  return iam.Role.fromRoleArn(scope, 'DeploymentRole', Fn.sub(synthesizer.cloudFormationExecutionRoleArn), {
    mutable: false,
  });
}
