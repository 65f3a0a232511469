import type { App } from 'aws-cdk-lib';
import type { EnvironmentConfig, EnvironmentName } from '../config';
import { applyAcknowledgments, type AppliedAcknowledgment } from './acknowledgments';
import { Compliance } from './compliance';
import { EnvironmentStage, STAGE_IDS } from './environment-stage';

/** What {@link buildApp} needs. */
export interface BuildAppOptions {
  /** Validated configuration of every environment. */
  readonly configs: Readonly<Record<EnvironmentName, EnvironmentConfig>>;
  /** The environments to build. */
  readonly selected: readonly EnvironmentName[];
  /**
   * Image tag CI deployed (`-c imageTag=...`), for environments that run an ECR image.
   *
   * @default - the configured tags
   */
  readonly imageTag?: string;
}

/** What {@link buildApp} built. */
export interface BuiltApp {
  readonly stages: Partial<Record<EnvironmentName, EnvironmentStage>>;
  readonly compliance: Compliance;
  readonly acknowledgments: readonly AppliedAcknowledgment[];
}

/**
 * Composes the app: one stage per selected environment, the compliance plugins, and the
 * acknowledgment registry. `bin/app.ts` and the test suite both build through here, so the
 * tests check exactly what `cdk synth` produces.
 */
export function buildApp(app: App, options: BuildAppOptions): BuiltApp {
  const compliance = Compliance.attach(app);
  const stages: Partial<Record<EnvironmentName, EnvironmentStage>> = {};
  const acknowledgments: AppliedAcknowledgment[] = [];
  for (const name of options.selected) {
    const stage = new EnvironmentStage(app, STAGE_IDS[name], {
      config: options.configs[name],
      imageTag: options.imageTag,
    });
    stages[name] = stage;
    acknowledgments.push(...applyAcknowledgments(stage, name));
  }
  return { stages, compliance, acknowledgments };
}
