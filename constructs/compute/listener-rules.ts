import { ArnFormat, Duration, Stack, type CustomResource, type RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { ignoreLintChecks } from '../shared/lint';
import { ServiceRole } from '../shared/service-role';

/**
 * Priority of the listener rules ECS moves traffic on. Not 1: a stack deployed before these rules
 * left CloudFormation had its CloudFormation-managed rules there, and CloudFormation creates the
 * replacement before it deletes the old rule; two rules cannot share a priority on one listener.
 * Lower than {@link FALLBACK_RULE_PRIORITY} (a smaller number wins), so a switch from a rolling
 * deployment puts production on these rules as soon as they exist, while the rolling rule, which
 * forwards to the same blue target group, waits for its deletion.
 */
export const SHIFTED_RULE_PRIORITY = 10;

/** Priority of the CloudFormation-managed production rule of rolling deployments (no shifting). */
export const FALLBACK_RULE_PRIORITY = 20;

/**
 * Construct ID of aws-cdk-lib's `AwsCustomResource` provider function, one per stack
 * (`AWS` + `AwsCustomResource.PROVIDER_FUNCTION_UUID` without dashes).
 */
export const AWS_CUSTOM_RESOURCE_FUNCTION_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/** The ELBv2 client of the AWS SDK for JavaScript v3 that Lambda's Node.js runtime ships. */
const ELBV2 = '@aws-sdk/client-elastic-load-balancing-v2';

/** Properties of a {@link ListenerRuleProvider}. */
export interface ListenerRuleProviderProps {
  /** The VPC the provider function runs in. */
  readonly vpc: ec2.IVpc;
  /** Subnets of the provider function: private, with a route to the ELB API and to S3 (the response URL). */
  readonly subnets: ec2.SubnetSelection;
  /** Short name used in descriptions, e.g. `shop-prod`. */
  readonly name: string;
  /** The load balancer whose listener rules the provider creates, changes and deletes. */
  readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  /** Encrypts the function's log group; must allow CloudWatch Logs. */
  readonly logEncryptionKey: kms.IKey;
  /** Retention of the function's log group. */
  readonly logRetention: logs.RetentionDays;
  /** What happens to the log group when it leaves the stack. */
  readonly logRemovalPolicy: RemovalPolicy;
}

/**
 * What calls the ELB API for {@link EcsManagedListenerRule}s: aws-cdk-lib's `AwsCustomResource`
 * function (Node.js runtime chosen by aws-cdk-lib, the region's latest: `nodejs24.x`), given a role
 * of its own, an encrypted log group with retention, and the application subnets with a security
 * group that only opens HTTPS egress (the ELB API, and the S3 URL CloudFormation awaits the answer
 * at).
 *
 * The function is a stack singleton that `AwsCustomResource` creates with the first custom resource
 * and reuses for every other one in the stack; it takes the role, log group and network settings
 * given first. So this provider must be the first `AwsCustomResource` user of its stack: it throws
 * if the function already exists. `AwsCustomResource` has no security-group option, so the
 * function's `VpcConfig` is set on its `CfnFunction` (the L1 property, which compliance rules read).
 */
export class ListenerRuleProvider extends Construct {
  /** The role of the provider function; rules add their permissions to it. */
  public readonly role: ServiceRole;
  /** The provider function's log group. */
  public readonly logGroup: logs.ILogGroup;
  /** The provider function's security group: HTTPS egress only. */
  public readonly securityGroup: ec2.SecurityGroup;

  private readonly subnetIds: string[];
  private readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  private readonly grantedListeners = new Set<elbv2.IApplicationListener>();
  private configured = false;

  constructor(scope: Construct, id: string, props: ListenerRuleProviderProps) {
    super(scope, id);
    if (Stack.of(this).node.tryFindChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID) !== undefined) {
      throw new ValidationError(
        this,
        `the stack's AwsCustomResource function (${AWS_CUSTOM_RESOURCE_FUNCTION_ID}) already exists, so it would run ` +
          'without this provider’s role, log group and network settings; create the listener rules before any other ' +
          'AwsCustomResource of the stack, and at most one traffic-shifting web service per stack',
      );
    }
    this.loadBalancer = props.loadBalancer;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${props.name} listener rules: HTTPS to the ELB API and the CloudFormation response URL`,
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'ELB API and S3 over HTTPS');
    this.subnetIds = props.vpc.selectSubnets(props.subnets).subnetIds;
    this.role = new ServiceRole(this, 'Role', {
      description: `${props.name}: creates, changes and deletes the listener rules ECS shifts traffic on`,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole')],
    });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
  }

  /**
   * Lets the provider create rules on `listener` that forward to `targetGroups`, and change and
   * delete the rules of the provider's load balancer.
   */
  public grantRules(listener: elbv2.IApplicationListener, targetGroups: elbv2.IApplicationTargetGroup[]): void {
    if (this.grantedListeners.size === 0) {
      // Rule IDs are random, so the rules of this one load balancer are the narrowest resource.
      this.role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule'],
          resources: [
            Stack.of(this).formatArn({
              service: 'elasticloadbalancing',
              resource: 'listener-rule',
              resourceName: `${this.loadBalancer.loadBalancerFullName}/*`,
              arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
            }),
          ],
        }),
      );
    }
    if (this.grantedListeners.has(listener)) {
      return;
    }
    this.grantedListeners.add(listener);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        // CreateRule is authorized on the listener; the rule it creates (a listener-rule resource of
        // this load balancer, authorized when the request carries tags) and the target groups of its
        // forward action are named too, so no reading of the authorization reference can deny it.
        actions: ['elasticloadbalancing:CreateRule'],
        resources: [
          listener.listenerArn,
          ...targetGroups.map((tg) => tg.targetGroupArn),
          Stack.of(this).formatArn({
            service: 'elasticloadbalancing',
            resource: 'listener-rule',
            resourceName: `${this.loadBalancer.loadBalancerFullName}/*`,
            arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }

  /**
   * Settings `AwsCustomResource` has no option for, on the function it created for `rule`: the
   * subnets and security group. Called by each rule, after its `AwsCustomResource` exists; the
   * first call finds the function.
   */
  public configureFunction(): void {
    if (this.configured) {
      return;
    }
    const fn = Stack.of(this).node.findChild(AWS_CUSTOM_RESOURCE_FUNCTION_ID) as lambda.Function;
    const resource = fn.node.defaultChild as lambda.CfnFunction;
    resource.vpcConfig = { subnetIds: this.subnetIds, securityGroupIds: [this.securityGroup.securityGroupId] };
    // aws-cdk-lib makes a function wait for its role (and policy) next to the GetAtt of the role's ARN
    // (cfn-lint W3005): redundant, not wrong, and not ours to change.
    ignoreLintChecks(resource, ['W3005']);
    this.configured = true;
  }
}

/** Properties of an {@link EcsManagedListenerRule}. */
export interface EcsManagedListenerRuleProps {
  /** Calls the ELB API; one per stack. */
  readonly provider: ListenerRuleProvider;
  /** The listener the rule belongs to. Changing it needs a new construct ID (a new rule). */
  readonly listener: elbv2.IApplicationListener;
  /** The target group the rule forwards to when it is created; ECS owns the forward action from then on. */
  readonly targetGroup: elbv2.IApplicationTargetGroup;
  /**
   * Priority of the rule on its listener, fixed at creation: an update does not move the rule (a
   * new priority needs a new construct ID, and a priority no other rule of the listener has).
   *
   * @default SHIFTED_RULE_PRIORITY
   */
  readonly priority?: number;
  /**
   * Path patterns of the rule's condition; an update changes them in place.
   *
   * @default ['/*']
   */
  readonly pathPatterns?: string[];
}

/**
 * A listener rule that ECS shifts traffic on (native blue/green, canary and linear deployments),
 * created through a custom resource rather than as an `AWS::ElasticLoadBalancingV2::ListenerRule`.
 *
 * ECS rewrites the rule's forward action at every deployment (a weighted forward over the blue and
 * green target groups, ending on the new revision's). A CloudFormation-managed rule gets its
 * template action back whenever CloudFormation updates it, "forward to blue", which may be the
 * target group without tasks: production would answer 503 (aws/aws-cdk#36649,
 * https://github.com/aws/aws-cdk/issues/36649). So CloudFormation never holds the rule's actions:
 *
 * - Create: `CreateRule` with the forward action to `targetGroup`, `priority` and the path condition;
 *   the physical ID is the rule's ARN.
 * - Update: `ModifyRule` with the conditions only: `ModifyRule` keeps what it is not given, so
 *   ECS's actions stay. Priority and listener are fixed (see the props).
 * - Delete: `DeleteRule`, done when the rule is gone already (`RuleNotFound`) or when the physical
 *   ID is no rule ARN (`ValidationError`: a create that failed reports a log stream as its ID, and
 *   CloudFormation deletes it on rollback).
 *
 * The target group is registered with the listener as a rule forwarding to it would be, so the
 * service waits for the rule and target-group metrics know the load balancer.
 *
 * Limits, all because an update never recreates the rule:
 * - A new listener (only with a new load balancer) or a replaced target group is not followed: the
 *   rule stays where it was created. Give the rule a new construct ID in the same change, so
 *   CloudFormation creates a new rule and deletes the old one.
 * - A new priority needs a new construct ID too, and must differ from the old rule's while both exist.
 * - The priority is fixed, so a create retried after a lost answer fails (`PriorityInUse`) instead
 *   of leaving a second rule behind.
 * - Moving a stack whose ECS service deployed through CloudFormation-managed rules at priority 1
 *   (this construct's predecessor) onto these rules is safe for CloudFormation (other priority) but
 *   not for traffic in every case: the old rule keeps precedence until CloudFormation deletes it in
 *   the clean-up phase, after ECS has deployed through the new rules. Make that move while
 *   production is on blue and with no deployment in flight.
 */
export class EcsManagedListenerRule extends Construct {
  /** The rule's ARN, for `LoadBalancers[].AdvancedConfiguration` of the ECS service. */
  public readonly listenerRuleArn: string;

  constructor(scope: Construct, id: string, props: EcsManagedListenerRuleProps) {
    super(scope, id);
    const { provider, listener, targetGroup } = props;
    const conditions = [{ Field: 'path-pattern', PathPatternConfig: { Values: props.pathPatterns ?? ['/*'] } }];
    provider.grantRules(listener, [targetGroup]);
    const resource = new cr.AwsCustomResource(this, 'Resource', {
      resourceType: 'Custom::EcsManagedListenerRule',
      onCreate: {
        service: ELBV2,
        action: 'CreateRule',
        parameters: {
          ListenerArn: listener.listenerArn,
          Priority: props.priority ?? SHIFTED_RULE_PRIORITY,
          Conditions: conditions,
          Actions: [{ Type: 'forward', TargetGroupArn: targetGroup.targetGroupArn }],
        },
        physicalResourceId: cr.PhysicalResourceId.fromResponse('Rules.0.RuleArn'),
        outputPaths: ['Rules.0.RuleArn'],
      },
      onUpdate: {
        service: ELBV2,
        action: 'ModifyRule',
        // No Actions, ever: they are ECS's.
        parameters: { RuleArn: new cr.PhysicalResourceIdReference(), Conditions: conditions },
        outputPaths: ['Rules.0.RuleArn'],
      },
      onDelete: {
        service: ELBV2,
        action: 'DeleteRule',
        parameters: { RuleArn: new cr.PhysicalResourceIdReference() },
        ignoreErrorCodesMatching: '^(RuleNotFound|ValidationError)',
      },
      role: provider.role,
      logGroup: provider.logGroup,
      timeout: Duration.minutes(2),
      // Lambda's own SDK has ELBv2; installing another needs npm at deploy time.
      installLatestAwsSdk: false,
    });
    provider.configureFunction();
    // The role's statements live in a managed policy the function does not wait for: the rule must,
    // and its deletion must come before the policy's.
    if (provider.role.policy !== undefined) {
      resource.node.addDependency(provider.role.policy);
    }
    // The physical ID (Ref) is the rule ARN; no response field, which DeleteRule's ignored errors forbid.
    this.listenerRuleArn = (resource.node.defaultChild as CustomResource).ref;
    targetGroup.registerListener(listener, this);
  }
}

/** Properties of a {@link ListenerRuleAlternateTarget}. */
export interface ListenerRuleAlternateTargetProps {
  /** The second target group ("green"). */
  readonly alternateTargetGroup: elbv2.ITargetGroup;
  /** The role ECS moves traffic with. */
  readonly role: iam.IRole;
  /** The production listener's rule ECS shifts. */
  readonly productionListenerRule: EcsManagedListenerRule;
  /** The test listener's rule ECS points at the new revision. */
  readonly testListenerRule: EcsManagedListenerRule;
}

/**
 * `ecs.AlternateTarget` for rules that are not `elbv2.ApplicationListenerRule`s (its
 * `ListenerRuleConfiguration` accepts nothing else). Like it, `bind` only hands ECS the ARNs:
 * aws-cdk-lib's version adds no grant or dependency either (the service waits for the production
 * rule through the blue target group, and for both rules through the caller).
 */
export class ListenerRuleAlternateTarget implements ecs.IAlternateTarget {
  constructor(private readonly props: ListenerRuleAlternateTargetProps) {}

  public bind(_scope: Construct): ecs.AlternateTargetConfig {
    return {
      alternateTargetGroupArn: this.props.alternateTargetGroup.targetGroupArn,
      roleArn: this.props.role.roleArn,
      productionListenerRule: this.props.productionListenerRule.listenerRuleArn,
      testListenerRule: this.props.testListenerRule.listenerRuleArn,
    };
  }
}
