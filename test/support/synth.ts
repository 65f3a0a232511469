import * as fs from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../config';
import type { AppliedAcknowledgment } from '../../lib/acknowledgments';
import type { Finding } from '../../lib/compliance';
import { SUMMARY_FILE } from './paths';

/** What the shared synthesis of this test run produced. */
export interface SynthSummary {
  /** The validation error synthesis threw, if any. */
  readonly synthError?: string;
  readonly synthMillis: number;
  readonly stacks: ReadonlyArray<{
    readonly environment: string;
    readonly stackId: string;
    readonly stackName: string;
    readonly region: string;
    readonly account: string;
    readonly terminationProtection: boolean;
    readonly templateFile: string;
  }>;
  /** Every compliance finding, before acknowledgments. */
  readonly findings: readonly Finding[];
  /** Every acknowledgment applied, per environment. */
  readonly acknowledgments: readonly AppliedAcknowledgment[];
}

let cached: SynthSummary | undefined;

/** The shared synthesis; see `global-setup.ts`. */
export function synthesized(): SynthSummary {
  cached ??= JSON.parse(fs.readFileSync(SUMMARY_FILE, 'utf8')) as SynthSummary;
  return cached;
}

/** The raw template JSON of one stack of one environment. */
export function templateJson(environment: EnvironmentName, stackId: string): Record<string, any> {
  const stack = synthesized().stacks.find((s) => s.environment === environment && s.stackId === stackId);
  if (stack === undefined) {
    throw new Error(
      `No stack ${stackId} in ${environment}; synthesized: ${synthesized()
        .stacks.map((s) => `${s.environment}/${s.stackId}`)
        .join(', ')}`,
    );
  }
  return JSON.parse(fs.readFileSync(stack.templateFile, 'utf8')) as Record<string, any>;
}

/** One resource of a synthesized template, read as untyped JSON. */
export interface Resource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly DependsOn?: string | string[];
}

/**
 * `[logicalId, resource]` for every resource of one stack of one environment, or for those of `type`
 * only, in template order.
 */
export function resources(environment: EnvironmentName, stackId: string, type?: string): Array<[string, Resource]> {
  const all = Object.entries((templateJson(environment, stackId).Resources ?? {}) as Record<string, Resource>);
  return type === undefined ? all : all.filter(([, resource]) => resource.Type === type);
}

/** An assertions `Template` of one stack of one environment. */
export function template(environment: EnvironmentName, stackId: string): Template {
  return Template.fromJSON(templateJson(environment, stackId));
}

/** Every environment, for `describe.each`. */
export const ENVIRONMENTS: readonly EnvironmentName[] = ENVIRONMENT_NAMES;
