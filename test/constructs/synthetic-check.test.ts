import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as s3_assets from 'aws-cdk-lib/aws-s3-assets';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as cr from 'aws-cdk-lib/custom-resources';
import { NagRuleCompliance } from 'cdk-nag';
import { SyntheticCheck, type SyntheticCheckProps } from '../../constructs/observability/synthetic-check';
import type { SyntheticCheckUrl } from '../../constructs/observability/synthetic-check-rules';
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

/** The canary's run-time environment variables as CloudFormation receives them. */
function environmentOf(template: Template): Record<string, any> {
  return only(template, 'AWS::Synthetics::Canary').resource.Properties.RunConfig.EnvironmentVariables;
}

/** The committed canary script. */
const SCRIPT = fs.readFileSync(path.join(__dirname, '../../constructs/observability/canary/index.cjs'), 'utf8');

/** The directory of the canary's code asset in the cloud assembly (or its source, when staging is off). */
function codeAssetDirectory(check: SyntheticCheck): string {
  const asset = check.canary.node.findChild('Code') as s3_assets.Asset;
  return path.isAbsolute(asset.assetPath) ? asset.assetPath : path.join(Stage.of(check)!.outdir, asset.assetPath);
}

/** The files under `directory`, relative, sorted. */
function filesUnder(directory: string): string[] {
  return (fs.readdirSync(directory, { recursive: true }) as string[])
    .filter((entry) => fs.statSync(path.join(directory, entry)).isFile())
    .sort();
}

/** The temporary directories SyntheticCheck stages its code in. */
const stagingDirectories = () => fs.readdirSync(os.tmpdir()).filter((name) => name.startsWith('synthetic-check-'));

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

  test('apiBodyIncludes is literal, not empty, and needs API paths', () => {
    expect(thrown(() => build({ apiBodyIncludes: Token.asString({ Ref: 'Text' }) }))).toContain(
      'apiBodyIncludes: is a token; give literal text',
    );
    expect(thrown(() => build({ apiBodyIncludes: '' }))).toContain(
      'apiBodyIncludes: is empty, which every body contains',
    );
    expect(thrown(() => build({ apiPaths: [], apiBodyIncludes: '"status":"ok"' }))).toContain(
      'apiBodyIncludes: "\\"status\\":\\"ok\\"" would check nothing: apiPaths is empty',
    );
    expect(thrown(() => build({ apiBodyIncludes: '"status":"ok"' }))).toBe('');
  });

  test("the checks must fit the 4096 bytes of the canary's environment variables", () => {
    // CHECK_BASE_URL, its 24 bytes, CHECK_PLAN and the JSON array: 49 bytes, and 65 per API check of a
    // 40-character path. 62 checks take 4079 bytes, 63 take 4144.
    const paths = (count: number) => Array.from({ length: count }, (_, i) => `/api/${String(i).padStart(35, '0')}`);
    expect(thrown(() => build({ pagePaths: [], apiPaths: paths(62) }))).toBe('');
    const over = thrown(() => build({ pagePaths: [], apiPaths: paths(63) }));
    expect(over).toContain("apiPaths: the checks and base URL take 4144 bytes of the canary's environment variables");
    expect(over).toContain('more than the 4096 Synthetics allows; check fewer or shorter paths');
    // A base URL that is a token counts at its longest, 267 bytes: 58 checks fit, 59 do not.
    const tokenUrl = `https://${Token.asString({ Ref: 'Domain' })}`;
    expect(thrown(() => build({ pagePaths: [], apiPaths: paths(58), baseUrl: tokenUrl }))).toBe('');
    expect(thrown(() => build({ pagePaths: [], apiPaths: paths(59), baseUrl: tokenUrl }))).toContain(
      '(a base URL that is a token counts as 267)',
    );
  });
});

describe('SyntheticCheck canary', () => {
  test('runs the browserless Node.js runtime syn-nodejs-3.1 from a code asset, with the index.handler entry point', () => {
    const { template } = build();
    const { resource } = only(template, 'AWS::Synthetics::Canary');
    expect(resource.Properties.Name).toBe('shop-prod');
    expect(resource.Properties.RuntimeVersion).toBe('syn-nodejs-3.1');
    expect(resource.Properties.Code).toEqual({
      Handler: 'index.handler',
      S3Bucket: 'cdk-hnb659fds-assets-123456789012-eu-west-1',
      S3Key: expect.stringMatching(/^[0-9a-f]{64}\.zip$/),
    });
  });

  test('the code asset holds the committed script at index.js and nodejs/node_modules/index.js, and nothing else', () => {
    const { check } = build();
    const directory = codeAssetDirectory(check);
    expect(filesUnder(directory)).toEqual(['index.js', path.join('nodejs', 'node_modules', 'index.js')]);
    for (const file of filesUnder(directory)) {
      expect(fs.readFileSync(path.join(directory, file), 'utf8')).toBe(SCRIPT);
      expect(fs.statSync(path.join(directory, file)).mode & 0o444).toBe(0o444);
    }
  });

  test('the code asset is the same whatever the props: what to check is in the environment variables', () => {
    const keyOf = (overrides: Partial<SyntheticCheckProps>) =>
      only(build(overrides).template, 'AWS::Synthetics::Canary').resource.Properties.Code.S3Key as string;
    const base = keyOf({});
    expect(keyOf({ canaryName: 'other', baseUrl: 'https://other.example.com', apiBodyIncludes: 'ok' })).toBe(base);
  });

  test('stages its code in a temporary directory that it removes', () => {
    const before = stagingDirectories();
    build();
    expect(stagingDirectories()).toEqual(before);
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

  test('its environment variables carry the base URL and the checks: pages, then API paths', () => {
    const environment = environmentOf(
      build({ pagePaths: ['/', '/courses'], apiPaths: ['/api/health', '/api/version'] }).template,
    );
    expect(environment).toEqual({
      CHECK_BASE_URL: 'https://shop.example.com',
      CHECK_PLAN:
        '[{"kind":"page","path":"/"},{"kind":"page","path":"/courses"},{"kind":"api","path":"/api/health"},{"kind":"api","path":"/api/version"}]',
    });
  });

  test('apiBodyIncludes goes into every API check of the plan, not into page checks', () => {
    const environment = environmentOf(
      build({ apiPaths: ['/api/health', '/api/ready'], apiBodyIncludes: '"status":"ok"' }).template,
    );
    expect(JSON.parse(environment.CHECK_PLAN)).toEqual([
      { kind: 'page', path: '/' },
      { kind: 'api', path: '/api/health', bodyIncludes: '"status":"ok"' },
      { kind: 'api', path: '/api/ready', bodyIncludes: '"status":"ok"' },
    ]);
  });

  test('a base URL that is a token is joined into its environment variable by CloudFormation', () => {
    const stack = testStack();
    const domain = Token.asString({ 'Fn::GetAtt': ['Distribution', 'DomainName'] });
    new SyntheticCheck(stack, 'Check', {
      canaryName: 'shop-prod',
      baseUrl: `https://${domain}`,
      encryptionKey: new kms.Key(stack, 'Key'),
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    expect(environmentOf(Template.fromStack(stack)).CHECK_BASE_URL).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': ['Distribution', 'DomainName'] }]],
    });
  });

  test('is created stopped, and its Lambda function and layers are deleted with it', () => {
    build().template.hasResourceProperties('AWS::Synthetics::Canary', {
      StartCanaryAfterCreation: false,
      ProvisionedResourceCleanup: 'AUTOMATIC',
    });
  });

  test('writes its artifacts to its bucket and keeps its run history as long as the artifacts', () => {
    const { stack, check, template } = build({ artifactsRetentionDays: 14 });
    template.hasResourceProperties('AWS::Synthetics::Canary', {
      ArtifactS3Location: {
        'Fn::Join': ['', ['s3://', { Ref: idOf(stack, check.artifactsBucket.node.defaultChild) }]],
      },
      SuccessRetentionPeriod: 14,
      FailureRetentionPeriod: 14,
    });
  });

  test("sets no ArtifactConfig: the bucket's default encryption, SSE-KMS with the key, applies", () => {
    const { stack, key, check, template } = build();
    const { resource } = only(template, 'AWS::Synthetics::Canary');
    expect(resource.Properties).not.toHaveProperty('ArtifactConfig');
    const bucket = template.toJSON().Resources[idOf(stack, check.artifactsBucket.node.defaultChild)];
    expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration).toEqual([
      {
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [idOf(stack, key.node.defaultChild), 'Arn'] },
        },
      },
    ]);
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
  test('calls StartCanary on create and update, ignores only the errors of a running canary, and does nothing on delete', () => {
    const { stack, check, template } = build();
    const { resource } = only(template, 'Custom::SyntheticsCanaryStarter');
    const canaryId = idOf(stack, check.canary.node.defaultChild);
    for (const field of ['Create', 'Update']) {
      const [, parts] = resource.Properties[field]['Fn::Join'] as [string, unknown[]];
      expect(parts).toEqual([
        '{"service":"@aws-sdk/client-synthetics","action":"StartCanary","parameters":{"Name":"shop-prod"},"physicalResourceId":{"id":"',
        { 'Fn::GetAtt': [canaryId, 'Id'] },
        '"},"ignoreErrorCodesMatching":"^(ConflictException|ValidationException)$"}',
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
    expect(configuration({ apiBodyIncludes: 'ok' }).Digest).not.toBe(base.Digest);

    const { stack, check, template } = build({
      baseUrl: `https://${Token.asString({ 'Fn::GetAtt': ['Distribution', 'DomainName'] })}`,
    });
    const references = only(template, 'Custom::SyntheticsCanaryStarter').resource.Properties.CanaryConfiguration
      .References as unknown[];
    expect(references).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': ['Distribution', 'DomainName'] },
        { 'Fn::GetAtt': [idOf(stack, check.role.node.defaultChild), 'Arn'] },
        { Ref: idOf(stack, check.artifactsBucket.node.defaultChild) },
      ]),
    );
    // The code asset's bucket and key are literals of this environment-bound stack: in the digest.
    expect(references).toHaveLength(3);
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
    const imported = (environmentOf(template).CHECK_BASE_URL['Fn::Join'][1] as unknown[]).find(
      (part) => typeof part !== 'string',
    );
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

  test('metricRuns counts the runs that reported, over an hour by default', () => {
    const { check } = build();
    const runs = check.metricRuns();
    expect(runs.namespace).toBe('CloudWatchSynthetics');
    expect(runs.metricName).toBe('SuccessPercent');
    expect(runs.dimensions).toEqual({ CanaryName: 'shop-prod' });
    expect(runs.statistic).toBe('SampleCount');
    expect(runs.period.toHours()).toBe(1);
    expect(check.metricRuns({ period: Duration.minutes(30) }).period.toMinutes()).toBe(30);
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

  /** The script as shipped: read from the code asset of a synthesized check. */
  const shipped = (() => {
    const { check } = build();
    return fs.readFileSync(path.join(codeAssetDirectory(check), 'nodejs', 'node_modules', 'index.js'), 'utf8');
  })();

  /**
   * Runs the shipped script against a local server, with a stand-in for the Synthetics library and
   * the environment variables `environment(origin)` gives (the canary's, by default).
   */
  async function run(
    checks: SyntheticCheckUrl[] | string,
    answers: Record<string, Answer>,
    environment: (origin: string) => Record<string, string | undefined> = (origin) => ({
      CHECK_BASE_URL: origin,
      CHECK_PLAN: typeof checks === 'string' ? checks : JSON.stringify(checks),
    }),
  ): Promise<{ error?: string; steps: string[]; requested: string[] }> {
    const requested: string[] = [];
    const server = http.createServer((request, response) => {
      requested.push(request.url ?? '');
      const answer = answers[request.url ?? ''] ?? { status: 404, type: 'text/plain', body: 'not found' };
      response.writeHead(answer.status, { 'content-type': answer.type });
      response.end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canary-script-test-'));
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
    fs.writeFileSync(path.join(dir, 'index.js'), shipped);
    const variables = environment(`http://127.0.0.1:${port}`);
    const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
    const assign = (values: Record<string, string | undefined>) => {
      for (const [name, value] of Object.entries(values)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    };
    assign(variables);
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const script = require(path.join(dir, 'index.js')) as { handler: () => Promise<unknown> };
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { steps } = require(library) as { steps: string[] };
      try {
        await script.handler();
        return { steps, requested };
      } catch (error) {
        return { error: (error as Error).message, steps, requested };
      }
    } finally {
      assign(saved);
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
  const degraded = {
    status: 200,
    type: 'application/json',
    body: '{"status":"degraded","database":{"writer":{"ok":false,"error":"timeout"}}}',
  };
  const checks: SyntheticCheckUrl[] = [
    { kind: 'page', path: '/' },
    { kind: 'api', path: '/api/health' },
  ];

  test('is the committed script', () => {
    expect(shipped).toBe(SCRIPT);
  });

  test('passes when every page answers 200 HTML and every API path 200, one step per URL', async () => {
    const result = await run(checks, { '/': html, '/api/health': json });
    expect(result).toEqual({ steps: ['page /', 'api /api/health'], requested: ['/', '/api/health'] });
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

  test("with apiBodyIncludes, passes a healthy body and fails a degraded one, quoting the body's start", async () => {
    // The plan exactly as the construct writes it.
    const plan = environmentOf(build({ apiBodyIncludes: '"status":"ok"' }).template).CHECK_PLAN as string;
    expect(await run(plan, { '/': html, '/api/health': json })).toEqual({
      steps: ['page /', 'api /api/health'],
      requested: ['/', '/api/health'],
    });
    const failed = await run(plan, { '/': html, '/api/health': degraded });
    expect(failed.error).toContain('1 of 2 checks failed');
    expect(failed.error).toContain(
      `/api/health answered 200 without "\\"status\\":\\"ok\\"" in its body, which begins ${JSON.stringify(degraded.body)}`,
    );
  });

  test('without apiBodyIncludes, a degraded body passes: only the status is checked', async () => {
    const plan = environmentOf(build().template).CHECK_PLAN as string;
    expect((await run(plan, { '/': html, '/api/health': degraded })).error).toBeUndefined();
  });

  test('keeps every request on the base URL, even for a path that starts with //', async () => {
    const result = await run([{ kind: 'api', path: '//elsewhere.example/x?y=1' }], {
      '//elsewhere.example/x?y=1': json,
    });
    expect(result).toEqual({ steps: ['api //elsewhere.example/x?y=1'], requested: ['//elsewhere.example/x?y=1'] });
  });

  test('fails the run, naming the variable, when the environment is missing or malformed', async () => {
    const answers = { '/': html };
    expect((await run(checks, answers, () => ({ CHECK_BASE_URL: undefined, CHECK_PLAN: '[]' }))).error).toBe(
      'CHECK_BASE_URL and CHECK_PLAN must both be set in the canary environment variables',
    );
    expect((await run(checks, answers, () => ({ CHECK_BASE_URL: 'not a url', CHECK_PLAN: '[]' }))).error).toBe(
      'CHECK_BASE_URL "not a url" is not a URL',
    );
    expect((await run(checks, answers, (origin) => ({ CHECK_BASE_URL: origin, CHECK_PLAN: '{"kind":' }))).error).toBe(
      'CHECK_PLAN is not JSON',
    );
    const malformed = await run(checks, answers, (origin) => ({
      CHECK_BASE_URL: origin,
      CHECK_PLAN: '[{"kind":"page","path":"no-slash"}]',
    }));
    expect(malformed.error).toContain('CHECK_PLAN is not a non-empty array of');
    expect(malformed.requested).toEqual([]);
  });
});
