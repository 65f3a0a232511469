import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

/** An AWS Chatbot Slack channel that receives a topic's messages. */
export interface AlarmTopicSlackChannel {
  /** Slack workspace (team) ID, authorized in the AWS Chatbot console beforehand, e.g. `T0123456789`. */
  readonly workspaceId: string;
  /** Slack channel ID, e.g. `C0123456789`. */
  readonly channelId: string;
}

/** Properties of an {@link AlarmTopic}. */
export interface AlarmTopicProps {
  /** Name of the topic, unique in the account and region. */
  readonly topicName: string;

  /**
   * Customer-managed key the topic is encrypted with. The topic adds to its policy what CloudWatch
   * alarms of this account need to publish (`kms:GenerateDataKey*`, `kms:Decrypt`), once per key,
   * so several topics may share one.
   */
  readonly encryptionKey: kms.IKey;

  /**
   * Addresses subscribed by e-mail; each must confirm the subscription AWS mails it.
   *
   * @default - none
   */
  readonly emails?: readonly string[];

  /**
   * A Slack channel that receives the topic's messages through AWS Chatbot.
   *
   * @default - none
   */
  readonly slack?: AlarmTopicSlackChannel;
}

/** Keys that already carry the CloudWatch statement: the statement's Sid must be unique in a policy. */
const keysAllowingAlarms = new WeakSet<kms.IKey>();

/**
 * An SNS topic CloudWatch alarms of this account publish to:
 *
 * - encrypted with a customer-managed key whose policy lets CloudWatch (on behalf of alarms of this
 *   account and region only: `aws:SourceAccount`, `aws:SourceArn`) generate data keys with it; without
 *   that grant alarms on an encrypted topic deploy fine and deliver nothing;
 * - a topic policy that lets CloudWatch publish under the same conditions, and refuses every request
 *   not made over TLS;
 * - e-mail subscriptions, and optionally an AWS Chatbot Slack channel whose role has no permissions
 *   and whose guardrail is read-only: it relays notifications, nobody runs commands through it.
 */
export class AlarmTopic extends Construct {
  /** The topic. */
  public readonly topic: sns.Topic;
  /** The Slack channel configuration, when a channel is given. */
  public readonly slackChannel?: chatbot.SlackChannelConfiguration;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const sourceConditions = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: {
        'aws:SourceArn': stack.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: '*',
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
    };

    this.topic = new sns.Topic(this, 'Topic', {
      topicName: props.topicName,
      masterKey: props.encryptionKey,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsOfThisAccountPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: sourceConditions,
      }),
    );

    // An imported key ignores addToResourcePolicy: its policy is managed elsewhere.
    if (!keysAllowingAlarms.has(props.encryptionKey)) {
      keysAllowingAlarms.add(props.encryptionKey);
      props.encryptionKey.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'CloudWatchAlarmsOfThisAccountPublishToTopics',
          principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
          actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
          resources: ['*'],
          conditions: sourceConditions,
        }),
      );
    }

    for (const email of props.emails ?? []) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    }

    if (props.slack !== undefined) {
      // The role only lets Chatbot act for the channel; it needs no permissions to post
      // notifications, and the guardrail caps what a channel member could ever do to read-only.
      const role = new iam.Role(this, 'SlackRole', {
        assumedBy: new iam.ServicePrincipal('chatbot.amazonaws.com'),
        description: `AWS Chatbot channel of ${props.topicName} (notifications only)`,
      });
      this.slackChannel = new chatbot.SlackChannelConfiguration(this, 'Slack', {
        slackChannelConfigurationName: props.topicName,
        slackWorkspaceId: props.slack.workspaceId,
        slackChannelId: props.slack.channelId,
        notificationTopics: [this.topic],
        role,
        guardrailPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('CloudWatchReadOnlyAccess')],
        userRoleRequired: false,
      });
    }
  }
}
