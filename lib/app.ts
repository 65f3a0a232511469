import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig, EnvironmentName } from '../config';
import { applyAcknowledgments, type AppliedAcknowledgment } from './acknowledgments';
import { CiStack } from '../stacks';
import { Compliance } from './compliance';
import { EnvironmentStage, stageIdOf } from './environment-stage';
import { ciStackPlans } from './layers';

/** What {@link buildApp} needs. */
export interface BuildAppOptions<N extends string = EnvironmentName> {
  /** Validated configuration of every environment. */
  readonly configs: Readonly<Record<N, EnvironmentConfig>>;
  /** The environments to build. */
  readonly selected: readonly N[];
  /**
   * Image tag CI deployed (`-c imageTag=...`), for environments that run an ECR image.
   *
   * @default - the configured tags
   */
  readonly imageTag?: string;
}

/** What {@link buildApp} built. */
export interface BuiltApp<N extends string = EnvironmentName> {
  readonly stages: Partial<Record<N, EnvironmentStage>>;
  /** One per account: GitHub's OIDC provider and the account's deploy roles (`Ci-<account>`). */
  readonly ciStacks: readonly CiStack[];
  readonly compliance: Compliance;
  readonly acknowledgments: readonly AppliedAcknowledgment[];
}

/**
 * Composes the app: one stage per selected environment (its ID derived from the name, see
 * `stageIdOf`), one CI stack per account, the compliance plugins, and the acknowledgment registry. `bin/app.ts` and the test
 * suite both build through here, so the tests check exactly what `cdk synth` produces.
 */
export function buildApp<N extends string = EnvironmentName>(app: App, options: BuildAppOptions<N>): BuiltApp<N> {
  const compliance = Compliance.attach(app);
  const stages: Partial<Record<N, EnvironmentStage>> = {};
  const acknowledgments: AppliedAcknowledgment[] = [];
  for (const name of options.selected) {
    const stage = new EnvironmentStage(app, stageIdOf(name), {
      config: options.configs[name],
      imageTag: options.imageTag,
    });
    stages[name] = stage;
    // Entries follow the configuration, not the name: an environment the registry does not know yet
    // gets the entries its configuration calls for.
    acknowledgments.push(...applyAcknowledgments(stage, options.configs[name]));
  }
  // From every environment, selected or not: a CI stack holds the roles of all of its account's.
  const ciStacks = ciStackPlans(Object.values<EnvironmentConfig>(options.configs)).map(
    (plan) => new CiStack(app, plan.id, plan.props),
  );
  return { stages, ciStacks, compliance, acknowledgments };
}
