import { CliCredentialsStackSynthesizer, RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as backup from 'aws-cdk-lib/aws-backup';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BackupVault, type BackupVaultProps } from '../../constructs/backup';
import { testStack, thrown } from '../support/test-stack';

/** The default synthesizer's CloudFormation execution role. */
const DEPLOYMENT_ROLE = {
  'Fn::Sub': 'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1',
};
const ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] };
const ADMIN_ARN = 'arn:aws:iam::123456789012:role/BackupAdmin';

function build(overrides: Partial<BackupVaultProps> = {}) {
  const stack = testStack();
  const admin = iam.Role.fromRoleArn(stack, 'Admin', ADMIN_ARN);
  const vault = new BackupVault(stack, 'Vault', { vaultName: 'shop-prod', administrators: [admin], ...overrides });
  return { stack, vault, template: Template.fromStack(stack) };
}

/** The only vault's properties and policies. */
function vaultResource(template: Template) {
  const vaults = Object.values(template.findResources('AWS::Backup::BackupVault'));
  expect(vaults).toHaveLength(1);
  return vaults[0];
}

describe('BackupVault', () => {
  test('a named vault encrypted with its own key, retained, without lock by default', () => {
    const { stack, vault, template } = build();
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    const resource = vaultResource(template);
    expect(resource.Properties).toMatchObject({
      BackupVaultName: 'shop-prod',
      EncryptionKeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    expect(resource.Properties.LockConfiguration).toBeUndefined();
    expect(resource.DeletionPolicy).toBe('Retain');
    expect(resource.UpdateReplacePolicy).toBe('Retain');
    expect(vault.lock).toBeUndefined();
    expect(stack.resolve(vault.vaultArn)).toEqual({ 'Fn::GetAtt': [expect.any(String), 'BackupVaultArn'] });
    expect(stack.resolve(vault.key.keyArn)).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('the key is usable only through AWS Backup and RDS of this region, administered by the administrators', () => {
    const { template } = build({ keyServices: ['dynamodb'] });
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AdministratorsAdministerTheKey',
            Principal: { AWS: [DEPLOYMENT_ROLE, ADMIN_ARN] },
          }),
          Match.objectLike({
            Sid: 'AccountUsesTheKeyThroughServices',
            Condition: {
              StringEquals: {
                'kms:CallerAccount': '123456789012',
                'kms:ViaService': [
                  'backup.eu-west-1.amazonaws.com',
                  'rds.eu-west-1.amazonaws.com',
                  'dynamodb.eu-west-1.amazonaws.com',
                ],
              },
            },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/backup/shop-prod' });
  });

  test('key administrators of their own administer the key without lifting the vault protections', () => {
    const keyAdmin = 'arn:aws:iam::123456789012:role/KeyAdministrator';
    const { template } = build({ keyAdministrators: [new iam.ArnPrincipal(keyAdmin)] });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'AdministratorsAdministerTheKey', Principal: { AWS: [DEPLOYMENT_ROLE, keyAdmin] } }),
        ]),
      },
    });
    // The vault's own administrators (who may lift its protections) are still the ones given.
    expect(JSON.stringify(vaultResource(template).Properties.AccessPolicy)).not.toContain('KeyAdministrator');
  });

  test('nobody may delete recovery points or change their lifecycle, administrators included', () => {
    const { template } = build();
    const statements = vaultResource(template).Properties.AccessPolicy.Statement;
    expect(statements[0]).toEqual({
      Sid: 'NobodyDeletesRecoveryPoints',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['backup:DeleteRecoveryPoint', 'backup:UpdateRecoveryPointLifecycle'],
      Resource: '*',
    });
  });

  test('only the deployment role, the administrators and the root user may change the policy or the lock', () => {
    const { template } = build();
    const statements = vaultResource(template).Properties.AccessPolicy.Statement;
    expect(statements).toHaveLength(2);
    expect(statements[1]).toEqual({
      Sid: 'OnlyAdministratorsChangeProtections',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: [
        'backup:PutBackupVaultAccessPolicy',
        'backup:DeleteBackupVaultAccessPolicy',
        'backup:PutBackupVaultLockConfiguration',
        'backup:DeleteBackupVaultLockConfiguration',
      ],
      Resource: '*',
      // Without the deployment role here, CloudFormation could never update the policy again.
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [DEPLOYMENT_ROLE, ADMIN_ARN, ROOT] } },
    });
    // No statement allows anything: access stays with IAM.
    expect(statements.every((s: { Effect: string }) => s.Effect === 'Deny')).toBe(true);
  });

  test('a governance lock: minimum and maximum retention, no cooling-off', () => {
    const { vault, template } = build({ lockMinRetentionDays: 7, lockMaxRetentionDays: 400 });
    expect(vaultResource(template).Properties.LockConfiguration).toEqual({
      MinRetentionDays: 7,
      MaxRetentionDays: 400,
    });
    expect(vault.lock).toEqual({ minRetentionDays: 7, maxRetentionDays: 400 });
    expect(BackupVault.lockOf(vault.vault)).toEqual({ minRetentionDays: 7, maxRetentionDays: 400 });
  });

  test('a compliance lock after the cooling-off days', () => {
    const { template } = build({ lockMinRetentionDays: 7, lockChangeableForDays: 3 });
    expect(vaultResource(template).Properties.LockConfiguration).toEqual({
      MinRetentionDays: 7,
      ChangeableForDays: 3,
    });
  });

  test('lockOf knows nothing of imported vaults', () => {
    const stack = testStack();
    const imported = backup.BackupVault.fromBackupVaultName(stack, 'Imported', 'other');
    expect(BackupVault.lockOf(imported)).toBeUndefined();
  });

  test('a given key is used as is, without a new one', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Given');
    new BackupVault(stack, 'Vault', { vaultName: 'shop-prod', encryptionKey: key });
    const template = Template.fromStack(stack);
    expect(Object.keys(template.findResources('AWS::KMS::Key'))).toEqual([
      stack.getLogicalId(key.node.defaultChild as kms.CfnKey),
    ]);
    expect(vaultResource(template).Properties.EncryptionKeyArn).toEqual({
      'Fn::GetAtt': [stack.getLogicalId(key.node.defaultChild as kms.CfnKey), 'Arn'],
    });
  });

  test('a disposable vault (and key) without lock may be destroyed with its stack', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    expect(vaultResource(template).DeletionPolicy).toBe('Delete');
    template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
  });

  test('other synthesizers must name the deployment role', () => {
    const stack = testStack({ props: { synthesizer: new CliCredentialsStackSynthesizer() } });
    expect(thrown(() => new BackupVault(stack, 'Vault', { vaultName: 'shop-prod' }))).toBe(
      'Test/Vault: cannot tell which role CloudFormation deploys this stack with (synthesizer CliCredentialsStackSynthesizer); pass deploymentRole',
    );
    const role = iam.Role.fromRoleArn(stack, 'Deployer', 'arn:aws:iam::123456789012:role/Deployer');
    new BackupVault(stack, 'Ok', { vaultName: 'shop-prod', deploymentRole: role });
    const statements = vaultResource(Template.fromStack(stack)).Properties.AccessPolicy.Statement;
    expect(statements[1].Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([
      'arn:aws:iam::123456789012:role/Deployer',
      ROOT,
    ]);
  });

  test('rejects a compliance lock on a vault destroyed with its stack, with every other problem', () => {
    expect(
      thrown(() =>
        build({
          vaultName: 'shop prod',
          lockMinRetentionDays: 7,
          lockChangeableForDays: 3,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
      ),
    ).toBe(
      'Test/Vault: 2 invalid props:\n' +
        '  vaultName: "shop prod" is not a vault name AWS Backup accepts; use 2 to 50 letters, digits, hyphens or underscores\n' +
        '  removalPolicy: a vault in compliance mode (locked for good after 3 days) can never be deleted while it holds recovery points, and nobody can delete them early; retain the vault (RemovalPolicy.RETAIN)',
    );
  });

  test('rejects a cooling-off period under 72 hours before aws-cdk-lib does', () => {
    expect(thrown(() => build({ lockMinRetentionDays: 7, lockChangeableForDays: 2 }))).toContain(
      'lockChangeableForDays: 2 days: AWS Backup enforces a cooling-off period of 72 hours',
    );
  });
});
