import * as route53 from 'aws-cdk-lib/aws-route53';
import { deployReadinessFindings, idsOf, ruleStack } from './support';

const RULE = 'Route53RoutingHealthCheck';
const ZONE = 'Z0TEST';

describe('DeployReadiness-Route53RoutingHealthCheck', () => {
  test('flags a weighted record without a health check', () => {
    const stack = ruleStack();
    new route53.CfnRecordSet(stack, 'Reader', {
      hostedZoneId: ZONE,
      name: 'reader.example.internal.',
      type: 'CNAME',
      ttl: '5',
      resourceRecords: ['replica-1.example.internal'],
      setIdentifier: 'reader-1',
      weight: 1,
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[reader.example.internal./reader-1]`,
    ]);
  });

  test('accepts a weighted record with a health check', () => {
    const stack = ruleStack();
    const check = new route53.CfnHealthCheck(stack, 'Check', {
      healthCheckConfig: { type: 'CLOUDWATCH_METRIC', alarmIdentifier: { name: 'lag', region: 'eu-west-1' } },
    });
    new route53.CfnRecordSet(stack, 'Reader', {
      hostedZoneId: ZONE,
      name: 'reader.example.internal.',
      type: 'CNAME',
      ttl: '5',
      resourceRecords: ['replica-1.example.internal'],
      setIdentifier: 'reader-1',
      weight: 1,
      healthCheckId: check.attrHealthCheckId,
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });

  test('flags each failover entry of a record set group without a health check', () => {
    const stack = ruleStack();
    new route53.CfnRecordSetGroup(stack, 'Failover', {
      hostedZoneId: ZONE,
      recordSets: [
        {
          name: 'app.example.com.',
          type: 'A',
          ttl: '60',
          resourceRecords: ['192.0.2.1'],
          setIdentifier: 'p',
          failover: 'PRIMARY',
        },
        {
          name: 'app.example.com.',
          type: 'A',
          ttl: '60',
          resourceRecords: ['192.0.2.2'],
          setIdentifier: 's',
          failover: 'SECONDARY',
        },
      ],
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([
      `DeployReadiness-${RULE}[app.example.com./p]`,
      `DeployReadiness-${RULE}[app.example.com./s]`,
    ]);
  });

  test('accepts a weighted alias that evaluates its target health, and a simple record', () => {
    const stack = ruleStack();
    new route53.CfnRecordSet(stack, 'Alias', {
      hostedZoneId: ZONE,
      name: 'app.example.com.',
      type: 'A',
      setIdentifier: 'a',
      weight: 10,
      aliasTarget: { dnsName: 'lb.example.com', hostedZoneId: 'Z0LB', evaluateTargetHealth: true },
    });
    new route53.CfnRecordSet(stack, 'Simple', {
      hostedZoneId: ZONE,
      name: 'www.example.com.',
      type: 'CNAME',
      ttl: '60',
      resourceRecords: ['app.example.com'],
    });
    expect(idsOf(deployReadinessFindings(stack), RULE)).toEqual([]);
  });
});
