import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EncryptionKey } from '../../constructs/security';
import { testStack } from '../support/test-stack';

const stack = () => testStack();

describe('EncryptionKey', () => {
  test('rotates, has an alias, and the account may administer but not use it directly', () => {
    const s = stack();
    new EncryptionKey(s, 'Key', { description: 'test', alias: 'alias/test/key' });
    const t = Template.fromStack(s);
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      PendingWindowInDays: 30,
      KeyPolicy: {
        Statement: [
          Match.objectLike({ Sid: 'AccountAdministersTheKey', Action: Match.not(Match.arrayWith(['kms:Decrypt'])) }),
          Match.objectLike({ Sid: 'DenyGrantsExceptForAwsServices', Effect: 'Deny' }),
        ],
      },
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain' });
    t.hasResourceProperties('AWS::KMS::Alias', { AliasName: 'alias/test/key' });
    const policy = JSON.stringify(t.findResources('AWS::KMS::Key'));
    expect(policy).not.toContain('"kms:*"');
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
