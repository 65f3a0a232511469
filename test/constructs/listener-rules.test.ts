import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { WebDeploymentStrategy, type WebServiceProps } from '../../constructs/compute';
import {
  AWS_CUSTOM_RESOURCE_FUNCTION_ID,
  EcsManagedListenerRule,
  FALLBACK_RULE_PRIORITY,
  ListenerRuleProvider,
  SHIFTED_RULE_PRIORITY,
} from '../../constructs/compute/listener-rules';
import { testWebService } from '../support/builders';
import { TEST_AZS, testStack, thrown } from '../support/test-stack';

const LISTENER_RULE = 'AWS::ElasticLoadBalancingV2::ListenerRule';
const MANAGED_RULE = 'Custom::EcsManagedListenerRule';
const SHIFTING = [WebDeploymentStrategy.BLUE_GREEN, WebDeploymentStrategy.CANARY, WebDeploymentStrategy.LINEAR];

type Json = Record<string, any>;

/**
 * An `AwsCustomResource` call as the provider function reads it: the property is a JSON string, or
 * an `Fn::Join` of one with references; each reference becomes `#{LogicalId}` or `#{LogicalId.Attr}`.
 */
function sdkCall(value: unknown): Json {
  const text = (part: unknown): string => {
    if (typeof part === 'string') {
      return part;
    }
    const ref = (part as Json).Ref;
    if (typeof ref === 'string') {
      return `#{${ref}}`;
    }
    const getAtt = (part as Json)['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      return `#{${getAtt.join('.')}}`;
    }
    throw new Error(`unexpected part ${JSON.stringify(part)}`);
  };
  const join = (value as Json)['Fn::Join'];
  const json = Array.isArray(join) ? (join[1] as unknown[]).map(text).join(join[0] as string) : text(value);
  return JSON.parse(json) as Json;
}

/** Whether `value` holds a key named `key` at any depth. */
function hasKeyDeep(value: unknown, key: string): boolean {
  if (Array.isArray(value)) {
    return value.some((item) => hasKeyDeep(item, key));
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).some(([k, v]) => k === key || hasKeyDeep(v, key));
  }
  return false;
}

/** A web service's template, its ECS service and its managed listener rules by logical ID. */
function webTemplate(props: Partial<WebServiceProps>) {
  const { stack } = testWebService(props);
  const t = Template.fromStack(stack);
  const [service] = Object.values(t.findResources('AWS::ECS::Service')) as Json[];
  return { stack, t, service: service!, rules: t.findResources(MANAGED_RULE) as Record<string, Json> };
}

/** The logical ID a `{ Ref }` names. */
const refOf = (value: unknown): string => (value as { Ref: string }).Ref;

describe.each(SHIFTING)('%s: listener rules ECS shifts are not CloudFormation-managed', (deploymentStrategy) => {
  const { t, service, rules } = webTemplate({ deploymentStrategy });
  const advanced = service.Properties.LoadBalancers[0].AdvancedConfiguration as Json;
  const production = refOf(advanced.ProductionListenerRule);
  const testRule = refOf(advanced.TestListenerRule);

  test('the service names custom-resource rules, and the stack has no AWS::ElasticLoadBalancingV2::ListenerRule', () => {
    // Fails as soon as someone hands ECS a CloudFormation-managed rule again (aws/aws-cdk#36649).
    const resources = t.toJSON().Resources as Record<string, Json>;
    expect(resources[production]?.Type).toBe(MANAGED_RULE);
    expect(resources[testRule]?.Type).toBe(MANAGED_RULE);
    t.resourceCountIs(LISTENER_RULE, 0);
    expect(Object.keys(rules).sort()).toEqual([production, testRule].sort());
  });

  test('Create forwards production to blue and test to green, at the shifted-rule priority', () => {
    const create = (id: string) => sdkCall(rules[id]!.Properties.Create);
    expect(create(production)).toEqual({
      service: '@aws-sdk/client-elastic-load-balancing-v2',
      action: 'CreateRule',
      parameters: {
        ListenerArn: expect.stringMatching(/^#\{WebLoadBalancerListener[0-9A-F]{8}\}$/),
        Priority: SHIFTED_RULE_PRIORITY,
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Actions: [{ Type: 'forward', TargetGroupArn: expect.stringMatching(/^#\{WebTargetGroupsBlue[0-9A-F]{8}\}$/) }],
      },
      physicalResourceId: { responsePath: 'Rules.0.RuleArn' },
      outputPaths: ['Rules.0.RuleArn'],
    });
    expect(create(testRule).parameters).toMatchObject({
      ListenerArn: expect.stringMatching(/^#\{WebLoadBalancerTestListener[0-9A-F]{8}\}$/),
      Actions: [{ Type: 'forward', TargetGroupArn: expect.stringMatching(/^#\{WebTargetGroupsGreen[0-9A-F]{8}\}$/) }],
    });
  });

  test('Update changes the conditions in place and never sends Actions; Delete tolerates a missing rule', () => {
    for (const rule of Object.values(rules)) {
      const update = sdkCall(rule.Properties.Update);
      expect(update).toEqual({
        service: '@aws-sdk/client-elastic-load-balancing-v2',
        action: 'ModifyRule',
        parameters: {
          RuleArn: 'PHYSICAL:RESOURCEID:',
          Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        },
        outputPaths: ['Rules.0.RuleArn'],
      });
      expect(hasKeyDeep(update, 'Actions')).toBe(false);
      expect(sdkCall(rule.Properties.Delete)).toEqual({
        service: '@aws-sdk/client-elastic-load-balancing-v2',
        action: 'DeleteRule',
        parameters: { RuleArn: 'PHYSICAL:RESOURCEID:' },
        ignoreErrorCodesMatching: '^(RuleNotFound|ValidationError)',
      });
      expect(new RegExp(sdkCall(rule.Properties.Delete).ignoreErrorCodesMatching).test('RuleNotFoundException')).toBe(
        true,
      );
    }
  });

  test('the service waits for both rules, and each rule for the policy that lets it call the ELB API', () => {
    expect(service.DependsOn).toEqual(expect.arrayContaining([production, testRule]));
    const [policy] = Object.keys(t.findResources('AWS::IAM::ManagedPolicy')).filter((id) =>
      id.startsWith('WebListenerRulesProviderRolePolicy'),
    );
    for (const rule of Object.values(rules)) {
      expect(rule.DependsOn).toContain(policy);
    }
  });
});

describe('the provider function of the listener rules', () => {
  const { t } = webTemplate({ deploymentStrategy: WebDeploymentStrategy.BLUE_GREEN });
  const functions = t.findResources('AWS::Lambda::Function');
  const [fnId, fn] = Object.entries(functions).find(([id]) => id.startsWith(AWS_CUSTOM_RESOURCE_FUNCTION_ID))!;
  const [sgId] = Object.keys(t.findResources('AWS::EC2::SecurityGroup')).filter((id) =>
    id.startsWith('WebListenerRulesProviderSecurityGroup'),
  );

  test('both rules use the one AwsCustomResource function', () => {
    for (const rule of Object.values(t.findResources(MANAGED_RULE))) {
      expect(rule.Properties.ServiceToken).toEqual({ 'Fn::GetAtt': [fnId, 'Arn'] });
    }
  });

  test('runs a supported Node.js runtime in the application subnets, behind a group that only opens HTTPS', () => {
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.VpcConfig).toEqual({
      SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
      SubnetIds: [
        { Ref: 'VpcPrivateSubnet1Subnet536B997A' },
        { Ref: 'VpcPrivateSubnet2Subnet3788AAA1' },
        { Ref: 'VpcPrivateSubnet3SubnetF258B56E' },
      ],
    });
    const group = t.findResources('AWS::EC2::SecurityGroup')[sgId!]!;
    expect(group.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    // No group of aws-cdk-lib's own with allow-all egress.
    expect(Object.keys(t.findResources('AWS::EC2::SecurityGroup')).filter((id) => id.startsWith('AWS679'))).toEqual([]);
  });

  test('logs to an encrypted log group with retention, and uses the Lambda SDK (no npm install)', () => {
    const logGroup = refOf(fn.Properties.LoggingConfig.LogGroup);
    t.hasResource('AWS::Logs::LogGroup', {
      Properties: { KmsKeyId: Match.anyValue(), RetentionInDays: 365 },
    });
    expect(
      Object.keys(t.findResources('AWS::Logs::LogGroup', { Properties: { KmsKeyId: Match.anyValue() } })),
    ).toContain(logGroup);
    for (const rule of Object.values(t.findResources(MANAGED_RULE))) {
      expect(rule.Properties.InstallLatestAwsSdk).toBe(false);
    }
  });

  test('may create rules on the two listeners only, and change or delete rules of its load balancer only', () => {
    const role = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const [policy] = Object.values(
      t.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: role }] } }),
    );
    const statements = policy!.Properties.PolicyDocument.Statement as Json[];
    const creates = statements.filter((s) => s.Action === 'elasticloadbalancing:CreateRule');
    // The listener, the forward action's target group, and the rules of this load balancer.
    const named = (resource: unknown): string =>
      (resource as { Ref?: string }).Ref?.replace(/[0-9A-F]{8}$/, '') ?? JSON.stringify(resource);
    expect(creates.map((s) => s.Resource.slice(0, 2).map(named))).toEqual([
      ['WebLoadBalancerListener', 'WebTargetGroupsBlue'],
      ['WebLoadBalancerTestListener', 'WebTargetGroupsGreen'],
    ]);
    for (const create of creates) {
      expect(create.Resource).toHaveLength(3);
      expect(JSON.stringify(create.Resource[2])).toContain(':listener-rule/');
      expect(JSON.stringify(create.Resource[2])).toContain('LoadBalancerFullName');
    }
    const modify = statements.find(
      (s) => Array.isArray(s.Action) && s.Action.includes('elasticloadbalancing:ModifyRule'),
    );
    expect(modify?.Action).toEqual(['elasticloadbalancing:ModifyRule', 'elasticloadbalancing:DeleteRule']);
    const [, parts] = modify!.Resource['Fn::Join'];
    expect(parts).toEqual([
      'arn:',
      { Ref: 'AWS::Partition' },
      ':elasticloadbalancing:eu-west-1:123456789012:listener-rule/',
      { 'Fn::GetAtt': [expect.stringMatching(/^WebLoadBalancer[0-9A-F]{8}$/), 'LoadBalancerFullName'] },
      '/*',
    ]);
    expect(statements.some((s) => JSON.stringify(s.Resource) === '"*"')).toBe(false);
  });
});

describe('EcsManagedListenerRule', () => {
  /** A rule on a fresh listener, with `pathPatterns`. */
  function rule(pathPatterns?: string[]) {
    const stack = testStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 1 });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    const listener = loadBalancer.addListener('Listener', {
      port: 80,
      open: false,
      defaultAction: elbv2.ListenerAction.fixedResponse(404),
    });
    const targetGroup = new elbv2.ApplicationTargetGroup(stack, 'Tg', {
      vpc,
      port: 3000,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
    });
    const provider = new ListenerRuleProvider(stack, 'Provider', {
      vpc,
      subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      name: 'test',
      loadBalancer,
      logEncryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_MONTH,
      logRemovalPolicy: RemovalPolicy.DESTROY,
    });
    new EcsManagedListenerRule(stack, 'Rule', { provider, listener, targetGroup, pathPatterns });
    const [resource] = Object.values(Template.fromStack(stack).findResources(MANAGED_RULE));
    return { stack, targetGroup, properties: resource!.Properties as Json };
  }

  test('new path patterns change the conditions of Create and Update, and Update still sends no Actions', () => {
    const before = rule();
    const after = rule(['/app/*', '/api/*']);
    const conditions = [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/app/*', '/api/*'] } }];
    // A changed property is what makes CloudFormation send an Update; the Update is ModifyRule.
    expect(after.properties.Update).not.toEqual(before.properties.Update);
    expect(sdkCall(after.properties.Update).parameters).toEqual({
      RuleArn: 'PHYSICAL:RESOURCEID:',
      Conditions: conditions,
    });
    expect(hasKeyDeep(sdkCall(after.properties.Update), 'Actions')).toBe(false);
    expect(sdkCall(after.properties.Create).parameters.Conditions).toEqual(conditions);
  });

  test('registers its target group with the listener, like a rule forwarding to it', () => {
    const { targetGroup } = rule();
    // Target-group metrics need a load balancer; they throw for a group no listener forwards to.
    expect(() => Stack.of(targetGroup).resolve(targetGroup.metrics.healthyHostCount().dimensions)).not.toThrow();
  });

  test('refuses a stack whose AwsCustomResource function exists already (it would not run with its settings)', () => {
    const stack = testStack();
    new cr.AwsCustomResource(stack, 'Other', {
      onCreate: {
        service: 'SSM',
        action: 'GetParameter',
        parameters: { Name: 'x' },
        physicalResourceId: cr.PhysicalResourceId.of('x'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: ['*'] }),
      installLatestAwsSdk: false,
    });
    const vpc = new ec2.Vpc(stack, 'Vpc', { availabilityZones: TEST_AZS, natGateways: 1 });
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    const logEncryptionKey = new kms.Key(stack, 'Key');
    const build = () =>
      new ListenerRuleProvider(stack, 'Provider', {
        vpc,
        subnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
        name: 'test',
        loadBalancer,
        logEncryptionKey,
        logRetention: logs.RetentionDays.ONE_MONTH,
        logRemovalPolicy: RemovalPolicy.DESTROY,
      });
    expect(thrown(build)).toMatch(/^Test\/Provider: the stack's AwsCustomResource function/);
  });
});

describe('rules that stay CloudFormation-managed', () => {
  test('rolling: one plain rule forwarding to blue, no custom resource and no provider function', () => {
    const { t, service } = webTemplate({});
    expect(service.Properties.LoadBalancers[0].AdvancedConfiguration).toBeUndefined();
    t.resourceCountIs(MANAGED_RULE, 0);
    t.resourceCountIs('AWS::Lambda::Function', 0);
    const rules = Object.entries(t.findResources(LISTENER_RULE));
    expect(rules).toHaveLength(1);
    const [id, listenerRule] = rules[0]!;
    // Same construct path as before the shifted rules left CloudFormation: dev keeps its rule.
    expect(id).toMatch(/^WebLoadBalancerListenerForward[0-9A-F]{8}$/);
    expect(listenerRule.Properties).toEqual({
      ListenerArn: { Ref: expect.stringMatching(/^WebLoadBalancerListener[0-9A-F]{8}$/) },
      Priority: FALLBACK_RULE_PRIORITY,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [{ Type: 'forward', TargetGroupArn: { Ref: expect.stringMatching(/^WebTargetGroupsBlue/) } }],
    });
  });

  test('the health-check path is not part of any rule: changing it sends no Update to the rules', () => {
    const rulesWith = (healthCheckPath: string) =>
      webTemplate({ deploymentStrategy: WebDeploymentStrategy.CANARY, healthCheckPath }).rules;
    expect(rulesWith('/healthz')).toEqual(rulesWith('/api/health'));
  });
});

test('priorities: not 1 (the CloudFormation-managed rules of older stacks), and the shifted rules win', () => {
  // CloudFormation creates a replacement before it deletes the old resource; two rules cannot share
  // a priority on one listener. A smaller number is evaluated first.
  expect([SHIFTED_RULE_PRIORITY, FALLBACK_RULE_PRIORITY]).not.toContain(1);
  expect(SHIFTED_RULE_PRIORITY).toBeLessThan(FALLBACK_RULE_PRIORITY);
});
