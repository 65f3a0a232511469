import { Match, Template } from 'aws-cdk-lib/assertions';
import type { PostgresDatabaseProps } from '../../constructs/data';
import { ValidationError } from '../../constructs/shared';
import { testDatabase } from '../support/builders';

type Resource = { Properties: Record<string, unknown> };

function records(t: Template): Resource[] {
  return Object.values(t.findResources('AWS::Route53::RecordSet')) as Resource[];
}

/** The alarm behind a health check, followed through `AlarmIdentifier.Name` (a Ref to the alarm). */
function alarmOf(t: Template, healthCheckId: unknown): Resource {
  const checks = t.findResources('AWS::Route53::HealthCheck') as Record<string, Resource>;
  const logicalId = (healthCheckId as { Ref: string }).Ref;
  const config = checks[logicalId]?.Properties.HealthCheckConfig as { AlarmIdentifier: { Name: { Ref: string } } };
  const alarm = (t.findResources('AWS::CloudWatch::Alarm') as Record<string, Resource>)[
    config.AlarmIdentifier.Name.Ref
  ];
  if (alarm === undefined) {
    throw new Error(`no alarm behind ${logicalId}`);
  }
  return alarm;
}

describe('PostgresDatabase reader endpoint health', () => {
  test('every weighted reader record carries a health check (rule pack: weighted records have HealthCheckId)', () => {
    for (const readReplicas of [0, 1, 2]) {
      const t = Template.fromStack(testDatabase({ readReplicas }).stack);
      const weighted = records(t).filter((r) => r.Properties.Weight !== undefined);
      expect(weighted).toHaveLength(readReplicas === 0 ? 1 : readReplicas + 1);
      for (const record of weighted) {
        expect(record.Properties.HealthCheckId).toEqual({ Ref: expect.any(String) });
      }
    }
  });

  test('health checks read CloudWatch alarms in the stack region, unhealthy on insufficient data (a stopped replica publishes none)', () => {
    const t = Template.fromStack(testDatabase({ readReplicas: 2 }).stack);
    // Two replicas and the primary.
    t.resourceCountIs('AWS::Route53::HealthCheck', 3);
    t.allResourcesProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: {
        Type: 'CLOUDWATCH_METRIC',
        AlarmIdentifier: { Name: { Ref: Match.anyValue() }, Region: 'eu-west-1' },
        InsufficientDataHealthStatus: 'Unhealthy',
      },
    });
  });

  test("each replica's record is healthy only while that replica publishes a ReplicaLag under the threshold", () => {
    const t = Template.fromStack(
      testDatabase({ readReplicas: 2, replicaLagThresholdSeconds: 45, readerHealthEvaluationMinutes: 2 }).stack,
    );
    const replicaRecords = records(t).filter((r) => r.Properties.SetIdentifier !== 'reader-primary');
    expect(replicaRecords).toHaveLength(2);
    for (const record of replicaRecords) {
      const replica = (record.Properties.ResourceRecords as Array<{ 'Fn::GetAtt': [string, string] }>)[0]?.[
        'Fn::GetAtt'
      ][0];
      expect(alarmOf(t, record.Properties.HealthCheckId).Properties).toMatchObject({
        Namespace: 'AWS/RDS',
        MetricName: 'ReplicaLag',
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: replica } }],
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 45,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 2,
        // A stopped or failed replica publishes nothing: that must count against it.
        TreatMissingData: 'breaching',
      });
    }
  });

  test('when every replica is unhealthy, readers fall back to the proxy through a zero-weight record', () => {
    const t = Template.fromStack(testDatabase({ readReplicas: 2 }).stack);
    const fallback = records(t).filter((r) => r.Properties.SetIdentifier === 'reader-primary');
    expect(fallback).toHaveLength(1);
    expect(fallback[0]?.Properties).toMatchObject({
      Weight: 0,
      ResourceRecords: [{ 'Fn::GetAtt': [expect.stringMatching(/^DbProxy/), 'Endpoint'] }],
    });
    expect(alarmOf(t, fallback[0]?.Properties.HealthCheckId).Properties).toMatchObject({
      MetricName: 'CPUUtilization',
      Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: expect.stringMatching(/^Db[0-9A-F]{8}$/) } }],
      Statistic: 'SampleCount',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  test('without replicas the single reader record points at the proxy, checked against the primary', () => {
    const t = Template.fromStack(testDatabase().stack);
    const [only, ...rest] = records(t);
    expect(rest).toEqual([]);
    expect(only?.Properties).toMatchObject({
      Weight: 1,
      SetIdentifier: 'reader-1',
      ResourceRecords: [{ 'Fn::GetAtt': [expect.stringMatching(/^DbProxy/), 'Endpoint'] }],
    });
    expect(alarmOf(t, only?.Properties.HealthCheckId).Properties).toMatchObject({ MetricName: 'CPUUtilization' });
  });

  test('defaults: 30 s of lag, 3 minutes in a row', () => {
    const t = Template.fromStack(testDatabase({ readReplicas: 1 }).stack);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ReplicaLag',
      Threshold: 30,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  const invalid: Array<[string, Partial<PostgresDatabaseProps>, RegExp]> = [
    ['a lag threshold of 0', { replicaLagThresholdSeconds: 0 }, /replicaLagThresholdSeconds: 0 is not a lag threshold/],
    [
      'a fractional evaluation window',
      { readerHealthEvaluationMinutes: 1.5 },
      /readerHealthEvaluationMinutes: 1.5 minutes: give a whole number from 1 to 1440/,
    ],
    [
      'an evaluation window over a day',
      { readerHealthEvaluationMinutes: 1441 },
      /readerHealthEvaluationMinutes: 1441 minutes/,
    ],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => testDatabase(overrides)).toThrow(ValidationError);
    expect(() => testDatabase(overrides)).toThrow(message);
  });
});

describe('PostgresDatabase credential rotation', () => {
  test('hosted rotation runs through the 2024-09-16 transform, which keeps the runtime current', () => {
    const { stack } = testDatabase();
    const template = Template.fromStack(stack).toJSON();
    // The 2020-07-23 transform deploys python3.10 (deprecated in Lambda since 2026-10-31).
    expect([template.Transform].flat()).toEqual(['AWS::SecretsManager-2024-09-16']);
  });

  test('the rotation runtime is left to the transform (CloudFormation: do not set Runtime with 2024-09-16)', () => {
    const { stack } = testDatabase();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      HostedRotationLambda: Match.objectLike({ RotationType: 'PostgreSQLSingleUser', Runtime: Match.absent() }),
    });
    // The data layer's own functions (the bootstrap and its provider) run a supported runtime.
    const runtimes = Object.values(t.findResources('AWS::Lambda::Function')).map((fn) => fn.Properties.Runtime);
    expect(runtimes).toEqual(['nodejs24.x', 'nodejs24.x']);
  });

  test('the master password rotates on its schedule only, never during the deploy the bootstrap reads it in', () => {
    const t = Template.fromStack(testDatabase().stack);
    t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', { RotateImmediatelyOnUpdate: false });
  });
});
