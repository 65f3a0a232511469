import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ArnFormat, Duration, Fn, Lazy, RemovalPolicy, Stack, type CfnResource } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import * as cr from 'aws-cdk-lib/custom-resources';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { SecureBucket } from '../data/secure-bucket';
import { ValidationError } from '../shared/errors';
import { throwOnProblems } from '../shared/problems';
import { ignoreLintChecks } from '../shared/lint';
import { ServiceRole } from '../shared/service-role';
import {
  BASE_URL_VARIABLE,
  PLAN_VARIABLE,
  planOf,
  syntheticCheckProblems,
  type SyntheticCheckRuleInput,
} from './synthetic-check-rules';

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
   * is fine, also from another stack): HTTPS, no path, query, fragment or credentials. The canary
   * reads it from its environment variable `CHECK_BASE_URL`, visible to whoever can read the canary.
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
   * Paths of API endpoints (e.g. `/api/health`), each of which must answer 200 (and contain
   * `apiBodyIncludes`, if given). Each starts with `/`.
   *
   * @default - none
   */
  readonly apiPaths?: string[];

  /**
   * Text the body of every API path must contain, e.g. `"status":"ok"`: for a health endpoint that
   * answers 200 with a degraded status when a dependency is down. The step fails otherwise, naming
   * the text and quoting the start of the body. Searched in the first 1,048,576 characters; literal,
   * not a token.
   *
   * @default - none: only the status of API paths is checked
   */
  readonly apiBodyIncludes?: string;

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

/** The canary script, committed as `.cjs` (the repository ignores `*.js`); see the file for what it checks. */
const SCRIPT_SOURCE = path.join(__dirname, 'canary', 'index.cjs');
/** Where the code zip holds the script: its root, and the `nodejs/node_modules` of Synthetics' packaging docs. */
const SCRIPT_PLACES = ['index.js', path.join('nodejs', 'node_modules', 'index.js')];

/**
 * A new private temporary directory holding the committed script at every place of
 * {@link SCRIPT_PLACES}: the repository cannot hold `index.js` or a `node_modules` directory. Its
 * asset hash depends only on the script (CDK fingerprints relative paths and contents), so it
 * changes only when the script does.
 */
function stageCanaryCode(): string {
  const script = fs.readFileSync(SCRIPT_SOURCE);
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'synthetic-check-'));
  for (const place of SCRIPT_PLACES) {
    const file = path.join(directory, place);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, script);
    // Readable by the Lambda sandbox's user whatever the umask: modes travel in the zip.
    fs.chmodSync(file, 0o644);
  }
  return directory;
}

/** Construct ID of aws-cdk-lib's stack-wide `AwsCustomResource` function (`AWS` + its UUID without dashes). */
const CUSTOM_RESOURCE_FUNCTION_ID = `AWS${cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace(/-/g, '')}`;

/** The CloudWatch namespace of canary metrics. */
const NAMESPACE = 'CloudWatchSynthetics';

/**
 * A CloudWatch Synthetics canary that checks a public web site from outside: every
 * `scheduleRateMinutes` it GETs the site's pages (200, HTML) and API paths (200, containing
 * `apiBodyIncludes` if given) with the browserless Node.js runtime, and fails the run if any of
 * them does not answer so.
 *
 * Alarms: on {@link SyntheticCheck.metricSuccessPercent}, treating missing data as not breaching
 * (a period without a run is no failure of the site); and, separately, on
 * {@link SyntheticCheck.metricRuns} (runs that reported), treating missing data as breaching, to
 * catch a canary that stopped or never started.
 *
 * Resources:
 * - the canary (`StartCanaryAfterCreation: false`, `ProvisionedResourceCleanup: AUTOMATIC`: its
 *   Lambda function and layers go with it). Its code is an asset of one fixed script
 *   (`canary/index.cjs`), at `index.js` and `nodejs/node_modules/index.js` of the zip; what it
 *   checks is in its environment variables `CHECK_BASE_URL` and `CHECK_PLAN` (JSON), readable by
 *   whoever can read the canary's configuration: nothing secret goes there;
 * - its artifacts bucket: a {@link SecureBucket} whose default encryption is SSE-KMS with
 *   `encryptionKey` (the canary sets no `ArtifactConfig`), expiring artifacts after
 *   `artifactsRetentionDays`;
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
 *   it again, and ignores the error of `StartCanary` on a canary already running
 *   (`ConflictException` or `ValidationException`). A code change is a new asset (new S3 key),
 *   hence an update. A change that reaches the canary from outside the template (stack-level tags) stops it
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
      apiBodyIncludes: props.apiBodyIncludes,
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

    const retention = Duration.days(input.artifactsRetentionDays);
    const code = stageCanaryCode();
    try {
      this.canary = new synthetics.Canary(this, 'Resource', {
        canaryName: input.canaryName,
        runtime,
        // An asset, not inline code: CloudFormation puts inline code only at nodejs/node_modules/, and
        // runtimes that load from the zip's root then find no entry file (aws/aws-cdk#34465).
        test: synthetics.Test.custom({ code: synthetics.Code.fromAsset(code), handler: 'index.handler' }),
        // What to check travels beside the code: a base URL from another stack is known only at deploy time.
        environmentVariables: {
          [BASE_URL_VARIABLE]: input.baseUrl,
          [PLAN_VARIABLE]: JSON.stringify(planOf(input)),
        },
        schedule: synthetics.Schedule.rate(Duration.minutes(input.scheduleRateMinutes)),
        timeout: Duration.seconds(input.timeoutSeconds),
        role: this.role,
        // No ArtifactConfig: its S3Encryption is documented for syn-nodejs-puppeteer-3.3 and later only;
        // the bucket's default encryption applies the key.
        artifactsBucketLocation: { bucket: this.artifactsBucket },
        // Started by the starter, once the log group exists.
        startAfterCreation: false,
        provisionedResourceCleanup: true,
        successRetentionPeriod: retention,
        failureRetentionPeriod: retention,
      });
    } finally {
      // The asset is copied into the cloud assembly as it is created; without staging, the assembly
      // would point at this directory, which must then stay (aws-cdk-lib 2.276's canary asset
      // validation cannot find an unstaged directory yet, so that case fails before this).
      if (!this.node.tryGetContext(cxapi.DISABLE_ASSET_STAGING_CONTEXT)) {
        fs.rmSync(code, { recursive: true, force: true });
      }
    }
    const cfnCanary = this.canary.node.defaultChild as synthetics.CfnCanary;

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
   * The number of runs that reported (`CloudWatchSynthetics` `SuccessPercent`, `SampleCount`), for
   * an alarm that the canary runs at all: below the runs expected per period, or missing data
   * (treat it as breaching), means the canary stopped or never started.
   *
   * @default - sample count over 1 hour
   */
  public metricRuns(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.metric('SuccessPercent', 'SampleCount', { period: Duration.hours(1), ...props });
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
        // The canary runs already. The API reference does not say which error StartCanary returns
        // then: ConflictException ("a conflicting operation is already in progress"; reported as
        // "Canary is not in a startable state", hashicorp/terraform-provider-aws#20382) or
        // ValidationException. The name is validated at synthesis, so a ValidationException can only
        // mean "not in a startable state". A canary left stopped this way shows in metricRuns.
        ignoreErrorCodesMatching: '^(ConflictException|ValidationException)$',
      },
      role,
      logGroup,
      // Lambda's own SDK has Synthetics; installing another needs npm at deploy time.
      installLatestAwsSdk: false,
      timeout: Duration.minutes(1),
    });
    if (existing === undefined) {
      // aws-cdk-lib makes the function wait for its role next to the GetAtt of the role's ARN
      // (cfn-lint W3005): redundant, not wrong, and not ours to change.
      const created = stack.node.findChild(CUSTOM_RESOURCE_FUNCTION_ID).node.defaultChild as CfnResource;
      ignoreLintChecks(created, ['W3005']);
    }
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
