import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { SecureBucket, type SecureBucketProps } from '../../constructs/data';
import { ValidationError } from '../../constructs/shared';
import { testFixture, testStack } from '../support/test-stack';

const withLogDeliveryPolicy = { context: { [cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY]: true } };

describe('SecureBucket default Object Lock retention', () => {
  test('none by default: Object Lock on, objects stay deletable', () => {
    const stack = testStack();
    new SecureBucket(stack, 'Bucket');
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: Match.absent(),
    });
  });

  test.each([
    [undefined, 'GOVERNANCE'],
    [s3.ObjectLockMode.GOVERNANCE, 'GOVERNANCE'],
    [s3.ObjectLockMode.COMPLIANCE, 'COMPLIANCE'],
  ] as const)('mode %s locks new versions for the given days in %s mode', (mode, rendered) => {
    const stack = testStack();
    new SecureBucket(stack, 'Bucket', {
      objectLockRetentionDays: 30,
      objectLockRetentionMode: mode,
      expirationDays: 90,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: { Mode: rendered, Days: 30 } },
      },
    });
  });

  const invalid: Array<[string, SecureBucketProps, RegExp]> = [
    ['0 days', { objectLockRetentionDays: 0 }, /objectLockRetentionDays: 0 is not a retention S3 accepts/],
    ['a fraction of a day', { objectLockRetentionDays: 1.5 }, /objectLockRetentionDays: 1.5 is not a retention/],
    [
      'a lock that outlasts the expiration',
      { objectLockRetentionDays: 400, expirationDays: 365 },
      /objectLockRetentionDays: 400 days of retention outlast the 365 days after which objects expire/,
    ],
    [
      'a lock on a bucket destroyed with its stack',
      { objectLockRetentionDays: 7, removalPolicy: RemovalPolicy.DESTROY },
      /objectLockRetentionDays: 7 days of retention on a bucket destroyed with its stack/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, props, message) => {
    expect(() => new SecureBucket(testStack(), 'Bucket', props)).toThrow(ValidationError);
    expect(() => new SecureBucket(testStack(), 'Bucket', props)).toThrow(message);
  });
});

describe('SecureBucket policy statements for AWS services', () => {
  type Statement = {
    Effect: string;
    Principal?: { Service?: string; AWS?: unknown };
    Condition?: Record<string, Record<string, unknown>>;
  };

  function statementsOf(template: Template): Statement[] {
    return Object.values(template.findResources('AWS::S3::BucketPolicy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
    );
  }

  test('every statement granting a service principal names the source account, also those other constructs add', () => {
    const { stack, vpc } = testFixture(withLogDeliveryPolicy);
    const logs = new SecureBucket(stack, 'AccessLogs');
    new SecureBucket(stack, 'Uploads', { serverAccessLogsBucket: logs });
    const alb = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
    alb.logAccessLogs(logs, 'alb/test');
    logs.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        resources: [logs.arnForObjects('cdn/*')],
      }),
    );

    const services = statementsOf(Template.fromStack(stack)).filter((st) => st.Principal?.Service !== undefined);
    // S3 server access logging, and the load balancer's and the extra log-delivery grants.
    expect(services.map((st) => st.Principal?.Service).sort()).toEqual([
      'delivery.logs.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'delivery.logs.amazonaws.com',
      'logging.s3.amazonaws.com',
    ]);
    for (const statement of services) {
      expect(statement.Condition?.StringEquals?.['aws:SourceAccount']).toBe('123456789012');
    }
    // Conditions already there stay: the ACL the log delivery must set, S3 logging's source bucket.
    expect(
      services.filter((st) => st.Condition?.StringEquals?.['s3:x-amz-acl'] === 'bucket-owner-full-control'),
    ).toHaveLength(1);
    expect(services.find((st) => st.Principal?.Service === 'logging.s3.amazonaws.com')?.Condition?.ArnLike).toEqual({
      'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^Uploads/), 'Arn'] },
    });
  });

  test('statements for accounts, denials and ones already restricted are left as they are', () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Bucket');
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
        resources: [bucket.arnForObjects('*')],
        conditions: { StringEquals: { 'aws:SourceAccount': '999999999999' } },
      }),
    );
    const statements = statementsOf(Template.fromStack(stack));
    expect(statements.find((st) => st.Principal?.Service)?.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': '999999999999' },
    });
    // The TLS denials (Principal AWS *) carry no source account.
    for (const denial of statements.filter((st) => st.Effect === 'Deny')) {
      expect(JSON.stringify(denial.Condition)).not.toContain('aws:SourceAccount');
    }
  });

  test("a caller's statement object is not changed", () => {
    const stack = testStack();
    const bucket = new SecureBucket(stack, 'Bucket');
    const statement = new iam.PolicyStatement({
      actions: ['s3:GetBucketAcl'],
      principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
      resources: [bucket.bucketArn],
    });
    bucket.addToResourcePolicy(statement);
    expect(statement.conditions).toEqual({});
  });
});
