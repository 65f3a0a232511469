import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfigs } from '../config-loader';
import { STAGE_IDS } from '../environment-stage';
import { afterDeployChecks, firstDeployPlan, recoverySteps, type DeployStep } from './first-deploy';

const USAGE = `Usage: npm run first-deploy -- --env <dev|staging|prod> [--image-tag <tag>] [--dry-run] [--cdk <command>]

Creates every stack of one environment for the first time, in order, with --no-rollback, and pushes
the app image before the compute stack needs it. On a failure it stops and prints how to recover.
  --env        the environment to create (required)
  --image-tag  the image tag to push and deploy (default: the configured tag)
  --dry-run    print the plan and run nothing
  --cdk        the cdk command to run (default: "npx cdk")`;

/** Where the command writes; a test passes its own. */
export interface Output {
  log(line: string): void;
  error(line: string): void;
}

/**
 * The `first-deploy` command: parses `argv`, prints or runs the plan.
 *
 * @returns the process exit code: 0 done, 1 a step failed, 2 bad arguments or configuration
 */
export function firstDeploy(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  out: Output = console,
): number {
  let values: { env?: string; 'image-tag'?: string; 'dry-run'?: boolean; cdk?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        env: { type: 'string' },
        'image-tag': { type: 'string' },
        'dry-run': { type: 'boolean' },
        cdk: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    out.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help === true) {
    out.log(USAGE);
    return 0;
  }
  const names = Object.keys(STAGE_IDS);
  if (values.env === undefined || !names.includes(values.env)) {
    const got = values.env === undefined ? 'no --env' : `--env ${values.env}`;
    out.error(`${got}: expected --env with one of ${names.join(', ')}\n\n${USAGE}`);
    return 2;
  }
  if (values['image-tag'] !== undefined && !/^[\w][\w.-]{0,127}$/.test(values['image-tag'])) {
    out.error(`--image-tag ${values['image-tag']}: not a valid image tag (letters, digits, _ . -, at most 128)`);
    return 2;
  }
  const name = values.env as keyof typeof STAGE_IDS;
  let plan: DeployStep[];
  let checks: string[];
  try {
    const config = loadConfigs({ context: () => undefined, env })[name];
    plan = firstDeployPlan(config, {
      stageId: STAGE_IDS[name],
      imageTag: values['image-tag'],
      cdk: values.cdk?.split(' ').filter((part) => part !== ''),
    });
    checks = afterDeployChecks(config, STAGE_IDS[name]);
  } catch (error) {
    if (error instanceof ConfigError) {
      out.error(error.message);
      return 2;
    }
    throw error;
  }

  const dryRun = values['dry-run'] === true;
  out.log(`First deploy of ${name}: ${plan.length} steps${dryRun ? ' (dry run: nothing is run)' : ''}`);
  const started = Date.now();
  for (const [index, step] of plan.entries()) {
    out.log(`[${index + 1}/${plan.length}] ${step.title}\n      $ ${step.argv.map(quote).join(' ')}`);
    if (dryRun) continue;
    const stepStarted = Date.now();
    const result = spawnSync(step.argv[0], step.argv.slice(1), { stdio: 'inherit', env: { ...process.env, ...env } });
    const seconds = Math.round((Date.now() - stepStarted) / 1000);
    if (result.status !== 0) {
      const why = result.error?.message ?? `exit ${result.status ?? `signal ${result.signal}`}`;
      out.error(`[${index + 1}/${plan.length}] failed after ${seconds} s (${why}): ${step.title}`);
      if (step.stack !== undefined) recoverySteps(step.stack).forEach((line) => out.error(line));
      return 1;
    }
    out.log(`      done in ${seconds} s`);
  }
  if (!dryRun) out.log(`All ${plan.length} steps done in ${Math.round((Date.now() - started) / 1000)} s.`);
  out.log('Then check:');
  checks.forEach((line) => out.log(`  - ${line}`));
  return 0;
}

function quote(arg: string): string {
  return /^[\w@%+=:,./'-]+$/.test(arg) && !arg.includes("'") ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}
