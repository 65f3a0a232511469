import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { WebDistribution, type WebDistributionProps } from '../../constructs/edge';
import { metricStat } from '../support/metrics';
import { testStack } from '../support/test-stack';

/** A distribution in front of an imported internal load balancer, in a us-east-1 stack by default. */
function build(overrides: (stack: Stack) => Partial<WebDistributionProps> = () => ({}), region = 'us-east-1') {
  const stack = testStack({ id: 'Edge', region });
  const loadBalancer = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Alb', {
    loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef',
    securityGroupId: 'sg-0123456789abcdef0',
    loadBalancerDnsName: 'internal-web-123.eu-west-1.elb.amazonaws.com',
  });
  const cdn = new WebDistribution(stack, 'Cdn', {
    name: 'shop-prod',
    loadBalancer,
    webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/shop-prod/0123',
    contentSecurityPolicy: "default-src 'self'",
    ...overrides(stack),
  });
  return { stack, cdn, template: Template.fromStack(stack) };
}

const distributionConfig = (template: Template) =>
  Object.values(template.findResources('AWS::CloudFront::Distribution'))[0].Properties.DistributionConfig;

describe('WebDistribution', () => {
  test('the comment is a prop; without one the distribution is commented with its name', () => {
    expect(distributionConfig(build(() => ({ comment: 'shop-prod: the shop' })).template).Comment).toBe(
      'shop-prod: the shop',
    );
    expect(distributionConfig(build().template).Comment).toBe('shop-prod');
  });

  test('with originTlsDomainName: HTTPS to the VPC origin, SNI and certificate check on that name, no DNS record', () => {
    const { template } = build(() => ({ originTlsDomainName: 'origin.shop.example.com' }));
    const [vpcOriginId] = Object.keys(template.findResources('AWS::CloudFront::VpcOrigin'));
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: {
        Arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/0123456789abcdef',
        OriginProtocolPolicy: 'https-only',
        OriginSSLProtocols: ['TLSv1.2'],
      },
    });
    // CloudFront finds the load balancer through the VPC origin; the domain name is what it sends
    // as SNI and Host and checks the certificate against.
    expect(distributionConfig(template).Origins).toEqual([
      expect.objectContaining({
        DomainName: 'origin.shop.example.com',
        VpcOriginConfig: expect.objectContaining({ VpcOriginId: { 'Fn::GetAtt': [vpcOriginId, 'Id'] } }),
      }),
    ]);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test("without originTlsDomainName: HTTP inside the VPC, to the load balancer's own name", () => {
    const { template } = build();
    template.hasResourceProperties('AWS::CloudFront::VpcOrigin', {
      VpcOriginEndpointConfig: { OriginProtocolPolicy: 'http-only' },
    });
    expect(distributionConfig(template).Origins[0].DomainName).toBe('internal-web-123.eu-west-1.elb.amazonaws.com');
  });

  test('creates no stack output: the stack decides what it exports', () => {
    expect(build().template.findOutputs('*')).toEqual({});
  });

  test("standard logs: the bucket admits the log delivery of the stack's account and region", () => {
    /** The condition of the bucket policy statement admitting the delivery, tokens joined. */
    const condition = (region: string) => {
      const { template } = build((scope) => ({ logsBucket: new s3.Bucket(scope, 'Logs') }), region);
      template.resourceCountIs('AWS::Logs::DeliverySource', 1);
      const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy'));
      const statement = policy.Properties.PolicyDocument.Statement.find(
        (s: { Sid?: string }) => s.Sid === 'CloudFrontStandardLogsDelivery',
      );
      return {
        account: statement.Condition.StringEquals['aws:SourceAccount'],
        sourceArn: statement.Condition.ArnLike['aws:SourceArn']['Fn::Join'][1].slice(2).join(''),
      };
    };
    expect(condition('us-east-1')).toMatchObject({
      account: '123456789012',
      sourceArn: ':logs:us-east-1:123456789012:delivery-source:*',
    });
    // The region is the stack's, not a constant.
    expect(condition('eu-west-1').sourceArn).toBe(':logs:eu-west-1:123456789012:delivery-source:*');
  });
});

describe('WebDistribution metrics', () => {
  const { stack, cdn } = build();
  const distributionId = stack.resolve(cdn.distribution.distributionId);
  /** CloudFront's metrics: us-east-1, DistributionId and Region=Global. */
  const cloudFront = {
    namespace: 'AWS/CloudFront',
    period: 300,
    region: 'us-east-1',
    dimensions: { DistributionId: distributionId, Region: 'Global' },
  };

  test('the distribution id is a reference to the distribution', () => {
    expect(distributionId).toEqual({ Ref: expect.stringMatching(/^Cdn/) });
  });

  test('requests: sum over 5 minutes', () => {
    expect(metricStat(stack, cdn.metricRequests(), { withRegion: true })).toEqual({
      ...cloudFront,
      metricName: 'Requests',
      statistic: 'Sum',
    });
  });

  test('4xx and 5xx error rates: average over 5 minutes', () => {
    expect(metricStat(stack, cdn.metric4xxErrorRate(), { withRegion: true })).toEqual({
      ...cloudFront,
      metricName: '4xxErrorRate',
      statistic: 'Average',
    });
    expect(metricStat(stack, cdn.metric5xxErrorRate(), { withRegion: true })).toEqual({
      ...cloudFront,
      metricName: '5xxErrorRate',
      statistic: 'Average',
    });
  });

  test('origin latency: average over 5 minutes, without the additional-metrics subscription in the template', () => {
    expect(metricStat(stack, cdn.metricOriginLatency(), { withRegion: true })).toEqual({
      ...cloudFront,
      metricName: 'OriginLatency',
      statistic: 'Average',
    });
    Template.fromStack(stack).resourceCountIs('AWS::CloudFront::MonitoringSubscription', 0);
  });

  test('options override the defaults', () => {
    expect(
      metricStat(stack, cdn.metric5xxErrorRate({ statistic: 'Maximum', period: Duration.minutes(1) }), {
        withRegion: true,
      }),
    ).toEqual({
      ...cloudFront,
      metricName: '5xxErrorRate',
      statistic: 'Maximum',
      period: 60,
    });
  });
});
