import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { AlarmTopic } from '../../constructs/observability';
import { EncryptionKey } from '../../constructs/security';
import { testStack } from '../support/test-stack';

const SOURCE_CONDITIONS = {
  StringEquals: { 'aws:SourceAccount': '123456789012' },
  ArnLike: {
    'aws:SourceArn': {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:123456789012:alarm:*']],
    },
  },
};

function build(props: Partial<ConstructorParameters<typeof AlarmTopic>[2]> = {}) {
  const stack = testStack();
  const key = new EncryptionKey(stack, 'Key', { description: 'alarms' });
  const topic = new AlarmTopic(stack, 'Alarms', { topicName: 'shop-prod-paging', encryptionKey: key, ...props });
  return { stack, key, topic, template: Template.fromStack(stack) };
}

describe('AlarmTopic', () => {
  test('the topic is encrypted with the given key', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'shop-prod-paging',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  test('CloudWatch alarms of this account and region only may publish, over TLS only', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
          Match.objectLike({
            Sid: 'CloudWatchAlarmsOfThisAccountPublish',
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: SOURCE_CONDITIONS,
          }),
        ]),
      },
    });
  });

  test('the key lets CloudWatch alarms of this account generate data keys, once however many topics share it', () => {
    const stack = testStack();
    const key = new EncryptionKey(stack, 'Key', { description: 'alarms' });
    new AlarmTopic(stack, 'Paging', { topicName: 'paging', encryptionKey: key });
    new AlarmTopic(stack, 'Notifications', { topicName: 'notifications', encryptionKey: key });
    const statements =
      Template.fromStack(stack).findResources('AWS::KMS::Key').Key4E8E5B2F ??
      Object.values(Template.fromStack(stack).findResources('AWS::KMS::Key'))[0];
    const cloudWatch = (statements.Properties.KeyPolicy.Statement as Array<Record<string, unknown>>).filter(
      (statement) => JSON.stringify(statement.Principal) === JSON.stringify({ Service: 'cloudwatch.amazonaws.com' }),
    );
    expect(cloudWatch).toEqual([
      {
        Sid: 'CloudWatchAlarmsOfThisAccountPublishToTopics',
        Effect: 'Allow',
        Principal: { Service: 'cloudwatch.amazonaws.com' },
        Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        Resource: '*',
        Condition: SOURCE_CONDITIONS,
      },
    ]);
  });

  test('an imported key is used as is', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/abc');
    new AlarmTopic(stack, 'Alarms', { topicName: 'paging', encryptionKey: key });
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 0);
  });

  test('subscribes every e-mail address, and nothing without them', () => {
    build({ emails: [] }).template.resourceCountIs('AWS::SNS::Subscription', 0);
    const { template } = build({ emails: ['a@example.com', 'b@example.com'] });
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'b@example.com' });
    template.resourceCountIs('AWS::Chatbot::SlackChannelConfiguration', 0);
  });

  test('a Slack channel gets the topic through AWS Chatbot, with a read-only guardrail and a role without permissions', () => {
    const { template } = build({ slack: { workspaceId: 'T0123456789', channelId: 'C0123456789' } });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', {
      ConfigurationName: 'shop-prod-paging',
      SlackWorkspaceId: 'T0123456789',
      SlackChannelId: 'C0123456789',
      SnsTopicArns: [{ Ref: Match.stringLikeRegexp('^AlarmsTopic') }],
      GuardrailPolicies: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/CloudWatchReadOnlyAccess']] },
      ],
      UserRoleRequired: false,
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Principal: { Service: 'chatbot.amazonaws.com' } })],
      },
      ManagedPolicyArns: Match.absent(),
      Policies: Match.absent(),
    });
    template.resourceCountIs('AWS::IAM::Policy', 0);
  });
});
