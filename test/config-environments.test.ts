import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stage } from 'aws-cdk-lib';
import { environments, type EnvironmentConfigInput } from '../config';
import { acknowledgmentsFor, covers, staleAcknowledgments } from '../lib/acknowledgments';
import { buildApp } from '../lib/app';
import { loadConfigs, selectEnvironments } from '../lib/config-loader';
import { stageIdOf } from '../lib/environment-stage';
import { configFieldHint, staleAcknowledgmentHints, synthesisFailures } from '../lib/synthesis-check';
import { reportedViolations } from '../lib/validation-report';
import { cdkJsonContext } from './support/paths';

/**
 * A fourth environment, added the way docs/configuration.md ("Adding an environment") says: one
 * config and one registry entry. Nothing else in the repository names environments.
 */
// Staging's config in account 444444444444 (every ARN of the account moves with it).
const staging = JSON.parse(JSON.stringify(environments.staging).replaceAll('222222222222', '444444444444'));
const qa: EnvironmentConfigInput = {
  ...staging,
  name: 'qa',
  network: {
    ...staging.network,
    vpcCidr: '10.30.0.0/16',
    subnets: {
      public: ['10.30.1.0/24', '10.30.2.0/24', '10.30.3.0/24'],
      application: ['10.30.11.0/24', '10.30.12.0/24', '10.30.13.0/24'],
      database: ['10.30.21.0/24', '10.30.22.0/24', '10.30.23.0/24'],
    },
  },
  domain: { zoneName: 'qa.learning-assistant.example.com', hostedZoneId: 'Z0QA0EXAMPLE0ZONE' },
  tags: { ...staging.tags, Environment: 'qa', CostCenter: 'learning-assistant-qa' },
};

const registry = { ...environments, qa };

describe('adding an environment takes one registry entry', () => {
  test('it loads with the others, and every override and selector follows its name', () => {
    const configs = loadConfigs({
      context: (key) => ({ 'qa:region': 'eu-west-2' })[key],
      env: { LA_QA_AVAILABILITY_ZONES: 'eu-west-2a,eu-west-2b,eu-west-2c' },
      environments: registry,
    });
    expect(Object.keys(configs)).toEqual(['dev', 'staging', 'prod', 'qa']);
    expect(configs.qa.region).toBe('eu-west-2');
    // The prefix list followed the region.
    expect(configs.qa.edge.originFacingPrefixListId).toBe('pl-93a247fa');
    expect(
      selectEnvironments({ context: (key) => (key === 'env' ? 'qa' : undefined), environments: registry }),
    ).toEqual(['qa']);
    expect(stageIdOf('qa')).toBe('Qa');
  });

  // One synthesis of the Qa stage with the compliance plugins, as `cdk synth 'Qa/*'` runs it.
  test('its stage builds, selected with -c env=qa, and synthesizes with every finding acknowledged by its config', () => {
    const configs = loadConfigs({ context: () => undefined, env: {}, environments: registry });
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'la-qa-'));
    const app = new App({ outdir, context: { ...cdkJsonContext(), env: 'qa' } });
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const built = buildApp(app, { configs, selected: selectEnvironments({ context, environments: registry }) });

    expect(Object.keys(built.stages)).toEqual(['qa']);
    expect(app.node.children.filter(Stage.isStage).map((stage) => stage.node.id)).toEqual(['Qa']);
    const stage = built.stages.qa;
    expect(stage?.account).toBe('444444444444');
    expect(stage?.node.children.map((child) => child.node.id).filter((id) => /^[A-Z]/.test(id))).toEqual([
      'Network',
      // qa is built from staging's config: backup on, so the disaster-recovery stack too.
      'Dr',
      'Data',
      'Registry',
      'Compute',
      'Edge',
      'Monitoring',
    ]);

    // The entries come from its configuration, a copy of staging's, so they are staging's.
    // (Ids compared without the placeholders the stage fills in.)
    const key = (entry: { id: string; path: string }) => `${entry.id.split('[')[0]} @ ${entry.path}`;
    expect(built.acknowledgments.map(key)).toEqual(acknowledgmentsFor(configs.qa).map(key));
    expect(
      acknowledgmentsFor(configs.qa)
        .filter((entry) => !acknowledgmentsFor(configs.staging).includes(entry))
        .map((entry) => entry.when),
    ).toEqual([]);

    const directory = app.synth().directory;
    const findings = built.compliance.rawFindings(app);
    expect(findings.length).toBeGreaterThan(100);
    const unacknowledged = findings
      .filter((finding) => !built.acknowledgments.some((ack) => covers(ack, finding)))
      .map((f) => `${f.level} ${f.id} at ${f.path}: ${f.description.split('\n')[0]}`);
    expect(unacknowledged).toEqual([]);
    expect(staleAcknowledgments(built.acknowledgments, findings)).toEqual([]);
    expect(reportedViolations(directory).map((v) => `${v.plugin}: ${v.rule} at ${v.paths.join(', ')}`)).toEqual([]);
    // What bin/app.ts checks after synthesis.
    expect(synthesisFailures(app, built, directory)).toEqual([]);
  }, 300_000);
});

describe('a config change takes its acknowledgments with it, and a mismatch names the config field', () => {
  test('staging moved to rolling deployments: it builds, without the entries of the constructs rolling has none of', () => {
    const rolling = structuredClone(environments.staging) as EnvironmentConfigInput;
    rolling.compute.deployment.strategy = 'rolling';
    const configs = loadConfigs({
      context: () => undefined,
      env: {},
      environments: { ...environments, staging: rolling },
    });
    // Applying throws StaleAcknowledgmentError when an entry names a construct that is not built.
    const built = buildApp(new App({ context: cdkJsonContext() }), { configs, selected: ['staging'] });
    const paths = new Set(built.acknowledgments.map((ack) => ack.path));
    expect(paths.has('Compute/Web/DeploymentRole')).toBe(false);
    expect(paths.has('Compute/Web/LoadBalancer/TestListener')).toBe(false);
    expect(paths.has('Compute/Web/ListenerRules/Provider/Role')).toBe(false);
  });

  test('an entry whose condition misses the config field names that field', () => {
    const hints = staleAcknowledgmentHints([
      'staging: "AwsSolutions-IAM4[Policy::x]" names Staging/Compute/Web/DeploymentRole, which does not exist (applies with compute.deployment.strategy other than \'rolling\')',
    ]);
    expect(hints).toEqual([
      expect.stringContaining('-> staging: the construct follows from config/staging.ts compute.deployment.strategy'),
    ]);
    expect(hints[0]).toContain("the entry's condition (when)");
  });

  test('a finding that follows from a config choice names its field', () => {
    expect(configFieldHint('AwsSolutions-RDS3')).toMatch(/^database\.multiAz /);
    expect(configFieldHint('NIST.800.53.R5-ELBDeletionProtectionEnabled')).toMatch(/^compute\.deletionProtection /);
    expect(configFieldHint('cdk-validator-cfnguard::cw_loggroup_retention_period_check')).toMatch(/logRetentionDays/);
    expect(configFieldHint('AwsSolutions-IAM5')).toBeUndefined();
  });
});
