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
} from 'aws-cdk-lib';
import {
  AwsSolutionsChecks,
  HIPAASecurityChecks,
  NIST80053R5Checks,
  NagMessageLevel,
  NagRuleCompliance,
  PCIDSS321Checks,
  type IApplyRule,
} from 'cdk-nag';
import type { IConstruct } from 'constructs';

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

export class RecordingAwsSolutionsChecks extends AwsSolutionsChecks implements RecordingPack {
  public readonly rawFindings: Finding[] = [];
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(recordOutcome(this.readPackName, params, this.rawFindings));
  }
}

export class RecordingNist80053R5Checks extends NIST80053R5Checks implements RecordingPack {
  public readonly rawFindings: Finding[] = [];
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(recordOutcome(this.readPackName, params, this.rawFindings));
  }
}

export class RecordingHipaaSecurityChecks extends HIPAASecurityChecks implements RecordingPack {
  public readonly rawFindings: Finding[] = [];
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(recordOutcome(this.readPackName, params, this.rawFindings));
  }
}

export class RecordingPciDss321Checks extends PCIDSS321Checks implements RecordingPack {
  public readonly rawFindings: Finding[] = [];
  protected override applyRule(params: IApplyRule): void {
    super.applyRule(recordOutcome(this.readPackName, params, this.rawFindings));
  }
}

/** A template-level plugin that keeps its last report as produced, before acknowledgments apply. */
interface RecordingTemplatePlugin {
  /** Acknowledgment namespace: the plugin name with spaces as dashes. */
  readonly namespace: string;
  readonly rawReport: PolicyValidationPluginReportBeta1 | PolicyValidationPluginReport;
}

/** The cfn-guard validator (Control Tower proactive controls), recording its report. */
export class RecordingCfnGuardValidator extends CfnGuardValidator implements RecordingTemplatePlugin {
  public readonly namespace = GUARD_NAMESPACE;
  public rawReport: PolicyValidationPluginReportBeta1 = { success: true, violations: [] };

  public override validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = super.validate(context);
    // The framework removes acknowledged violations from the returned report in place.
    this.rawReport = structuredClone(report);
    return report;
  }
}

/**
 * aws-cdk-lib's built-in template validation (it runs by default), registered explicitly so its
 * report is recorded too. Registering an instance replaces the default one; the rules are the same.
 */
export class RecordingCloudFormationValidatePlugin
  extends CloudFormationValidatePlugin
  implements RecordingTemplatePlugin
{
  public readonly namespace = CloudFormationValidatePlugin.PLUGIN_NAME.replace(/ /g, '-');
  public rawReport: PolicyValidationPluginReport = { success: true, violations: [] };

  public override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const report = super.validate(context);
    this.rawReport = structuredClone(report);
    return report;
  }
}

/** The validation plugins attached to an app. */
export class Compliance {
  /**
   * Attaches the nag packs (AwsSolutions, NIST 800-53 rev 5, HIPAA Security, PCI DSS 3.2.1), the
   * cfn-guard validator and the built-in CloudFormation validation to the app. Synthesis then fails
   * on any unacknowledged error.
   */
  public static attach(app: IConstruct): Compliance {
    const compliance = new Compliance(
      [
        new RecordingAwsSolutionsChecks(app),
        new RecordingNist80053R5Checks(app),
        new RecordingHipaaSecurityChecks(app),
        new RecordingPciDss321Checks(app),
      ],
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
