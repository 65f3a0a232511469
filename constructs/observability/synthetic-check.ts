import { createHash } from 'node:crypto';
import { ArnFormat, Duration, Fn, Lazy, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { SecureBucket } from '../data/secure-bucket';
import { ValidationError } from '../shared/errors';
import { isWholeNumber, known, problemsOf, throwOnProblems, type Problem, type Rule } from '../shared/problems';
import { ServiceRole } from '../shared/service-role';

/** Properties of a {@link SyntheticCheck}. */
export interface SyntheticCheckProps {
  /**
   * Name of the canary: lowercase letters, digits, hyphens and underscores, at most
   * {@link SYNTHETIC_CHECK_MAX_NAME_LENGTH} characters. Changing it replaces the canary (new ID, new
   * log group). Not secret: the canary's ARN carries it in the User-Agent of every request it sends.
   */
  readonly canaryName: string;

  /**
   * Origin of the site, e.g. `https://example.com` or `https://${distribution.domainName}` (a token
   * is fine): HTTPS, no path, query, fragment or credentials.
   */
  readonly baseUrl: string;

  /**
   * Paths of pages, each of which must answer 200 with `Content-Type: text/html` and an `<html>`
   * element. Each starts with `/`.
   *
   * @default ['/']
   */
  readonly pagePaths?: string[];

  /**
   * Paths of API endpoints (e.g. `/api/health`), each of which must answer 200. Each starts with `/`.
   *
   * @default - none
   */
  readonly apiPaths?: string[];

  /**
   * Minutes between runs, 1 to 60.
   *
   * @default 5
   */
  readonly scheduleRateMinutes?: number;

  /**
   * Seconds a run may take before it fails, 3 to 840 and at most the time between runs.
   *
   * @default 60
   */
  readonly timeoutSeconds?: number;

  /**
   * Customer-managed key of the artifacts bucket (SSE-KMS) and of the log groups. The construct adds
   * nothing to its policy, which must let this region's CloudWatch Logs use it
   * (`EncryptionKey.allowCloudWatchLogs`) and principals of this account use it through S3
   * (`EncryptionKey.viaServices: SyntheticCheck.ENCRYPTION_KEY_SERVICES`, or the default `kms.Key`
   * policy that admits the account). An imported key's owner must allow both.
   */
  readonly encryptionKey: kms.IKey;

  /** How long the canary's logs (and the starter function's) are kept. */
  readonly logRetention: logs.RetentionDays;

  /**
   * Days the artifacts of a run (logs, HAR, report) are kept: the S3 lifecycle expiration of the
   * artifacts bucket and the run history Synthetics keeps, 1 to 455.
   *
   * @default 30
   */
  readonly artifactsRetentionDays?: number;

  /**
   * What happens to the artifacts bucket and the log groups when they leave the stack. The canary's
   * log group, which has a fixed name, is kept as `RETAIN_ON_UPDATE_OR_DELETE` unless destroyed: a
   * failed first create removes it. The canary itself, which holds no data, is always deleted, its
   * Lambda function and layers with it.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * Bucket receiving the artifacts bucket's server access logs.
   *
   * @default - no server access logs
   */
  readonly accessLogsBucket?: s3.IBucket;

  /**
   * Synthetics runtime: a browserless Node.js runtime (`syn-nodejs-<major>.<minor>`), 3.1 or later
   * (the script loads `@aws/synthetics-core`, the namespace since 3.1). Pass
   * `new synthetics.Runtime('syn-nodejs-<version>', synthetics.RuntimeFamily.NODEJS)` for a runtime
   * newer than aws-cdk-lib knows.
   *
   * @default synthetics.Runtime.SYNTHETICS_NODEJS_3_1
   */
  readonly runtime?: synthetics.Runtime;
}

/**
 * The longest canary name this construct accepts. CloudFormation takes 255 characters, but the
 * Lambda function and log group Synthetics creates are named after the first 21 only
 * (`/aws/lambda/cwsyn-<first 21 characters>-<canary ID>`, DeleteCanary API reference; Lambda names
 * stop at 64 characters). Within 21 the log group's name is the full name, which the construct
 * must predict.
 */
export const SYNTHETIC_CHECK_MAX_NAME_LENGTH = 21;

/** The longest run history Synthetics keeps, in days (`SuccessRetentionPeriod`, `FailureRetentionPeriod`). */
export const SYNTHETIC_CHECK_MAX_RETENTION_DAYS = 455;

/** One URL a canary run checks. */
export interface SyntheticCheckUrl {
  /** `page`: 200 with an HTML body; `api`: 200. */
  readonly kind: 'page' | 'api';
  /** Path from the base URL, starting with `/`. */
  readonly path: string;
}

/** What the rules of {@link SyntheticCheckProps} read, defaults applied. Paths of problems name the props. */
export interface SyntheticCheckRuleInput {
  readonly canaryName: string;
  readonly baseUrl: string;
  readonly pagePaths: readonly string[];
  readonly apiPaths: readonly string[];
  readonly scheduleRateMinutes: number;
  readonly timeoutSeconds: number;
  readonly artifactsRetentionDays: number;
  readonly runtimeName: string;
}

const NAME_CHARACTERS = /^[0-9a-z_-]+$/;
/** A URL path with an optional query: the characters RFC 3986 allows there, no quotes or spaces. */
const PATH = /^\/[A-Za-z0-9\-._~!$&'()*+,;=:@%/?]*$/;
/** Browserless Node.js runtimes. */
const NODE_RUNTIME = /^syn-nodejs-(\d+)\.(\d+)$/;

function badNameCharacters(name: string): string {
  return [...new Set(name.replace(/[0-9a-z_-]/g, ''))].map((c) => JSON.stringify(c)).join(', ');
}

function badPaths(paths: readonly string[]): string[] {
  return paths.filter((path) => known(path) && !PATH.test(path));
}

function duplicatePaths(input: SyntheticCheckRuleInput): string[] {
  const all = [...input.pagePaths, ...input.apiPaths].filter((path) => known(path));
  return [...new Set(all.filter((path, index) => all.indexOf(path) !== index))];
}

/** Why `baseUrl` is not an HTTPS origin, or `undefined`. */
function baseUrlProblem(baseUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:') {
    return `uses ${url.protocol.replace(/:$/, '')}; give an https:// URL`;
  }
  if (url.username !== '' || url.password !== '') {
    return 'carries credentials, which would be written in the canary script in clear; check a public URL';
  }
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    return 'has a path, query or fragment; give the origin only and put paths in pagePaths and apiPaths';
  }
  return undefined;
}

function runtimeSupported(name: string): boolean {
  const match = NODE_RUNTIME.exec(name);
  if (match === null) {
    return false;
  }
  const [major, minor] = [Number(match[1]), Number(match[2])];
  return major > 3 || (major === 3 && minor >= 1);
}

/** The rules of {@link SyntheticCheckProps}, reported all at once; values that are tokens are skipped. */
export const SYNTHETIC_CHECK_RULES: ReadonlyArray<Rule<SyntheticCheckRuleInput>> = [
  {
    path: ['canaryName'],
    broken: ({ canaryName }) => !known(canaryName),
    message: () =>
      'is a token; give a literal name: the name of the log group the construct creates for the canary is built from it',
  },
  {
    path: ['canaryName'],
    broken: ({ canaryName }) =>
      known(canaryName) && (canaryName.length < 1 || canaryName.length > SYNTHETIC_CHECK_MAX_NAME_LENGTH),
    message: ({ canaryName }) =>
      `"${canaryName}" has ${canaryName.length} characters; give 1 to ${SYNTHETIC_CHECK_MAX_NAME_LENGTH} (Synthetics names the canary's function and log group after the first ${SYNTHETIC_CHECK_MAX_NAME_LENGTH})`,
  },
  {
    path: ['canaryName'],
    broken: ({ canaryName }) => known(canaryName) && canaryName.length > 0 && !NAME_CHARACTERS.test(canaryName),
    message: ({ canaryName }) =>
      `"${canaryName}" has characters Synthetics refuses (${badNameCharacters(canaryName)}); use lowercase letters, digits, hyphens and underscores`,
  },
  {
    path: ['baseUrl'],
    broken: ({ baseUrl }) => known(baseUrl) && baseUrlProblem(baseUrl) !== undefined,
    message: ({ baseUrl }) => `"${baseUrl}" ${baseUrlProblem(baseUrl) ?? ''}`,
  },
  {
    path: ['pagePaths'],
    broken: ({ pagePaths }) => badPaths(pagePaths).length > 0,
    message: ({ pagePaths }) =>
      `${JSON.stringify(badPaths(pagePaths))}: each path starts with "/" and has only URL path and query characters (no spaces or quotes)`,
  },
  {
    path: ['apiPaths'],
    broken: ({ apiPaths }) => badPaths(apiPaths).length > 0,
    message: ({ apiPaths }) =>
      `${JSON.stringify(badPaths(apiPaths))}: each path starts with "/" and has only URL path and query characters (no spaces or quotes)`,
  },
  {
    path: ['apiPaths'],
    broken: (input) => duplicatePaths(input).length > 0,
    message: (input) =>
      `${JSON.stringify(duplicatePaths(input))} checked more than once (pagePaths and apiPaths together); each path is one step of the run, named after it`,
  },
  {
    path: ['pagePaths'],
    broken: ({ pagePaths, apiPaths }) => pagePaths.length + apiPaths.length === 0,
    message: () => 'pagePaths and apiPaths are both empty; give at least one path to check',
  },
  {
    path: ['scheduleRateMinutes'],
    broken: ({ scheduleRateMinutes: rate }) => known(rate) && !isWholeNumber(rate, 1, 60),
    message: ({ scheduleRateMinutes }) =>
      `${scheduleRateMinutes} is not a schedule Synthetics runs; give whole minutes from 1 to 60`,
  },
  {
    path: ['timeoutSeconds'],
    broken: ({ timeoutSeconds: timeout }) => known(timeout) && !isWholeNumber(timeout, 3, 840),
    message: ({ timeoutSeconds }) => `${timeoutSeconds} is not a canary timeout; give whole seconds from 3 to 840`,
  },
  {
    path: ['timeoutSeconds'],
    broken: ({ timeoutSeconds: timeout, scheduleRateMinutes: rate }) =>
      known(timeout, rate) && isWholeNumber(rate, 1, 60) && timeout > rate * 60,
    message: ({ timeoutSeconds, scheduleRateMinutes }) =>
      `${timeoutSeconds} seconds outlast the ${scheduleRateMinutes * 60} seconds between runs; Synthetics refuses a timeout longer than the schedule's rate`,
  },
  {
    path: ['artifactsRetentionDays'],
    broken: ({ artifactsRetentionDays: days }) =>
      known(days) && !isWholeNumber(days, 1, SYNTHETIC_CHECK_MAX_RETENTION_DAYS),
    message: ({ artifactsRetentionDays }) =>
      `${artifactsRetentionDays} is not a retention Synthetics keeps run history for; give whole days from 1 to ${SYNTHETIC_CHECK_MAX_RETENTION_DAYS}`,
  },
  {
    path: ['runtime'],
    broken: ({ runtimeName }) => known(runtimeName) && !runtimeSupported(runtimeName),
    message: ({ runtimeName }) =>
      `"${runtimeName}" cannot run this check's script; give a browserless Node.js runtime syn-nodejs-3.1 or later (the script loads @aws/synthetics-core and needs no browser)`,
  },
];

/** Every problem of `input`, in table order. */
export function syntheticCheckProblems(input: SyntheticCheckRuleInput): Problem[] {
  return problemsOf(input, SYNTHETIC_CHECK_RULES);
}

/**
 * The canary script (CommonJS, `index.handler`): one `executeHttpStep` per URL, in order, each
 * named `<kind> <path>` (the `StepName` of the step metrics). Every step runs even when an earlier
 * one failed, so each URL has its own verdict; the run fails if any did. A step fails unless the URL
 * answers 200 (redirects are not followed), and for a page also `Content-Type: text/html` and an
 * `<html>` element in the first MiB of the body.
 *
 * `baseUrl` may be a token: CloudFormation then joins it into the script.
 */
export function syntheticCheckScript(baseUrl: string, checks: readonly SyntheticCheckUrl[]): string {
  return `'use strict';
// Generated by SyntheticCheck. Fails the run unless every URL answers 200 (pages: text/html with an <html> element).
const core = require('@aws/synthetics-core');
const synthetics = core.synthetics || core;

const BASE_URL = ${JSON.stringify(baseUrl)};
const CHECKS = ${JSON.stringify(checks)};
const MAX_BODY_BYTES = 1048576;

function verdict(check, href) {
  return (response) =>
    new Promise((resolve, reject) => {
      const type = String(response.headers['content-type'] || '');
      const fail = (reason) => {
        response.resume();
        reject(new Error(href + ' ' + reason));
      };
      if (response.statusCode !== 200) {
        fail('answered HTTP ' + response.statusCode + ', expected 200');
        return;
      }
      if (check.kind === 'page' && !/^text\\/html\\b/i.test(type)) {
        fail('answered Content-Type "' + type + '", expected text/html');
        return;
      }
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        if (body.length < MAX_BODY_BYTES) body += chunk;
      });
      response.on('error', reject);
      response.on('end', () => {
        if (check.kind === 'page' && !/<html[\\s>]/i.test(body)) {
          reject(new Error(href + ' answered 200 text/html without an <html> element'));
        } else {
          resolve();
        }
      });
    });
}

exports.handler = async () => {
  const failures = [];
  for (const check of CHECKS) {
    const url = new URL(check.path, BASE_URL);
    const options = {
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port || undefined,
      path: url.pathname + url.search,
      method: 'GET',
      headers: {
        'User-Agent': synthetics.getCanaryUserAgentString(),
        Accept: check.kind === 'page' ? 'text/html' : 'application/json, */*',
      },
    };
    try {
      await synthetics.executeHttpStep(check.kind + ' ' + check.path, options, verdict(check, url.href));
    } catch (error) {
      failures.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (failures.length > 0) {
    throw new Error(failures.length + ' of ' + CHECKS.length + ' checks failed: ' + failures.join('; '));
  }
};
`;
}

/** Construct ID of aws-cdk-lib's stack-wide `AwsCustomResource` function (`AWS` + its UUID without dashes). */
const CUSTOM_RESOURCE_FUNCTION_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/** The CloudWatch namespace of canary metrics. */
const NAMESPACE = 'CloudWatchSynthetics';

/**
 * A CloudWatch Synthetics canary that checks a public web site from outside: every
 * `scheduleRateMinutes` it GETs the site's pages (200, HTML) and API paths (200) with the
 * browserless Node.js runtime, and fails the run if any of them does not answer so. Alarm on
 * {@link SyntheticCheck.metricSuccessPercent} (treat missing data as breaching: a stopped canary
 * publishes nothing).
 *
 * Resources:
 * - the canary (`StartCanaryAfterCreation: false`, `ProvisionedResourceCleanup: AUTOMATIC`: its
 *   Lambda function and layers go with it), script inline;
 * - its artifacts bucket: a {@link SecureBucket} encrypted with `encryptionKey` (and the canary's
 *   `ArtifactConfig` SSE-KMS with it), expiring artifacts after `artifactsRetentionDays`;
 * - its execution role, least privilege (see {@link SyntheticCheck.role});
 * - its log group, `/aws/lambda/cwsyn-<name>-<canary Id>`, encrypted and with retention: the
 *   service would create it unencrypted and kept forever on the first run (aws/aws-cdk#23718);
 * - a starter (`AwsCustomResource` calling `StartCanary`), which waits for the log group and the
 *   role's policy, so no run happens before its log group exists. The role has no
 *   `logs:CreateLogGroup` either, so the service can never create the group itself.
 *
 * Life cycle:
 * - Create: canary (stopped), log group (named after the canary's `Id`), role policy, then start.
 * - Update: CloudFormation's canary handler STOPS a running canary after any update when
 *   `StartCanaryAfterCreation` is false (aws-cloudformation-resource-providers-synthetics,
 *   `UpdateHandler`). So the starter's properties carry a digest of the canary's properties and
 *   every value they reference: whatever updates the canary also updates the starter, which starts
 *   it again. `StartCanary` on a running canary fails with `ConflictException`, which the starter
 *   ignores. A change that reaches the canary from outside the template (stack-level tags) stops it
 *   without restarting it; so does a failed deployment whose rollback restores the canary after the
 *   starter did not run: start it by hand (`aws synthetics start-canary`).
 * - Replacement (new name): a new canary, a new log group, the starter (its physical ID is the
 *   canary's ID) starts the new canary; CloudFormation then deletes the old canary, and the old
 *   log group per `removalPolicy`.
 * - Delete: the starter does nothing; CloudFormation stops and deletes the canary, whose Lambda
 *   function and layers Synthetics deletes; the log groups and bucket follow `removalPolicy`.
 *
 * The starter runs on aws-cdk-lib's stack-wide `AwsCustomResource` function. The first
 * `SyntheticCheck` of a stack creates it, with an encrypted log group and a role of its own; later
 * ones (and any other `AwsCustomResource` of the stack) share it. If another construct created that
 * function before, this construct requires it to have a log group of its own (`logGroup`).
 */
export class SyntheticCheck extends Construct {
  /**
   * The services through which principals of the account must be able to use `encryptionKey`: pass
   * them as `EncryptionKey`'s `viaServices` (with `allowCloudWatchLogs: true`).
   */
  public static readonly ENCRYPTION_KEY_SERVICES: readonly string[] = ['s3'];

  /** The canary. */
  public readonly canary: synthetics.Canary;
  /** The canary's log group, `/aws/lambda/cwsyn-<name>-<canary Id>`. */
  public readonly logGroup: logs.LogGroup;
  /** Where the canary writes its artifacts. */
  public readonly artifactsBucket: SecureBucket;
  /**
   * The canary's execution role. Its managed policy allows: `s3:PutObject` and `s3:GetObject` on
   * the artifacts bucket's objects; `s3:GetBucketLocation` on the bucket; `kms:GenerateDataKey` and
   * `kms:Decrypt` on the key through S3 only; `logs:CreateLogStream` and `logs:PutLogEvents` on the
   * canary's log group (no `logs:CreateLogGroup`). Two statements name `*`, as their actions have no
   * resource-level permissions: `s3:ListAllMyBuckets` (in the permissions Synthetics documents for a
   * canary role) and `cloudwatch:PutMetricData`, limited to the `CloudWatchSynthetics` namespace.
   */
  public readonly role: ServiceRole;
  /** Starts the canary once its log group exists, and again after every update of the canary. */
  public readonly starter: cr.AwsCustomResource;

  private readonly canaryName: string;

  constructor(scope: Construct, id: string, props: SyntheticCheckProps) {
    super(scope, id);
    const runtime = props.runtime ?? synthetics.Runtime.SYNTHETICS_NODEJS_3_1;
    const input: SyntheticCheckRuleInput = {
      canaryName: props.canaryName,
      baseUrl: props.baseUrl,
      pagePaths: props.pagePaths ?? ['/'],
      apiPaths: props.apiPaths ?? [],
      scheduleRateMinutes: props.scheduleRateMinutes ?? 5,
      timeoutSeconds: props.timeoutSeconds ?? 60,
      artifactsRetentionDays: props.artifactsRetentionDays ?? 30,
      runtimeName: runtime.name,
    };
    throwOnProblems(this, syntheticCheckProblems(input));
    this.canaryName = input.canaryName;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.artifactsBucket = new SecureBucket(this, 'Artifacts', {
      encryptionKey: props.encryptionKey,
      expirationDays: input.artifactsRetentionDays,
      // Expired artifacts become noncurrent versions: gone a day later.
      noncurrentVersionExpirationDays: 1,
      // Artifacts are disposable; a lock would only keep a destroyed stack from emptying the bucket.
      objectLockEnabled: false,
      serverAccessLogsBucket: props.accessLogsBucket,
      removalPolicy,
      ...(removalPolicy === RemovalPolicy.DESTROY
        ? { autoDeleteLogEncryptionKey: props.encryptionKey, autoDeleteLogRetention: props.logRetention }
        : {}),
    });

    this.role = new ServiceRole(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the canary ${input.canaryName}: writes its artifacts, metrics and logs`,
    });

    const checks: SyntheticCheckUrl[] = [
      ...input.pagePaths.map((path) => ({ kind: 'page' as const, path })),
      ...input.apiPaths.map((path) => ({ kind: 'api' as const, path })),
    ];
    const retention = Duration.days(input.artifactsRetentionDays);
    this.canary = new synthetics.Canary(this, 'Resource', {
      canaryName: input.canaryName,
      runtime,
      test: synthetics.Test.custom({
        code: synthetics.Code.fromInline(syntheticCheckScript(input.baseUrl, checks)),
        handler: 'index.handler',
      }),
      schedule: synthetics.Schedule.rate(Duration.minutes(input.scheduleRateMinutes)),
      timeout: Duration.seconds(input.timeoutSeconds),
      role: this.role,
      artifactsBucketLocation: { bucket: this.artifactsBucket },
      // Started by the starter, once the log group exists.
      startAfterCreation: false,
      provisionedResourceCleanup: true,
      successRetentionPeriod: retention,
      failureRetentionPeriod: retention,
    });
    const cfnCanary = this.canary.node.defaultChild as synthetics.CfnCanary;
    // On the L1: the L2's artifactS3KmsKey would also grant the role every data action on the key,
    // from any service.
    cfnCanary.artifactConfig = {
      s3Encryption: { encryptionMode: synthetics.ArtifactsEncryptionMode.KMS, kmsKeyArn: props.encryptionKey.keyArn },
    };

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: Fn.join('', [`/aws/lambda/cwsyn-${input.canaryName}-`, this.canary.canaryId]),
      encryptionKey: props.encryptionKey,
      retention: props.logRetention,
      // A named group kept after a failed first create would be an orphan: removed then, kept otherwise.
      removalPolicy:
        removalPolicy === RemovalPolicy.DESTROY ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });

    this.grantRun(props.encryptionKey);
    this.starter = this.createStarter(props, removalPolicy, cfnCanary);
  }

  /**
   * The percentage of runs that passed (`CloudWatchSynthetics` `SuccessPercent`).
   *
   * @default - average over 5 minutes
   */
  public metricSuccessPercent(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SuccessPercent', 'Average', props);
  }

  /**
   * How long a run took, in milliseconds (`CloudWatchSynthetics` `Duration`).
   *
   * @default - average over 5 minutes
   */
  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Duration', 'Average', props);
  }

  /**
   * The number of runs that failed (`CloudWatchSynthetics` `Failed`).
   *
   * @default - sum over 5 minutes
   */
  public metricFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('Failed', 'Sum', props);
  }

  /**
   * The L2's metric methods name the canary by its `Ref`, which another stack's alarm would import;
   * the name is a literal here, so these do not.
   */
  private metric(metricName: string, statistic: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: NAMESPACE,
      metricName,
      dimensionsMap: { CanaryName: this.canaryName },
      statistic,
      period: Duration.minutes(5),
      ...props,
    });
  }

  private grantRun(key: kms.IKey): void {
    const stack = Stack.of(this);
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:PutObject', 's3:GetObject'],
        resources: [this.artifactsBucket.arnForObjects('*')],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [this.artifactsBucket.bucketArn] }),
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${stack.region}.amazonaws.com` } },
      }),
      // No resource-level permissions for this action; in Synthetics' documented canary role.
      new iam.PolicyStatement({ actions: ['s3:ListAllMyBuckets'], resources: ['*'] }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:PutMetricData'],
        resources: ['*'],
        conditions: { StringEquals: { 'cloudwatch:namespace': NAMESPACE } },
      }),
      // No logs:CreateLogGroup: only the template creates the canary's log group.
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    ];
    for (const statement of statements) {
      this.role.addToPrincipalPolicy(statement);
    }
  }

  private createStarter(
    props: SyntheticCheckProps,
    removalPolicy: RemovalPolicy,
    cfnCanary: synthetics.CfnCanary,
  ): cr.AwsCustomResource {
    const stack = Stack.of(this);
    const startCanary = new iam.PolicyStatement({
      actions: ['synthetics:StartCanary'],
      resources: [
        stack.formatArn({
          service: 'synthetics',
          resource: 'canary',
          resourceName: this.canaryName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
    });
    const existing = stack.node.tryFindChild(CUSTOM_RESOURCE_FUNCTION_ID) as lambda.Function | undefined;
    let role: iam.IRole;
    let logGroup: logs.ILogGroup | undefined;
    if (existing === undefined) {
      // This check creates the stack's function: its role and log group are the ones given here.
      logGroup = new logs.LogGroup(this, 'StarterLogs', {
        encryptionKey: props.encryptionKey,
        retention: props.logRetention,
        removalPolicy,
      });
      role = new ServiceRole(this, 'StarterRole', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Runs the stack's AwsCustomResource calls (first: starting the canary ${this.canaryName})`,
        statements: [
          new iam.PolicyStatement({
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [logGroup.logGroupArn],
          }),
        ],
      });
    } else {
      if (
        (existing.node.defaultChild as lambda.CfnFunction).loggingConfig === undefined ||
        existing.role === undefined
      ) {
        throw new ValidationError(
          this,
          `the stack's AwsCustomResource function (${CUSTOM_RESOURCE_FUNCTION_ID}) already exists without a log group of its own, so the starter would log into one Lambda creates unencrypted and keeps forever; create the SyntheticCheck before the stack's other AwsCustomResources, or give the first of them a logGroup`,
        );
      }
      role = existing.role;
    }
    const grant = role.addToPrincipalPolicy(startCanary);

    const starter = new cr.AwsCustomResource(this, 'Starter', {
      resourceType: 'Custom::SyntheticsCanaryStarter',
      // Also the create call.
      onUpdate: {
        service: '@aws-sdk/client-synthetics',
        action: 'StartCanary',
        parameters: { Name: this.canaryName },
        // A new canary (new name) is a new physical resource: the starter runs for it.
        physicalResourceId: cr.PhysicalResourceId.of(this.canary.canaryId),
        // The canary runs already (the API reference's error for a canary in a conflicting state).
        ignoreErrorCodesMatching: '^ConflictException$',
      },
      role,
      logGroup,
      // Lambda's own SDK has Synthetics; installing another needs npm at deploy time.
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
    // The first run needs its log group and its permissions.
    starter.node.addDependency(this.logGroup);
    if (this.role.policy !== undefined) {
      starter.node.addDependency(this.role.policy);
    }
    if (grant.policyDependable !== undefined) {
      starter.node.addDependency(grant.policyDependable);
    }
    const cfnStarter = starter.node.findChild('Resource').node.defaultChild as CfnResource;
    // The handler reads only Create/Update/Delete; this property changes whenever the canary's do.
    // Uncached: references to other stacks render as imports only once CDK has assigned them.
    cfnStarter.addPropertyOverride(
      'CanaryConfiguration',
      Lazy.uncachedAny({ produce: () => canaryConfiguration(cfnCanary) }),
    );
    return starter;
  }
}

/**
 * What makes the starter run again whenever CloudFormation updates the canary: a digest of the
 * canary's rendered properties (literal changes) and every value they reference (`Ref`,
 * `Fn::GetAtt`, imports...), whose deployed values may change without the template changing.
 */
function canaryConfiguration(canary: CfnResource): { Digest: string; References: unknown[] } {
  const rendered = Stack.of(canary).resolve(canary._toCloudFormation()) as {
    Resources: Record<string, { Properties?: unknown }>;
  };
  const properties = Object.values(rendered.Resources)[0]?.Properties ?? {};
  return {
    Digest: createHash('sha256').update(JSON.stringify(properties)).digest('hex'),
    References: referencesIn(properties),
  };
}

/** The intrinsic values `value` reads, once each; `Fn::Join` is opened, its literal text is in the digest. */
function referencesIn(value: unknown, found = new Map<string, unknown>()): unknown[] {
  if (Array.isArray(value)) {
    value.forEach((item) => referencesIn(item, found));
  } else if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value);
    const intrinsic = keys.length === 1 && (keys[0] === 'Ref' || keys[0]?.startsWith('Fn::') === true);
    if (intrinsic && keys[0] !== 'Fn::Join') {
      if (!(keys[0] === 'Ref' && String((value as { Ref: unknown }).Ref).startsWith('AWS::'))) {
        found.set(JSON.stringify(value), value);
      }
    } else {
      Object.values(value).forEach((item) => referencesIn(item, found));
    }
  }
  return [...found.values()];
}
