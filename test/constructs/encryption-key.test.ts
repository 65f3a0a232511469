import { CliCredentialsStackSynthesizer, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptionKey } from '../../constructs/security';
import { testStack } from '../support/test-stack';

const stack = () => testStack();

/** The account's root principal, as CDK renders it. */
const ROOT = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::123456789012:root']] };
/** The default synthesizer's CloudFormation execution role. */
const DEPLOYMENT_ROLE =
  'arn:${AWS::Partition}:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1';

interface Statement {
  Sid?: string;
  Effect: string;
  Principal: unknown;
  Action: string | string[];
  Condition?: unknown;
}

/** The statements of the stack's only key. */
function keyStatements(s: Stack): Statement[] {
  return Object.values(Template.fromStack(s).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy.Statement;
}

describe('EncryptionKey', () => {
  test('rotates, has an alias; administered by the deployment role only, recoverable by the root user', () => {
    const s = stack();
    new EncryptionKey(s, 'Key', { description: 'test', alias: 'alias/test/key' });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      KeyPolicy: {
        Statement: [
          Match.objectLike({
            Sid: 'AdministratorsAdministerTheKey',
            // KMS refuses a key whose policy would not let its creator change the policy again.
            Principal: { AWS: { 'Fn::Sub': DEPLOYMENT_ROLE } },
            Action: Match.arrayWith(['kms:Put*', 'kms:ScheduleKeyDeletion']),
          }),
          Match.objectLike({
            Sid: 'RootUserRecoversTheKey',
            Principal: { AWS: ROOT },
            Action: [
              'kms:PutKeyPolicy',
              'kms:GetKeyPolicy',
              'kms:DescribeKey',
              'kms:EnableKey',
              'kms:CancelKeyDeletion',
            ],
            Condition: { StringEquals: { 'aws:PrincipalArn': ROOT } },
          }),
          Match.objectLike({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' }),
        ],
      },
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test/key' });
    const policy = JSON.stringify(t.findResources('AWS::KMS::Key'));
    expect(policy).not.toContain('"kms:*"');
  });

  test('no statement lets the account (any IAM identity with a policy) administer the key: only the root user, by condition', () => {
    const s = stack();
    new EncryptionKey(s, 'Key', { description: 'test', viaServices: ['s3'], allowCloudWatchLogs: true });
    const statements = keyStatements(s);
    const administering = (action: string) =>
      ['kms:*', 'kms:Put*', 'kms:PutKeyPolicy', 'kms:ScheduleKeyDeletion', 'kms:Disable*', 'kms:DisableKey'].includes(
        action,
      );
    const toRoot = statements.filter(
      (st) => st.Effect === 'Allow' && JSON.stringify(st.Principal) === JSON.stringify({ AWS: ROOT }),
    );
    for (const st of toRoot.filter((st) => [st.Action].flat().some(administering))) {
      expect(st.Condition).toEqual({ StringEquals: { 'aws:PrincipalArn': ROOT } });
      expect([st.Action].flat()).not.toContain('kms:ScheduleKeyDeletion');
    }
    expect(toRoot.filter((st) => [st.Action].flat().some(administering))).toHaveLength(1);
  });

  test('configured administrators administer the key beside the deployment role; more can be added', () => {
    const s = stack();
    const key = new EncryptionKey(s, 'Key', {
      description: 'test',
      administrators: [new iam.ArnPrincipal('arn:aws:iam::123456789012:role/KeyAdministrator')],
    });
    key.addAdministrators(new iam.ArnPrincipal('arn:aws:iam::123456789012:role/SecurityTeam'));
    const admin = keyStatements(s).find((st) => st.Sid === 'AdministratorsAdministerTheKey')!;
    expect(admin.Principal).toEqual({
      AWS: [
        { 'Fn::Sub': DEPLOYMENT_ROLE },
        'arn:aws:iam::123456789012:role/KeyAdministrator',
        'arn:aws:iam::123456789012:role/SecurityTeam',
      ],
    });
    expect([admin.Action].flat()).not.toEqual(expect.arrayContaining(['kms:Decrypt']));
  });

  test('the deployment role can be named; a synthesizer without a known role needs it', () => {
    const named = stack();
    new EncryptionKey(named, 'Key', {
      description: 'test',
      deploymentRole: new iam.ArnPrincipal('arn:aws:iam::123456789012:role/Deployer'),
    });
    expect(keyStatements(named)[0].Principal).toEqual({ AWS: 'arn:aws:iam::123456789012:role/Deployer' });

    const cli = testStack({ props: { synthesizer: new CliCredentialsStackSynthesizer() } });
    expect(() => new EncryptionKey(cli, 'Key', { description: 'test' })).toThrow(/pass deploymentRole/);
  });

  test('data actions only through the listed services, from this account', () => {
    const s = stack();
    new EncryptionKey(s, 'Key', { description: 'test', viaServices: ['rds', 'secretsmanager'] });
    Template.fromStack(s).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AccountUsesTheKeyThroughServices',
            Action: Match.arrayWith(['kms:Decrypt', 'kms:GenerateDataKey*', 'kms:CreateGrant']),
            Condition: {
              StringEquals: {
                'kms:CallerAccount': '123456789012',
                'kms:ViaService': ['rds.eu-west-1.amazonaws.com', 'secretsmanager.eu-west-1.amazonaws.com'],
              },
            },
          }),
        ]),
      },
    });
  });

  test('an IAM grant alone gives no direct use: the key policy has no unconditional data statement', () => {
    const s = stack();
    const key = new EncryptionKey(s, 'Key', { description: 'test', viaServices: ['s3'] });
    key.grantDecrypt(new iam.Role(s, 'Role', { assumedBy: new iam.AccountRootPrincipal() }));
    const statements = Object.values(Template.fromStack(s).findResources('AWS::KMS::Key'))[0].Properties.KeyPolicy
      .Statement as Array<{ Effect: string; Action: string | string[]; Condition?: unknown }>;
    const unconditionalData = statements.filter(
      (st) => st.Effect === 'Allow' && [st.Action].flat().includes('kms:Decrypt') && st.Condition === undefined,
    );
    expect(unconditionalData).toEqual([]);
  });

  test('CloudWatch Logs of this account and region only', () => {
    const s = stack();
    new EncryptionKey(s, 'Key', { description: 'test', allowCloudWatchLogs: true });
    Template.fromStack(s).hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'logs.eu-west-1.amazonaws.com' },
            Condition: {
              ArnLike: {
                'kms:EncryptionContext:aws:logs:arn': {
                  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:*']],
                },
              },
            },
          }),
        ]),
      },
    });
  });
});
