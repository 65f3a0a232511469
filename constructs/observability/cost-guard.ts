import { Annotations, Stack, Token } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as ce from 'aws-cdk-lib/aws-ce';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct, type IConstruct } from 'constructs';
import { known, problemsOf, throwOnProblems, type Rule } from '../shared/problems';

/** A cost allocation tag: the costs of the resources carrying it. */
export interface CostAllocationTag {
  /** Tag key, e.g. `Environment`. */
  readonly key: string;
  /** Tag value, e.g. `prod`. */
  readonly value: string;
}

/** Properties of a {@link CostGuard}. */
export interface CostGuardProps {
  /**
   * Name of the budget, the anomaly monitor and its subscription, e.g. `shop-prod`. Budget names are
   * unique per account and changing one replaces the budget.
   */
  readonly name: string;
  /** The budget: the most the tagged resources should cost in a calendar month, in US dollars. */
  readonly monthlyLimitUsd: number;
  /**
   * The costs both the budget and the anomaly monitor watch: those of resources carrying this tag.
   * It must be activated as a cost allocation tag (Billing console, Cost allocation tags) before
   * costs carry it; activation is not retroactive and takes up to 24 hours.
   */
  readonly costAllocationTag: CostAllocationTag;
  /** Receives the budget and anomaly notifications. See {@link CostGuard.allowToPublish}. */
  readonly topic: sns.ITopic;
  /**
   * The KMS key `topic` is encrypted with, whose key policy then gets the statements Budgets and
   * Cost Anomaly Detection need to publish. Needed only for a key of this construct's stack
   * created here; for another key, add what {@link CostGuard.allowToPublish} describes.
   *
   * @default - the topic is not encrypted with a customer managed key, or the caller allows it
   */
  readonly topicKey?: kms.IKey;
  /**
   * Notify when the month's forecast cost reaches these percentages of the limit.
   *
   * @default [100]
   */
  readonly forecastedThresholdsPercent?: number[];
  /**
   * Notify when the month's actual cost reaches these percentages of the limit.
   *
   * @default [80, 100]
   */
  readonly actualThresholdsPercent?: number[];
  /**
   * Notify of a cost anomaly whose total impact reaches this many US dollars.
   *
   * @default 20
   */
  readonly anomalyImpactThresholdUsd?: number;
}

/** At most this many notifications per budget (AWS Budgets quota). */
export const BUDGET_MAX_NOTIFICATIONS = 5;

/** The rules of {@link CostGuardProps}, reported all at once; values that are tokens are skipped. */
export const COST_GUARD_RULES: ReadonlyArray<Rule<CostGuardProps>> = [
  {
    path: ['monthlyLimitUsd'],
    broken: (p) => known(p.monthlyLimitUsd) && !(p.monthlyLimitUsd > 0),
    message: (p) => `monthlyLimitUsd is ${p.monthlyLimitUsd}; give the monthly budget in US dollars, above 0`,
  },
  {
    path: ['forecastedThresholdsPercent'],
    broken: (p) => !thresholdsValid(p.forecastedThresholdsPercent),
    message: (p) =>
      `forecastedThresholdsPercent ${JSON.stringify(p.forecastedThresholdsPercent)} must be distinct percentages above 0`,
  },
  {
    path: ['actualThresholdsPercent'],
    broken: (p) => !thresholdsValid(p.actualThresholdsPercent),
    message: (p) =>
      `actualThresholdsPercent ${JSON.stringify(p.actualThresholdsPercent)} must be distinct percentages above 0`,
  },
  {
    path: ['forecastedThresholdsPercent'],
    broken: (p) => notifications(p).length > BUDGET_MAX_NOTIFICATIONS,
    message: (p) =>
      `${notifications(p).length} forecasted and actual thresholds; a budget has at most ${BUDGET_MAX_NOTIFICATIONS} notifications`,
  },
  {
    path: ['anomalyImpactThresholdUsd'],
    broken: (p) =>
      p.anomalyImpactThresholdUsd !== undefined &&
      known(p.anomalyImpactThresholdUsd) &&
      !(p.anomalyImpactThresholdUsd > 0),
    message: (p) => `anomalyImpactThresholdUsd is ${p.anomalyImpactThresholdUsd}; give US dollars above 0`,
  },
  {
    path: ['costAllocationTag'],
    broken: (p) => p.costAllocationTag.key.trim() === '' || p.costAllocationTag.value.trim() === '',
    message: (p) => `costAllocationTag ${JSON.stringify(p.costAllocationTag)} needs a key and a value`,
  },
];

function thresholdsValid(thresholds: number[] | undefined): boolean {
  const values = thresholds ?? [];
  return values.every((t) => Token.isUnresolved(t) || t > 0) && new Set(values).size === values.length;
}

function notifications(p: CostGuardProps): Array<{ type: 'FORECASTED' | 'ACTUAL'; percent: number }> {
  return [
    ...(p.forecastedThresholdsPercent ?? [100]).map((percent) => ({ type: 'FORECASTED' as const, percent })),
    ...(p.actualThresholdsPercent ?? [80, 100]).map((percent) => ({ type: 'ACTUAL' as const, percent })),
  ];
}

/** The service principals that publish cost notifications. */
const BUDGETS = 'budgets.amazonaws.com';
const COST_ALERTS = 'costalerts.amazonaws.com';

/**
 * Cost alerts for the resources carrying one cost allocation tag (e.g. one environment of a shared
 * account):
 *
 * - an AWS Budget (`AWS::Budgets::Budget`) of a monthly limit, notifying the topic when the forecast
 *   and the actual cost reach thresholds of it;
 * - a Cost Anomaly Detection monitor (`AWS::CE::AnomalyMonitor`) and a subscription
 *   (`AWS::CE::AnomalySubscription`) notifying the topic at once of an anomaly above an impact.
 *
 * The monitor is CUSTOM, scoped by the tag. An account has at most one DIMENSIONAL `SERVICE`
 * monitor (AWS's default "AWS services" monitor is one), so a second environment creating one
 * would fail; custom monitors have no such limit per account (AWS Cost Management quotas: 500
 * custom monitors).
 *
 * Budgets and Cost Explorer are global services: the resources are account-wide whatever the
 * stack's region, but CloudFormation offers `AWS::Budgets::Budget` in fewer regions than
 * `AWS::CE::*` (cfn-lint's registry schemas: e.g. not eu-north-1); put the construct in a stack of
 * a region that has both, once per account and tag. Deleting the stack deletes the budget, the
 * monitor and the subscription; renaming the budget replaces it and its notification history.
 *
 * Notifications need the topic's permission: the construct adds it to a topic's resource policy
 * when it can (a topic created in this app) and to `topicKey`'s key policy; see
 * {@link CostGuard.allowToPublish} for what to allow otherwise. The topic must be in the same account
 * (Budgets does not publish across accounts). Notifications on an SNS topic with IMMEDIATE frequency
 * are the only way an anomaly subscription reaches SNS (DAILY and WEEKLY send e-mail only).
 */
export class CostGuard extends Construct {
  /**
   * Allows AWS Budgets and Cost Anomaly Detection of `topic`'s account to publish to it, and, with
   * `key` (the key the topic is encrypted with), to use that key for it:
   *
   * - topic policy: `sns:Publish` for `budgets.amazonaws.com` where `aws:SourceAccount` is the
   *   account and `aws:SourceArn` one of its budgets; for `costalerts.amazonaws.com` where
   *   `aws:SourceAccount` is the account;
   * - key policy: `kms:GenerateDataKey*` and `kms:Decrypt` for both services, where
   *   `aws:SourceAccount` is the account.
   *
   * Returns whether the topic policy took the statements: an imported topic's does not, so its
   * owner must add them.
   */
  public static allowToPublish(topic: sns.ITopic, key?: kms.IKey): boolean {
    const account = Stack.of(topic).account;
    const partition = Stack.of(topic).partition;
    const sourceAccount = { StringEquals: { 'aws:SourceAccount': account } };
    const budgetsAdded = topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowBudgetsToPublish',
        principals: [new iam.ServicePrincipal(BUDGETS)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: { ...sourceAccount, ArnLike: { 'aws:SourceArn': `arn:${partition}:budgets::${account}:*` } },
      }),
    ).statementAdded;
    const costAlertsAdded = topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCostAnomalyDetectionToPublish',
        principals: [new iam.ServicePrincipal(COST_ALERTS)],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: sourceAccount,
      }),
    ).statementAdded;
    key?.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCostNotificationsToEncrypt',
        principals: [new iam.ServicePrincipal(BUDGETS), new iam.ServicePrincipal(COST_ALERTS)],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: sourceAccount,
      }),
    );
    return budgetsAdded && costAlertsAdded;
  }

  /** The budget. */
  public readonly budget: budgets.CfnBudget;
  /** The anomaly monitor. */
  public readonly anomalyMonitor: ce.CfnAnomalyMonitor;
  /** The anomaly subscription notifying the topic. */
  public readonly anomalySubscription: ce.CfnAnomalySubscription;

  constructor(scope: Construct, id: string, props: CostGuardProps) {
    super(scope, id);
    throwOnProblems(this, problemsOf(props, COST_GUARD_RULES));
    const { key: tagKey, value: tagValue } = props.costAllocationTag;
    const subscriber = props.topic.topicArn;

    this.budget = new budgets.CfnBudget(this, 'Budget', {
      budget: {
        budgetName: props.name,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: props.monthlyLimitUsd, unit: 'USD' },
        filterExpression: { tags: { key: tagKey, values: [tagValue], matchOptions: ['EQUALS'] } },
      },
      notificationsWithSubscribers: notifications(props).map(({ type, percent }) => ({
        notification: {
          notificationType: type,
          comparisonOperator: 'GREATER_THAN',
          threshold: percent,
          thresholdType: 'PERCENTAGE',
        },
        subscribers: [{ subscriptionType: 'SNS', address: subscriber }],
      })),
    });

    this.anomalyMonitor = new ce.CfnAnomalyMonitor(this, 'AnomalyMonitor', {
      monitorName: props.name,
      monitorType: 'CUSTOM',
      monitorSpecification: JSON.stringify({
        Tags: { Key: tagKey, Values: [tagValue], MatchOptions: ['EQUALS'] },
      }),
    });
    this.anomalySubscription = new ce.CfnAnomalySubscription(this, 'AnomalySubscription', {
      subscriptionName: props.name,
      monitorArnList: [this.anomalyMonitor.attrMonitorArn],
      // SNS subscribers take IMMEDIATE notifications only.
      frequency: 'IMMEDIATE',
      subscribers: [{ type: 'SNS', address: subscriber }],
      thresholdExpression: JSON.stringify({
        Dimensions: {
          Key: 'ANOMALY_TOTAL_IMPACT_ABSOLUTE',
          Values: [String(props.anomalyImpactThresholdUsd ?? 20)],
          MatchOptions: ['GREATER_THAN_OR_EQUAL'],
        },
      }),
    });

    if (CostGuard.allowToPublish(props.topic, props.topicKey)) {
      // The topic policy first, so that no notification finds the topic closed.
      const policy = props.topic.node.tryFindChild('Policy') as IConstruct | undefined;
      if (policy !== undefined) {
        this.budget.node.addDependency(policy);
        this.anomalySubscription.node.addDependency(policy);
      }
    } else {
      Annotations.of(this).addWarningV2(
        '@constructs/observability:costGuardTopicPolicy',
        `${props.topic.node.path} is imported: allow ${BUDGETS} and ${COST_ALERTS} to publish to it (CostGuard.allowToPublish says how) where it is defined, or no cost notification arrives`,
      );
    }
  }
}
