import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CostGuard, type CostGuardProps } from '../../constructs/observability';
import { testStack, thrown } from '../support/test-stack';

function build(overrides: Partial<CostGuardProps> = {}, options: { encrypted?: boolean } = {}) {
  const stack = testStack();
  const key = options.encrypted === true ? new kms.Key(stack, 'TopicKey') : undefined;
  const topic = new sns.Topic(stack, 'Topic', { masterKey: key });
  const guard = new CostGuard(stack, 'Cost', {
    name: 'shop-prod',
    monthlyLimitUsd: 500,
    costAllocationTag: { key: 'Environment', value: 'prod' },
    topic,
    topicKey: key,
    ...overrides,
  });
  return { stack, topic, key, guard, template: Template.fromStack(stack) };
}

const topicRef = (stack: ReturnType<typeof build>['stack'], topic: sns.Topic) => ({
  Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic),
});

describe('CostGuard', () => {
  test('a monthly budget of the tagged costs, forecast at 100 % and actual at 80 and 100 % to the topic', () => {
    const { stack, topic, template } = build();
    const sns_ = (type: string, threshold: number) => ({
      Notification: {
        NotificationType: type,
        ComparisonOperator: 'GREATER_THAN',
        Threshold: threshold,
        ThresholdType: 'PERCENTAGE',
      },
      Subscribers: [{ SubscriptionType: 'SNS', Address: topicRef(stack, topic) }],
    });
    template.hasResourceProperties('AWS::Budgets::Budget', {
      Budget: {
        BudgetName: 'shop-prod',
        BudgetType: 'COST',
        TimeUnit: 'MONTHLY',
        BudgetLimit: { Amount: 500, Unit: 'USD' },
        FilterExpression: { Tags: { Key: 'Environment', Values: ['prod'], MatchOptions: ['EQUALS'] } },
      },
      NotificationsWithSubscribers: [sns_('FORECASTED', 100), sns_('ACTUAL', 80), sns_('ACTUAL', 100)],
    });
  });

  test('thresholds are props', () => {
    const { template } = build({ forecastedThresholdsPercent: [90, 120], actualThresholdsPercent: [100] });
    const [budget] = Object.values(template.findResources('AWS::Budgets::Budget'));
    expect(
      (
        budget.Properties.NotificationsWithSubscribers as Array<{
          Notification: { NotificationType: string; Threshold: number };
        }>
      ).map((n) => `${n.Notification.NotificationType} ${n.Notification.Threshold}`),
    ).toEqual(['FORECASTED 90', 'FORECASTED 120', 'ACTUAL 100']);
  });

  test('a CUSTOM anomaly monitor scoped by the tag (never a second account-wide SERVICE monitor), notifying at once', () => {
    const { stack, topic, template } = build({ anomalyImpactThresholdUsd: 50 });
    const monitors = Object.values(template.findResources('AWS::CE::AnomalyMonitor'));
    expect(monitors).toHaveLength(1);
    expect(monitors[0].Properties).toEqual({
      MonitorName: 'shop-prod',
      MonitorType: 'CUSTOM',
      MonitorSpecification: expect.any(String),
    });
    expect(JSON.parse(monitors[0].Properties.MonitorSpecification as string)).toEqual({
      Tags: { Key: 'Environment', Values: ['prod'], MatchOptions: ['EQUALS'] },
    });
    const [monitorId] = Object.keys(template.findResources('AWS::CE::AnomalyMonitor'));
    const [subscription] = Object.values(template.findResources('AWS::CE::AnomalySubscription'));
    expect(subscription.Properties).toMatchObject({
      SubscriptionName: 'shop-prod',
      Frequency: 'IMMEDIATE',
      MonitorArnList: [{ 'Fn::GetAtt': [monitorId, 'MonitorArn'] }],
      Subscribers: [{ Type: 'SNS', Address: topicRef(stack, topic) }],
    });
    expect(JSON.parse(subscription.Properties.ThresholdExpression as string)).toEqual({
      Dimensions: { Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE', Values: ['50'], MatchOptions: ['GREATER_THAN_OR_EQUAL'] },
    });
  });

  test('the topic policy lets Budgets (this account, its budgets) and Cost Anomaly Detection publish, before they notify', () => {
    const { stack, topic, template } = build();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Sid: 'AllowBudgetsToPublish',
            Principal: { Service: 'budgets.amazonaws.com' },
            Action: 'sns:Publish',
            Resource: topicRef(stack, topic),
            Condition: {
              StringEquals: { 'aws:SourceAccount': '123456789012' },
              ArnLike: {
                'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':budgets::123456789012:*']] },
              },
            },
          }),
          Match.objectLike({
            Sid: 'AllowCostAnomalyDetectionToPublish',
            Principal: { Service: 'costalerts.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
    const [policyId] = Object.keys(template.findResources('AWS::SNS::TopicPolicy'));
    for (const type of ['AWS::Budgets::Budget', 'AWS::CE::AnomalySubscription']) {
      expect(Object.values(template.findResources(type))[0].DependsOn).toContain(policyId);
    }
  });

  test("with the topic's key, both services may use it for the topic", () => {
    const { template } = build({}, { encrypted: true });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: ['budgets.amazonaws.com', 'costalerts.amazonaws.com'] },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          }),
        ]),
      },
    });
  });

  test('an imported topic gets a warning: its owner must allow the services', () => {
    const stack = testStack();
    const topic = sns.Topic.fromTopicArn(stack, 'Topic', 'arn:aws:sns:eu-west-1:123456789012:alarms');
    new CostGuard(stack, 'Cost', {
      name: 'shop-prod',
      monthlyLimitUsd: 500,
      costAllocationTag: { key: 'Environment', value: 'prod' },
      topic,
    });
    Annotations.fromStack(stack).hasWarning('/Test/Cost', Match.stringLikeRegexp('allow budgets.amazonaws.com'));
  });

  test('every problem with the props is reported at once', () => {
    const message = thrown(() =>
      build({
        monthlyLimitUsd: 0,
        forecastedThresholdsPercent: [50, 50],
        actualThresholdsPercent: [10, 20, 30, 40],
        anomalyImpactThresholdUsd: -1,
      }),
    );
    expect(message).toContain('monthlyLimitUsd is 0');
    expect(message).toContain('forecastedThresholdsPercent [50,50] must be distinct');
    expect(message).toContain('6 forecasted and actual thresholds; a budget has at most 5');
    expect(message).toContain('anomalyImpactThresholdUsd is -1');
  });
});
