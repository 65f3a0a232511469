import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand, ECRClient } from '@aws-sdk/client-ecr';
import { GetHostedZoneCommand, ListHostedZonesByNameCommand, Route53Client } from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { App, CfnWaitConditionHandle, DefaultStackSynthesizer, Stack } from 'aws-cdk-lib';
import { ENVIRONMENT_NAMES, type EnvironmentConfig } from '../../config';
import { repositoryNameOf } from '../layers/registry';
import {
  awsCall,
  AwsUnavailableError,
  checkAccount,
  checkBootstrap,
  checkHostedZone,
  checkImage,
  checkRegion,
  deployRegionsOf,
  errorName,
  formatPreflightReport,
  guardedCheck,
  imageBuiltAtDeploy,
  imageTagOf,
  messageOf,
  outcomeOfChecks,
  parsePreflightArgs,
  PREFLIGHT_USAGE,
  preflightExitCode,
  type CallerIdentity,
  type CheckResult,
  type HostedZone,
  type ImageLookup,
  type PreflightOptions,
  type PreflightReport,
  type ToolkitStack,
} from './preflight';
import { processOutput, startCommand, type CommandOutput } from './command-line';

/** Route 53 is global; its API lives in us-east-1. */
const ROUTE53_REGION = 'us-east-1';

/** The AWS calls of preflight, each answering what the check needs. */
export interface PreflightAws {
  callerIdentity(): Promise<CallerIdentity>;
  /** The region's bootstrap stack; undefined when there is none. */
  toolkitStack(region: string, stackName: string): Promise<ToolkitStack | undefined>;
  image(repositoryName: string, tag: string): Promise<ImageLookup>;
  /** The zone with that ID; undefined when there is none. */
  hostedZone(id: string): Promise<HostedZone | undefined>;
  /** Zones named exactly `name`. */
  hostedZonesNamed(name: string): Promise<HostedZone[]>;
  close(): void;
}

/**
 * Preflight's calls on the AWS SDK, in the environment's region unless a call says otherwise.
 * Credentials come from the SDK's default chain; the endpoint from `endpoint`, else the SDK's own
 * resolution (`AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`).
 */
export function sdkPreflightAws(homeRegion: string, endpoint: string | undefined): PreflightAws {
  const common = { endpoint, requestHandler: { connectionTimeout: 5_000, requestTimeout: 30_000 } };
  const sts = new STSClient({ ...common, region: homeRegion });
  const ecr = new ECRClient({ ...common, region: homeRegion });
  const route53 = new Route53Client({ ...common, region: ROUTE53_REGION });
  const cloudFormation = new Map<string, CloudFormationClient>();
  const cloudFormationIn = (region: string) => {
    let client = cloudFormation.get(region);
    if (client === undefined) {
      client = new CloudFormationClient({ ...common, region });
      cloudFormation.set(region, client);
    }
    return client;
  };
  return {
    async callerIdentity() {
      const identity = await awsCall('sts:GetCallerIdentity', () => sts.send(new GetCallerIdentityCommand({})));
      return { account: identity.Account, arn: identity.Arn };
    },
    async toolkitStack(region, stackName) {
      try {
        const result = await awsCall(`cloudformation:DescribeStacks ${stackName} (${region})`, () =>
          cloudFormationIn(region).send(new DescribeStacksCommand({ StackName: stackName })),
        );
        const stack = result.Stacks?.[0];
        if (stack === undefined) return undefined;
        const outputs = Object.fromEntries(
          (stack.Outputs ?? []).flatMap((output) =>
            output.OutputKey === undefined ? [] : [[output.OutputKey, output.OutputValue ?? '']],
          ),
        );
        return { status: stack.StackStatus ?? 'UNKNOWN', outputs };
      } catch (error) {
        // CloudFormation answers a missing stack with a generic ValidationError.
        if (errorName(error) === 'ValidationError' && /does not exist/.test(messageOf(error))) return undefined;
        throw error;
      }
    },
    async image(repositoryName, tag) {
      try {
        const result = await awsCall(`ecr:DescribeImages ${repositoryName}:${tag}`, () =>
          ecr.send(new DescribeImagesCommand({ repositoryName, imageIds: [{ imageTag: tag }] })),
        );
        const image = result.imageDetails?.[0];
        if (image === undefined) return { kind: 'no-image' };
        return { kind: 'found', digest: image.imageDigest, pushedAt: image.imagePushedAt };
      } catch (error) {
        if (errorName(error) === 'ImageNotFoundException') return { kind: 'no-image' };
        if (errorName(error) === 'RepositoryNotFoundException') return { kind: 'no-repository' };
        throw error;
      }
    },
    async hostedZone(id) {
      try {
        const result = await awsCall(`route53:GetHostedZone ${id}`, () =>
          route53.send(new GetHostedZoneCommand({ Id: id })),
        );
        const zone = result.HostedZone;
        return zone === undefined ? undefined : zoneOf(zone);
      } catch (error) {
        if (errorName(error) === 'NoSuchHostedZone') return undefined;
        throw error;
      }
    },
    async hostedZonesNamed(name) {
      const result = await awsCall(`route53:ListHostedZonesByName ${name}`, () =>
        route53.send(new ListHostedZonesByNameCommand({ DNSName: name, MaxItems: 10 })),
      );
      // The list starts at the name and goes on in DNS order: keep the exact matches.
      return (result.HostedZones ?? []).map(zoneOf).filter((zone) => zone.name.replace(/\.$/, '') === name);
    },
    close() {
      [sts, ecr, route53, ...cloudFormation.values()].forEach((client) => client.destroy());
    },
  };
}

function zoneOf(zone: { Id?: string; Name?: string; Config?: { PrivateZone?: boolean } }): HostedZone {
  return {
    id: (zone.Id ?? '').replace(/^\/hostedzone\//, ''),
    name: zone.Name ?? '',
    privateZone: zone.Config?.PrivateZone === true,
  };
}

/** The shell's default region as the SDK resolves it (AWS_REGION, the profile's); undefined when none is set. */
export async function sdkDefaultRegion(): Promise<string | undefined> {
  const client = new STSClient({});
  try {
    return await client.config.region();
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

let requiredVersion: number | undefined;

/**
 * The least bootstrap version the project's stacks need, as aws-cdk-lib records it: the stacks use
 * the default synthesizer, whose deploy-time requirement is not exported but is written into every
 * stack and asset manifest (`requiresBootstrapStackVersion`). A one-resource stack with the same
 * synthesizer is synthesized to read it, so the value follows aws-cdk-lib upgrades. The lookup role's
 * higher requirement does not count: the project does no context lookups.
 */
export function requiredBootstrapVersion(): number {
  if (requiredVersion !== undefined) return requiredVersion;
  const outdir = mkdtempSync(path.join(tmpdir(), 'preflight-'));
  try {
    const app = new App({ outdir });
    const stack = new Stack(app, 'Probe', {
      env: { account: '111111111111', region: 'us-east-1' },
      synthesizer: new DefaultStackSynthesizer(),
    });
    new CfnWaitConditionHandle(stack, 'Nothing');
    const artifacts = Object.values(app.synth().manifest.artifacts ?? {});
    const versions = artifacts.flatMap((artifact) => {
      const version = (artifact.properties as { requiresBootstrapStackVersion?: unknown } | undefined)
        ?.requiresBootstrapStackVersion;
      return typeof version === 'number' ? [version] : [];
    });
    if (versions.length === 0) throw new Error('aws-cdk-lib recorded no requiresBootstrapStackVersion');
    requiredVersion = Math.max(...versions);
    return requiredVersion;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** What a test may replace. */
export interface PreflightDependencies {
  /** @default the AWS SDK ({@link sdkPreflightAws}) */
  readonly aws?: (homeRegion: string, endpoint: string | undefined) => PreflightAws;
  /** @default the SDK's resolution ({@link sdkDefaultRegion}) */
  readonly defaultRegion?: () => Promise<string | undefined>;
}

/**
 * The `preflight` command.
 *
 * @returns the exit code: 0 passed, 1 a check failed, 2 bad arguments or configuration, 3 AWS unavailable
 */
export async function preflight(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  output: CommandOutput = processOutput,
  dependencies: PreflightDependencies = {},
): Promise<number> {
  const parsed = parsePreflightArgs(argv, ENVIRONMENT_NAMES, env);
  const started = startCommand(parsed, PREFLIGHT_USAGE, env, output);
  if ('exitCode' in started) return started.exitCode;
  const { options, config } = started;

  const required = requiredBootstrapVersion();
  const aws = (dependencies.aws ?? sdkPreflightAws)(config.region, options.endpointUrl);
  const checks: CheckResult[] = [];
  let problem: string | null = null;
  try {
    await runChecks(config, options, required, aws, (dependencies.defaultRegion ?? sdkDefaultRegion)(), checks);
  } catch (error) {
    if (!(error instanceof AwsUnavailableError)) throw error;
    problem = error.message;
  } finally {
    aws.close();
  }
  const report: PreflightReport = {
    env: options.env,
    account: config.account,
    region: config.region,
    imageTag: imageTagOf(config, options.imageTag) ?? null,
    requiredBootstrapVersion: required,
    checks,
    outcome: problem === null ? outcomeOfChecks(checks) : 'aws-unavailable',
    problem,
  };
  if (options.json) output.out(JSON.stringify(report, null, 2));
  else formatPreflightReport(report).forEach((line) => output.out(line));
  return preflightExitCode(report);
}

/** Appends each check's result to `checks` as it completes; throws {@link AwsUnavailableError}. */
async function runChecks(
  config: EnvironmentConfig,
  options: PreflightOptions,
  required: number,
  aws: PreflightAws,
  defaultRegion: Promise<string | undefined>,
  checks: CheckResult[],
): Promise<void> {
  checks.push(checkRegion(await defaultRegion, config));
  const account = checkAccount(await aws.callerIdentity(), config);
  checks.push(account);
  if (account.status === 'fail') {
    // Every other answer would describe another account: misleading rather than wrong.
    checks.push({
      check: 'other checks',
      target: config.name,
      status: 'skip',
      detail: "not run: the credentials are not for the environment's account",
    });
    return;
  }

  for (const where of deployRegionsOf(config)) {
    checks.push(
      await guardedCheck('bootstrap', where.region, async () =>
        checkBootstrap(where, await aws.toolkitStack(where.region, options.toolkitStackName), required, {
          account: config.account,
          toolkitStackName: options.toolkitStackName,
        }),
      ),
    );
  }

  const tag = imageTagOf(config, options.imageTag);
  const repository = repositoryNameOf(config);
  checks.push(
    tag === undefined
      ? imageBuiltAtDeploy(config)
      : await guardedCheck('image', `${repository}:${tag}`, async () =>
          checkImage(config, tag, await aws.image(repository, tag)),
        ),
  );

  const domain = config.domain;
  checks.push(
    domain === undefined
      ? checkHostedZone(config, undefined, [])
      : await guardedCheck('hosted zone', `${domain.hostedZoneId} (${domain.zoneName})`, async () => {
          const zone = await aws.hostedZone(domain.hostedZoneId);
          const fits = zone !== undefined && zone.name.replace(/\.$/, '') === domain.zoneName && !zone.privateZone;
          return checkHostedZone(config, zone, fits ? [] : await aws.hostedZonesNamed(domain.zoneName));
        }),
  );
}
