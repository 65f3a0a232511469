import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  CfnResource,
  CloudFormationValidatePlugin,
  Stack,
  Validations,
  type IPolicyValidationContextBeta1,
  type IPolicyValidationContext,
  type IPolicyValidationPlugin,
  type PolicyValidationPluginReport,
  type PolicyValidationPluginReportBeta1,
  type PolicyViolation,
  type PolicyViolationBeta1,
} from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  NagMessageLevel,
  NagRuleCompliance,
  PCIDSS321Checks,
  type IApplyRule,
  type NagPack,
} from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { DeployReadinessChecks } from './rules';
import { cachedValidate, hashFiles, noBlockingViolation, noViolation } from './validation-cache';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- JSON without resolveJsonModule paths
const AWS_CDK_LIB_VERSION = (require('aws-cdk-lib/package.json') as { version: string }).version;

/** Plugin name of the cfn-guard validator, which is also its acknowledgment namespace. */
export const GUARD_NAMESPACE = 'cdk-validator-cfnguard';

/**
 * One compliance finding as the rule reported it, before any acknowledgment.
 * `id` is exactly what an acknowledgment must name.
 */
export interface Finding {
  /** `AwsSolutions-IAM5[Resource::*]`, `NIST.800.53.R5-VPCDefaultSecurityGroupClosed`, `cdk-validator-cfnguard::<rule>`. */
  readonly id: string;
  /** Construct path of the resource the rule flagged. */
  readonly path: string;
  /** `error` findings fail synthesis; `warning` findings fail the test suite. */
  readonly level: 'error' | 'warning';
  /** What the rule says. */
  readonly description: string;
}

/**
 * Records the rule's outcome as raw findings (before acknowledgments filter them) and returns
 * params whose rule replays that outcome, so cdk-nag reports and filters exactly as it always
 * does without evaluating the rule twice. The record is what lets a test prove that every
 * acknowledgment still matches a finding.
 */
function recordOutcome(packName: string, params: IApplyRule, sink: Finding[]): IApplyRule {
  const ruleId = `${packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
  const level = params.level === NagMessageLevel.ERROR ? 'error' : 'warning';
  const record = (id: string, description: string): void => {
    sink.push({ id, path: params.node.node.path, level, description });
  };
  let replay: IApplyRule['rule'];
  try {
    const result = params.rule(params.node);
    if (result === NagRuleCompliance.NON_COMPLIANT) {
      record(ruleId, params.info);
    } else if (Array.isArray(result)) {
      result.forEach((finding) => record(`${ruleId}[${finding}]`, params.info));
    }
    replay = () => result;
  } catch (error) {
    record(ruleId, `Rule threw: ${(error as Error).message}`);
    replay = () => {
      throw error;
    };
  }
  // cdk-nag derives the rule id from the function's name.
  Object.defineProperty(replay, 'name', { value: params.rule.name });
  return { ...params, rule: replay };
}

/** A nag pack that remembers its raw findings. */
export interface RecordingPack {
  readonly rawFindings: Finding[];
}

/**
 * Makes `pack` record every rule's raw outcome before acknowledgments apply (see
 * {@link recordOutcome}). cdk-nag offers no hook for raw outcomes and a mixin cannot extend its
 * abstract base, so the instance's (protected) `applyRule` is wrapped; every pack's rules call
 * `this.applyRule`, which finds the wrapper first.
 */
export function recordFindings<TPack extends NagPack>(pack: TPack): TPack & RecordingPack {
  const rawFindings: Finding[] = [];
  const target = pack as unknown as { applyRule(params: IApplyRule): void };
  const applyRule = target.applyRule.bind(pack);
  target.applyRule = (params) => applyRule(recordOutcome(pack.readPackName, params, rawFindings));
  return Object.assign(pack, { rawFindings });
}

/**
 * The packs every synthesis runs: four compliance packs and the project's own deploy-readiness
 * rules (`lib/rules/`), which check what CloudFormation and the services need beyond compliance.
 */
export const NAG_PACKS = [
  AwsSolutionsChecks,
  NIST80053R5Checks,
  HIPAASecurityChecks,
  PCIDSS321Checks,
  DeployReadinessChecks,
] as const;

/** A template-level plugin that keeps its last report as produced, before acknowledgments apply. */
interface RecordingTemplatePlugin {
  /** Acknowledgment namespace: the plugin name with spaces as dashes. */
  readonly namespace: string;
  readonly rawReport: PolicyValidationPluginReportBeta1 | PolicyValidationPluginReport;
}

/** The Control Tower rules the cfn-guard validator runs by default. */
const GUARD_RULES_DIR = path.join(
  path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')),
  'rules',
  'control-tower',
  'cfn-guard',
);

/**
 * The cfn-guard validator (Control Tower proactive controls), recording its report. Its verdict on
 * an unchanged template comes from the validation cache (see {@link cachedValidate}).
 */
export class RecordingCfnGuardValidator extends CfnGuardValidator implements RecordingTemplatePlugin {
  public readonly namespace = GUARD_NAMESPACE;
  public rawReport: PolicyValidationPluginReportBeta1 = { success: true, violations: [] };
  private fingerprint?: string;

  /**
   * The Control Tower rules, no options: the parallel runner (`parallel-guard.mjs`) and the cache
   * fingerprint both assume the validator's defaults, so there are none to pass.
   */
  constructor() {
    super();
  }

  public override validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    // The rule files and the plugin version (which pins the cfn-guard binary) decide the verdict.
    this.fingerprint ??= `${this.name}@${this.version ?? '?'}:${hashFiles([GUARD_RULES_DIR])}`;
    const report = cachedValidate<PolicyViolationBeta1>(
      context,
      { fingerprint: this.fingerprint, successOf: noViolation },
      (ctx) => this.validateInParallel(ctx as IPolicyValidationContextBeta1),
    );
    // The framework removes acknowledged violations from the returned report in place.
    this.rawReport = structuredClone(report);
    return report;
  }

  /**
   * One cfn-guard process per core over groups of similar total size: the binary is single-threaded
   * and the framework hands every stage's templates to one `validate` call.
   */
  private validateInParallel(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const groups = groupsBySize(context.templatePaths, guardProcesses());
    if (groups.length < 2) {
      return super.validate(context);
    }
    const run = spawnSync(process.execPath, [PARALLEL_GUARD_SCRIPT, JSON.stringify(groups)], {
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
      // A stuck cfn-guard must fail synthesis, not hang it; the runner stops its children on SIGTERM.
      timeout: PARALLEL_GUARD_TIMEOUT_MS,
    });
    if (run.status !== 0) {
      const why = run.error?.message ?? `exit ${run.status ?? run.signal}`;
      throw new Error(`cfn-guard in parallel failed (${why}); see the output above`);
    }
    return JSON.parse(run.stdout) as PolicyValidationPluginReportBeta1;
  }
}

const PARALLEL_GUARD_SCRIPT = path.join(__dirname, 'parallel-guard.mjs');
/** More processes than this buy nothing on the templates of three environments. */
const PARALLEL_GUARD_MAX = 4;
/** Far above the 15 s that all three environments take on two cores. */
const PARALLEL_GUARD_TIMEOUT_MS = 10 * 60 * 1000;

/**
 * How many cfn-guard processes to run: `LA_GUARD_PROCESSES` when set (a whole number, at least 1),
 * else one per core up to {@link PARALLEL_GUARD_MAX}.
 */
export function guardProcesses(env: NodeJS.ProcessEnv = process.env): number {
  const configured = env.LA_GUARD_PROCESSES;
  if (configured === undefined || configured === '') {
    return Math.min(os.availableParallelism(), PARALLEL_GUARD_MAX);
  }
  const count = Number(configured);
  if (!Number.isInteger(count) || count < 1) {
    throw new Error(`LA_GUARD_PROCESSES is "${configured}"; give a whole number of processes, 1 or more`);
  }
  return count;
}

/** `paths` in at most `count` groups of similar total file size (largest first, each to the lightest group). */
export function groupsBySize(paths: readonly string[], count: number): string[][] {
  const groups = Array.from({ length: Math.max(1, Math.min(count, paths.length)) }, () => ({
    bytes: 0,
    paths: [] as string[],
  }));
  const sized = paths.map((p) => ({ path: p, bytes: fs.statSync(p).size })).sort((a, b) => b.bytes - a.bytes);
  for (const file of sized) {
    const lightest = groups.reduce((min, group) => (group.bytes < min.bytes ? group : min));
    lightest.bytes += file.bytes;
    lightest.paths.push(file.path);
  }
  return groups.map((group) => group.paths).filter((group) => group.length > 0);
}

/**
 * aws-cdk-lib's built-in template validation (it runs by default), registered explicitly so its
 * report is recorded too, and cached like cfn-guard's. Registering an instance replaces the default
 * one; the rules are the same.
 */
export class RecordingCloudFormationValidatePlugin
  extends CloudFormationValidatePlugin
  implements RecordingTemplatePlugin
{
  public readonly namespace = CloudFormationValidatePlugin.PLUGIN_NAME.replace(/ /g, '-');
  public rawReport: PolicyValidationPluginReport = { success: true, violations: [] };

  /** No options: validation goes to the shared engine, which runs aws-cdk-lib's default rules. */
  constructor() {
    super();
  }

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    // Its rules and resource schemas ship inside aws-cdk-lib.
    const fingerprint = `${this.name}@${this.version ?? '?'}:aws-cdk-lib@${AWS_CDK_LIB_VERSION}`;
    const report = cachedValidate<PolicyViolation>(context, { fingerprint, successOf: noBlockingViolation }, (ctx) =>
      sharedCloudFormationValidation().validate(ctx as IPolicyValidationContext),
    );
    this.rawReport = structuredClone(report);
    return report;
  }
}

let sharedValidation: CloudFormationValidatePlugin | undefined;

/**
 * One CloudFormation validation engine per process, as aws-cdk-lib keeps for its default plugin:
 * starting the engine takes over a second, and a test run synthesizes many apps. Each app still
 * registers its own recording plugin, which only delegates the validation.
 */
function sharedCloudFormationValidation(): CloudFormationValidatePlugin {
  sharedValidation ??= new CloudFormationValidatePlugin();
  return sharedValidation;
}

/** The validation plugins attached to an app. */
export class Compliance {
  /**
   * Attaches the nag packs (AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1, and the
   * project's DeployReadiness), the
   * cfn-guard validator and the built-in CloudFormation validation to the app. Synthesis then fails
   * on any unacknowledged error.
   */
  public static attach(app: IConstruct): Compliance {
    const compliance = new Compliance(
      NAG_PACKS.map((Pack) => recordFindings(new Pack(app))),
      [new RecordingCfnGuardValidator(), new RecordingCloudFormationValidatePlugin()],
    );
    Validations.of(app).addPlugins(...compliance.packs, ...compliance.templatePlugins);
    return compliance;
  }

  private constructor(
    public readonly packs: ReadonlyArray<RecordingPack & IPolicyValidationPlugin>,
    public readonly templatePlugins: ReadonlyArray<RecordingTemplatePlugin & IPolicyValidationPlugin>,
  ) {}

  /**
   * Every finding of the last synthesis, acknowledged or not. Call after `app.synth()`.
   *
   * @param root the app that was synthesized, to map logical IDs in templates back to construct paths
   */
  public rawFindings(root: IConstruct): Finding[] {
    const pathsByLogicalId = logicalIdIndex(root);
    const templateFindings = this.templatePlugins.flatMap((plugin) =>
      plugin.rawReport.violations.flatMap((violation) =>
        violation.violatingResources.map((resource) => {
          const key = `${path.basename(resource.templatePath ?? '')}:${resource.resourceLogicalId ?? ''}`;
          const constructPath = 'constructPath' in resource ? resource.constructPath : undefined;
          return {
            id: `${plugin.namespace}::${violation.ruleName.replace(/ /g, '-')}`,
            path: constructPath ?? pathsByLogicalId.get(key) ?? key,
            level: violation.severity === 'warning' ? ('warning' as const) : ('error' as const),
            description: violation.description,
          };
        }),
      ),
    );
    return [...this.packs.flatMap((pack) => pack.rawFindings), ...templateFindings];
  }
}

/** `<template file>:<logical id>` to construct path, for every CloudFormation resource under `root`. */
function logicalIdIndex(root: IConstruct): Map<string, string> {
  const index = new Map<string, string>();
  for (const node of root.node.findAll()) {
    if (CfnResource.isCfnResource(node)) {
      const stack = Stack.of(node);
      index.set(`${stack.templateFile}:${stack.resolve(node.logicalId) as string}`, node.node.path);
    }
  }
  return index;
}
