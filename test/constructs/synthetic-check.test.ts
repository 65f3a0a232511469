import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagRuleCompliance } from 'cdk-nag';
import {
  SyntheticCheck,
  syntheticCheckScript,
  type SyntheticCheckProps,
  type SyntheticCheckUrl,
} from '../../constructs/observability/synthetic-check';
import { RuntimeLogGroupOwned } from '../../lib/rules/runtime-log-group-owned';
import { testStack, thrown, type TestStackOptions } from '../support/test-stack';

const withLogDeliveryPolicy = { context: { [cxapi.S3_SERVER_ACCESS_LOGS_USE_BUCKET_POLICY]: true } };

function build(overrides: Partial<SyntheticCheckProps> = {}, options: TestStackOptions = {}) {
  const stack = testStack(options);
  const key = new kms.Key(stack, 'Key');
  const check = new SyntheticCheck(stack, 'Check', {
    canaryName: 'shop-prod',
    baseUrl: 'https://shop.example.com',
    apiPaths: ['/api/health'],
    encryptionKey: key,
    logRetention: logs.RetentionDays.ONE_MONTH,
    ...overrides,
  });
  return { stack, key, check, template: Template.fromStack(stack) };
}

const idOf = (stack: Stack, construct: { node: { defaultChild?: unknown } } | unknown) =>
  stack.getLogicalId(construct as never);

function only(template: Template, type: string, props: Record<string, unknown> = {}) {
  const found = template.findResources(type, props);
  expect(Object.keys(found)).toHaveLength(1);
  const [[id, resource]] = Object.entries(found);
  return { id, resource: resource as { Properties: any; DependsOn?: string[] } };
}

/** The canary script as CloudFormation receives it: text, or the parts of its Fn::Join. */
function scriptOf(template: Template): string {
  const { resource } = only(template, 'AWS::Synthetics::Canary');
  const script = resource.Properties.Code.Script as string | { 'Fn::Join': [string, unknown[]] };
  return typeof script === 'string'
    ? script
    : script['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join('');
}

describe('SyntheticCheck props', () => {
  test('every problem with the props is reported at once, bad names included', () => {
    const message = thrown(() =>
      build({
        canaryName: 'Shop Prod!',
        baseUrl: 'http://shop.example.com/home',
        pagePaths: ['home', '/ok'],
        apiPaths: ['/ok'],
        scheduleRateMinutes: 2,
        timeoutSeconds: 300,
        artifactsRetentionDays: 456,
      }),
    );
    expect(message).toContain('6 invalid props');
    expect(message).toContain('canaryName: "Shop Prod!" has characters Synthetics refuses ("S", " ", "P", "!")');
    expect(message).toContain('baseUrl: "http://shop.example.com/home" uses http; give an https:// URL');
    expect(message).toContain('pagePaths: ["home"]: each path starts with "/"');
    expect(message).toContain('apiPaths: ["/ok"] checked more than once');
    expect(message).toContain('timeoutSeconds: 300 seconds outlast the 120 seconds between runs');
    expect(message).toContain('artifactsRetentionDays: 456 is not a retention');
  });

  test('names longer than 21 characters and names that are tokens are refused', () => {
    const long = thrown(() => build({ canaryName: 'a'.repeat(22) }));
    expect(long).toContain(`canaryName: "${'a'.repeat(22)}" has 22 characters; give 1 to 21`);
    const empty = thrown(() => build({ canaryName: '' }));
    expect(empty).toContain('canaryName: "" has 0 characters');
    const token = thrown(() => build({ canaryName: Token.asString({ Ref: 'Name' }) }));
    expect(token).toContain('canaryName: is a token; give a literal name');
    expect(thrown(() => build({ canaryName: 'a'.repeat(21) }))).toBe('');
    expect(thrown(() => build({ canaryName: 'shop_prod-1' }))).toBe('');
  });

  test('the base URL is an HTTPS origin without credentials; a token is taken as is', () => {
    expect(thrown(() => build({ baseUrl: 'https://user:secret@shop.example.com' }))).toContain('carries credentials');
    expect(thrown(() => build({ baseUrl: 'https://shop.example.com?x=1' }))).toContain('has a path, query or fragment');
    expect(thrown(() => build({ baseUrl: 'shop.example.com' }))).toContain('is not a URL');
    expect(thrown(() => build({ baseUrl: 'https://shop.example.com/' }))).toBe('');
    expect(thrown(() => build({ baseUrl: `https://${Token.asString({ Ref: 'Domain' })}` }))).toBe('');
  });

  test('schedule, timeout, retention and paths are checked against what Synthetics accepts', () => {
    expect(thrown(() => build({ scheduleRateMinutes: 0 }))).toContain('scheduleRateMinutes: 0 is not a schedule');
    expect(thrown(() => build({ scheduleRateMinutes: 61 }))).toContain('scheduleRateMinutes: 61 is not a schedule');
    expect(thrown(() => build({ timeoutSeconds: 2 }))).toContain('timeoutSeconds: 2 is not a canary timeout');
    expect(thrown(() => build({ artifactsRetentionDays: 0 }))).toContain('artifactsRetentionDays: 0 is not');
    expect(thrown(() => build({ pagePaths: [], apiPaths: [] }))).toContain('pagePaths and apiPaths are both empty');
    expect(thrown(() => build({ apiPaths: ['/api/he alth', '/api/"x"'] }))).toContain(
      'apiPaths: ["/api/he alth","/api/\\"x\\""]',
    );
    expect(thrown(() => build({ scheduleRateMinutes: 60, timeoutSeconds: 840 }))).toBe('');
  });
});

describe('SyntheticCheck canary', () => {
  test('runs the browserless Node.js runtime syn-nodejs-3.1, inline, with the index.handler entry point', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::Synthetics::Canary', {
      Name: 'shop-prod',
      RuntimeVersion: 'syn-nodejs-3.1',
      Code: { Handler: 'index.handler', Script: Match.anyValue() },
    });
  });

  test('refuses browser runtimes and runtimes before the @aws/synthetics-core namespace', () => {
    for (const runtime of [
      synthetics.Runtime.SYNTHETICS_NODEJS_PLAYWRIGHT_6_0,
      synthetics.Runtime.SYNTHETICS_NODEJS_PUPPETEER_13_0,
      synthetics.Runtime.SYNTHETICS_NODEJS_3_0,
    ]) {
      expect(thrown(() => build({ runtime }))).toContain(`runtime: "${runtime.name}" cannot run this check's script`);
    }
    const newer = new synthetics.Runtime('syn-nodejs-5.2', synthetics.RuntimeFamily.NODEJS);
    build({ runtime: newer }).template.hasResourceProperties('AWS::Synthetics::Canary', {
      RuntimeVersion: 'syn-nodejs-5.2',
    });
  });

  test('runs every 5 minutes with a 60-second timeout by default; both are props', () => {
    build().template.hasResourceProperties('AWS::Synthetics::Canary', {
      Schedule: { Expression: 'rate(5 minutes)', DurationInSeconds: '0' },
      RunConfig: { TimeoutInSeconds: 60 },
    });
    build({ scheduleRateMinutes: 1, timeoutSeconds: 45 }).template.hasResourceProperties('AWS::Synthetics::Canary', {
      Schedule: { Expression: 'rate(1 minute)' },
      RunConfig: { TimeoutInSeconds: 45 },
    });
  });

  test('the script checks the base URL, each page path and each API path', () => {
    const script = scriptOf(
      build({ pagePaths: ['/', '/courses'], apiPaths: ['/api/health', '/api/version'] }).template,
    );
    expect(script).toContain('const BASE_URL = "https://shop.example.com";');
    expect(script).toContain(
      'const CHECKS = [{"kind":"page","path":"/"},{"kind":"page","path":"/courses"},{"kind":"api","path":"/api/health"},{"kind":"api","path":"/api/version"}];',
    );
    expect(script).toContain("require('@aws/synthetics-core')");
    expect(script).toContain('synthetics.executeHttpStep(');
  });

  test('a base URL that is a token is joined into the script by CloudFormation', () => {
    const stack = testStack();
    const domain = Token.asString({ 'Fn::GetAtt': ['Distribution', 'DomainName'] });
    new SyntheticCheck(stack, 'Check', {
      canaryName: 'shop-prod',
      baseUrl: `https://${domain}`,
      encryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    const script = scriptOf(Template.fromStack(stack));
    expect(script).toContain('const BASE_URL = "https://{"Fn::GetAtt":["Distribution","DomainName"]}";');
  });

  test('is created stopped, and its Lambda function and layers are deleted with it', () => {
    build().template.hasResourceProperties('AWS::Synthetics::Canary', {
      StartCanaryAfterCreation: false,
      ProvisionedResourceCleanup: 'AUTOMATIC',
    });
  });

  test('writes its artifacts to its bucket, SSE-KMS with the key, and keeps its run history as long', () => {
    const { stack, key, check, template } = build({ artifactsRetentionDays: 14 });
    template.hasResourceProperties('AWS::Synthetics::Canary', {
      ArtifactS3Location: {
        'Fn::Join': ['', ['s3://', { Ref: idOf(stack, check.artifactsBucket.node.defaultChild) }]],
      },
      ArtifactConfig: {
        S3Encryption: {
          EncryptionMode: 'SSE_KMS',
          KmsKeyArn: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
        },
      },
      SuccessRetentionPeriod: 14,
      FailureRetentionPeriod: 14,
    });
  });

  test('the project rule RuntimeLogGroupOwned finds the canary compliant', () => {
    const { check } = build();
    expect(RuntimeLogGroupOwned(check.canary.node.defaultChild as synthetics.CfnCanary)).toBe(
      NagRuleCompliance.COMPLIANT,
    );
  });
});

describe('SyntheticCheck log group', () => {
  test('is /aws/lambda/cwsyn-<name>-<canary Id>, encrypted with the key, with the retention', () => {
    const { stack, key, check, template } = build({ logRetention: logs.RetentionDays.THREE_MONTHS });
    const canaryId = idOf(stack, check.canary.node.defaultChild);
    const { resource } = only(template, 'AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.anyValue() },
    });
    expect(resource.Properties).toEqual({
      LogGroupName: { 'Fn::Join': ['', ['/aws/lambda/cwsyn-shop-prod-', { 'Fn::GetAtt': [canaryId, 'Id'] }]] },
      KmsKeyId: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
      RetentionInDays: 90,
    });
  });

  test('is retained by default, except after a failed first create, and follows removalPolicy', () => {
    const retained = build().template;
    retained.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.anyValue() },
      DeletionPolicy: 'RetainExceptOnCreate',
      UpdateReplacePolicy: 'Retain',
    });
    build({ removalPolicy: RemovalPolicy.DESTROY }).template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: Match.anyValue() },
      DeletionPolicy: 'Delete',
    });
  });
});

describe('SyntheticCheck starter', () => {
  test('calls StartCanary on create and update, ignores ConflictException only, and does nothing on delete', () => {
    const { stack, check, template } = build();
    const { resource } = only(template, 'Custom::SyntheticsCanaryStarter');
    const canaryId = idOf(stack, check.canary.node.defaultChild);
    for (const field of ['Create', 'Update']) {
      const [, parts] = resource.Properties[field]['Fn::Join'] as [string, unknown[]];
      expect(parts).toEqual([
        '{"service":"@aws-sdk/client-synthetics","action":"StartCanary","parameters":{"Name":"shop-prod"},"physicalResourceId":{"id":"',
        { 'Fn::GetAtt': [canaryId, 'Id'] },
        '"},"ignoreErrorCodesMatching":"^ConflictException$"}',
      ]);
    }
    expect(resource.Properties.Delete).toBeUndefined();
    expect(resource.Properties.InstallLatestAwsSdk).toBe(false);
  });

  test("waits for the canary's log group and the canary role's policy", () => {
    const { stack, check, template } = build();
    const { resource } = only(template, 'Custom::SyntheticsCanaryStarter');
    expect(resource.DependsOn).toEqual(
      expect.arrayContaining([
        idOf(stack, check.logGroup.node.defaultChild),
        idOf(stack, check.role.policy!.node.defaultChild),
      ]),
    );
  });

  test('its function logs into its own encrypted log group with the retention', () => {
    const { stack, key, template } = build();
    const fn = only(template, 'AWS::Lambda::Function').resource;
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    expect(template.toJSON().Resources[logGroupId]).toMatchObject({
      Type: 'AWS::Logs::LogGroup',
      Properties: { KmsKeyId: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] }, RetentionInDays: 30 },
    });
  });

  test("its role may only start this canary and write its own log group's streams", () => {
    const { check, template } = build();
    const fn = only(template, 'AWS::Lambda::Function').resource;
    const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
    const logGroupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
    const policies = template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: roleId }] } });
    expect(Object.values(policies)).toHaveLength(1);
    expect(template.findResources('AWS::IAM::Policy')).toEqual({});
    expect(Object.values(policies)[0].Properties.PolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
      },
      {
        Effect: 'Allow',
        Action: 'synthetics:StartCanary',
        Resource: {
          'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':synthetics:eu-west-1:123456789012:canary:shop-prod']],
        },
      },
    ]);
    expect(check.starter).toBeInstanceOf(cr.AwsCustomResource);
  });

  test('runs again whenever the canary changes: its properties carry a digest and the references of the canary', () => {
    const configuration = (overrides: Partial<SyntheticCheckProps>) =>
      only(build(overrides).template, 'Custom::SyntheticsCanaryStarter').resource.Properties.CanaryConfiguration as {
        Digest: string;
        References: unknown[];
      };
    const base = configuration({});
    expect(base.Digest).toMatch(/^[0-9a-f]{64}$/);
    expect(configuration({}).Digest).toBe(base.Digest);
    expect(configuration({ apiPaths: ['/api/ready'] }).Digest).not.toBe(base.Digest);
    expect(configuration({ scheduleRateMinutes: 10 }).Digest).not.toBe(base.Digest);

    const { stack, key, check, template } = build({
      baseUrl: `https://${Token.asString({ 'Fn::GetAtt': ['Distribution', 'DomainName'] })}`,
    });
    const references = only(template, 'Custom::SyntheticsCanaryStarter').resource.Properties.CanaryConfiguration
      .References as unknown[];
    expect(references).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': ['Distribution', 'DomainName'] },
        { 'Fn::GetAtt': [idOf(stack, check.role.node.defaultChild), 'Arn'] },
        { Ref: idOf(stack, check.artifactsBucket.node.defaultChild) },
        { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
      ]),
    );
    expect(references).toHaveLength(4);
  });

  test('a cross-stack base URL reaches the starter as the import the canary uses', () => {
    const stack = testStack();
    const edge = new Stack(stack.node.scope as never, 'Edge', {
      env: { account: '123456789012', region: 'eu-west-1' },
    });
    const origin = new s3.Bucket(edge, 'Origin');
    new SyntheticCheck(stack, 'Check', {
      canaryName: 'shop-prod',
      baseUrl: `https://${origin.bucketRegionalDomainName}`,
      encryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    const template = Template.fromStack(stack);
    const imported = (
      only(template, 'AWS::Synthetics::Canary').resource.Properties.Code.Script['Fn::Join'][1] as unknown[]
    ).find((part) => typeof part !== 'string');
    expect(imported).toEqual({ 'Fn::ImportValue': expect.any(String) });
    const references = only(template, 'Custom::SyntheticsCanaryStarter').resource.Properties.CanaryConfiguration
      .References as unknown[];
    expect(references).toContainEqual(imported);
  });

  test('a second check of the stack shares the function, its role and log group', () => {
    const stack = testStack();
    const key = new kms.Key(stack, 'Key');
    const common = {
      baseUrl: 'https://shop.example.com',
      encryptionKey: key,
      logRetention: logs.RetentionDays.ONE_MONTH,
    };
    new SyntheticCheck(stack, 'Shop', { canaryName: 'shop', ...common });
    new SyntheticCheck(stack, 'Admin', { canaryName: 'admin', ...common });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.resourceCountIs('Custom::SyntheticsCanaryStarter', 2);
    // Two canary log groups and one starter log group.
    template.resourceCountIs('AWS::Logs::LogGroup', 3);
    const starts = Object.values(template.findResources('AWS::IAM::ManagedPolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>)
      .filter((statement) => statement.Action === 'synthetics:StartCanary')
      .map((statement) => JSON.stringify(statement.Resource));
    expect(starts).toHaveLength(2);
    expect(starts.some((arn) => arn.includes(':canary:shop"'))).toBe(true);
    expect(starts.some((arn) => arn.includes(':canary:admin"'))).toBe(true);
  });

  test('refuses a stack whose AwsCustomResource function exists without a log group of its own', () => {
    const stack = testStack();
    new cr.AwsCustomResource(stack, 'Other', {
      onUpdate: {
        service: 'STS',
        action: 'getCallerIdentity',
        physicalResourceId: cr.PhysicalResourceId.of('caller'),
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: cr.AwsCustomResourcePolicy.ANY_RESOURCE }),
      installLatestAwsSdk: false,
    });
    const message = thrown(
      () =>
        new SyntheticCheck(stack, 'Check', {
          canaryName: 'shop-prod',
          baseUrl: 'https://shop.example.com',
          encryptionKey: new kms.Key(stack, 'Key'),
          logRetention: logs.RetentionDays.ONE_MONTH,
        }),
    );
    expect(message).toContain('already exists without a log group of its own');
  });
});

describe('SyntheticCheck execution role', () => {
  function statements(check: SyntheticCheck, stack: Stack) {
    const template = Template.fromStack(stack);
    const policy = template.toJSON().Resources[idOf(stack, check.role.policy!.node.defaultChild)];
    return policy.Properties.PolicyDocument.Statement as Array<{
      Action: string | string[];
      Resource: unknown;
      Condition?: unknown;
    }>;
  }

  test('is assumed by Lambda and has no inline policy', () => {
    const { stack, check, template } = build();
    const role = template.toJSON().Resources[idOf(stack, check.role.node.defaultChild)];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
    ]);
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('names * only for s3:ListAllMyBuckets and cloudwatch:PutMetricData, the latter in the Synthetics namespace', () => {
    const { stack, check } = build();
    const wildcard = statements(check, stack).filter(
      (s) => JSON.stringify(s.Resource).includes('"*"') || s.Resource === '*',
    );
    expect(wildcard).toEqual([
      { Effect: 'Allow', Action: 's3:ListAllMyBuckets', Resource: '*' },
      {
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'CloudWatchSynthetics' } },
      },
    ]);
  });

  test('writes only its own log group, and may not create log groups', () => {
    const { stack, check } = build();
    const all = statements(check, stack);
    expect(all.flatMap((s) => [s.Action].flat())).not.toContain('logs:CreateLogGroup');
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: { 'Fn::GetAtt': [idOf(stack, check.logGroup.node.defaultChild), 'Arn'] },
    });
  });

  test("reads and writes the bucket's objects and uses the key through S3 only", () => {
    const { stack, key, check } = build();
    const bucketId = idOf(stack, check.artifactsBucket.node.defaultChild);
    const all = statements(check, stack);
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['s3:PutObject', 's3:GetObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
    });
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: 's3:GetBucketLocation',
      Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] },
    });
    expect(all).toContainEqual({
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
      Condition: { StringEquals: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
    });
    expect(all).toHaveLength(6);
  });
});

describe('SyntheticCheck artifacts bucket', () => {
  test('is encrypted with the key, blocks public access, requires TLS and expires artifacts', () => {
    const { stack, key, check, template } = build({ artifactsRetentionDays: 14 });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          {
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: {
              SSEAlgorithm: 'aws:kms',
              KMSMasterKeyID: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
            },
          },
        ],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LifecycleConfiguration: {
        Rules: [
          Match.objectLike({
            Status: 'Enabled',
            ExpirationInDays: 14,
            NoncurrentVersionExpiration: { NoncurrentDays: 1 },
          }),
        ],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: idOf(stack, check.artifactsBucket.node.defaultChild) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('sends server access logs to the given bucket', () => {
    const stack = testStack(withLogDeliveryPolicy);
    const accessLogs = new s3.Bucket(stack, 'AccessLogs');
    new SyntheticCheck(stack, 'Check', {
      canaryName: 'shop-prod',
      baseUrl: 'https://shop.example.com',
      encryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_MONTH,
      accessLogsBucket: accessLogs,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LoggingConfiguration: { DestinationBucketName: { Ref: idOf(stack, accessLogs.node.defaultChild) } },
    });
  });
});

describe('SyntheticCheck metrics', () => {
  test('name the canary literally in the CloudWatchSynthetics namespace', () => {
    const { check } = build();
    const expectations: Array<[ReturnType<SyntheticCheck['metricFailed']>, string, string]> = [
      [check.metricSuccessPercent(), 'SuccessPercent', 'Average'],
      [check.metricDuration(), 'Duration', 'Average'],
      [check.metricFailed(), 'Failed', 'Sum'],
    ];
    for (const [metric, name, statistic] of expectations) {
      expect(metric.namespace).toBe('CloudWatchSynthetics');
      expect(metric.metricName).toBe(name);
      expect(metric.dimensions).toEqual({ CanaryName: 'shop-prod' });
      expect(metric.statistic).toBe(statistic);
      expect(metric.period.toMinutes()).toBe(5);
    }
  });

  test("take the caller's options", () => {
    const { check } = build();
    const metric = check.metricSuccessPercent({ period: Duration.minutes(15), statistic: 'Minimum' });
    expect(metric.period.toMinutes()).toBe(15);
    expect(metric.statistic).toBe('Minimum');
    expect(metric.dimensions).toEqual({ CanaryName: 'shop-prod' });
  });
});

describe('the canary script', () => {
  interface Answer {
    readonly status: number;
    readonly type: string;
    readonly body: string;
  }

  /** Runs the script against a local server, with a stand-in for the Synthetics library. */
  async function run(
    checks: SyntheticCheckUrl[],
    answers: Record<string, Answer>,
  ): Promise<{ error?: string; steps: string[] }> {
    const server = http.createServer((request, response) => {
      const answer = answers[request.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'not found' };
      response.writeHead(answer.status, { 'content-type': answer.type });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-check-'));
    const library = path.join(dir, 'node_modules', '@aws', 'synthetics-core');
    fs.mkdirSync(library, { recursive: true });
    // executeHttpStep as documented: the request, then the callback with the response; a step fails
    // when the callback rejects.
    fs.writeFileSync(
      path.join(library, 'index.js'),
      `const http = require('node:http');
       const steps = [];
       exports.steps = steps;
       exports.synthetics = {
         getCanaryUserAgentString: () => 'CloudWatchSynthetics/test',
         executeHttpStep: (name, options, callback) => new Promise((resolve, reject) => {
           steps.push(name);
           const request = http.request({ ...options, protocol: 'http:' }, (response) => callback(response).then(resolve, reject));
           request.on('error', reject);
           request.end();
         }),
       };`,
    );
    fs.writeFileSync(path.join(dir, 'index.js'), syntheticCheckScript(`http://127.0.0.1:${port}`, checks));
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const script = require(path.join(dir, 'index.js')) as { handler: () => Promise<unknown> };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { steps } = require(library) as { steps: string[] };
      try {
        await script.handler();
        return { steps };
      } catch (error) {
        return { error: (error as Error).message, steps };
      }
    } finally {
      server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  const html = {
    status: 200,
    type: 'text/html; charset=utf-8',
    body: '<!DOCTYPE html><html lang="en"><body>ok</body></html>',
  };
  const json = { status: 200, type: 'application/json', body: '{"status":"ok"}' };
  const checks: SyntheticCheckUrl[] = [
    { kind: 'page', path: '/' },
    { kind: 'api', path: '/api/health' },
  ];

  test('passes when every page answers 200 HTML and every API path 200, one step per URL', async () => {
    const result = await run(checks, { '/': html, '/api/health': json });
    expect(result).toEqual({ steps: ['page /', 'api /api/health'] });
  });

  test('fails on a status other than 200, and still checks the other URLs', async () => {
    const result = await run(checks, { '/': { ...html, status: 503 }, '/api/health': { ...json, status: 500 } });
    expect(result.steps).toEqual(['page /', 'api /api/health']);
    expect(result.error).toContain('2 of 2 checks failed');
    expect(result.error).toContain('/ answered HTTP 503, expected 200');
    expect(result.error).toContain('/api/health answered HTTP 500, expected 200');
  });

  test('fails a page that is not HTML, by type or by body', async () => {
    expect((await run([checks[0]!], { '/': { ...html, type: 'application/json' } })).error).toContain(
      'answered Content-Type "application/json", expected text/html',
    );
    expect((await run([checks[0]!], { '/': { ...html, body: 'plain text' } })).error).toContain(
      'answered 200 text/html without an <html> element',
    );
  });

  test('does not follow a redirect', async () => {
    const result = await run([checks[0]!], { '/': { status: 302, type: 'text/html', body: '' } });
    expect(result.error).toContain('answered HTTP 302, expected 200');
  });
});
