import { App, Stage } from 'aws-cdk-lib';
import { environments, type EnvironmentConfigInput } from '../config';
import { StaleAcknowledgmentError } from '../lib/acknowledgments';
import { buildApp } from '../lib/app';
import { loadConfigs, selectEnvironments } from '../lib/config-loader';
import { stageIdOf } from '../lib/environment-stage';
import { configFieldHint, staleAcknowledgmentHints } from '../lib/synthesis-check';
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

  test('its stage builds, selected with -c env=qa', () => {
    const configs = loadConfigs({ context: () => undefined, env: {}, environments: registry });
    const app = new App({ context: { ...cdkJsonContext(), env: 'qa' } });
    const context = (key: string): unknown => app.node.tryGetContext(key);
    const built = buildApp(app, { configs, selected: selectEnvironments({ context, environments: registry }) });

    expect(Object.keys(built.stages)).toEqual(['qa']);
    expect(app.node.children.filter(Stage.isStage).map((stage) => stage.node.id)).toEqual(['Qa']);
    const stage = built.stages.qa;
    expect(stage?.account).toBe('444444444444');
    expect(stage?.node.children.map((child) => child.node.id).filter((id) => /^[A-Z]/.test(id))).toEqual([
      'Network',
      'Data',
      'Registry',
      'Compute',
      'Edge',
    ]);
    // Its templates are not synthesized here: acknowledgments scoped by environment name
    // (lib/acknowledgments: DEV_ONLY, WITH_REPLICAS) do not cover a new environment yet.
  });
});

describe('a config change that removes an acknowledged construct names the config field', () => {
  test('staging moved to rolling deployments: the stale entries point at compute.deployment.strategy', () => {
    const rolling = structuredClone(environments.staging) as EnvironmentConfigInput;
    rolling.compute.deployment.strategy = 'rolling';
    const configs = loadConfigs({
      context: () => undefined,
      env: {},
      environments: { ...environments, staging: rolling },
    });
    let error: unknown;
    try {
      buildApp(new App({ context: cdkJsonContext() }), { configs, selected: ['staging'] });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(StaleAcknowledgmentError);
    const hints = staleAcknowledgmentHints((error as StaleAcknowledgmentError).entries);
    expect(hints).toEqual([
      expect.stringContaining('-> staging: the construct follows from config/staging.ts compute.deployment.strategy'),
    ]);
  });

  test('a finding that follows from a config choice names its field', () => {
    expect(configFieldHint('AwsSolutions-RDS3')).toMatch(/^database\.multiAz /);
    expect(configFieldHint('NIST.800.53.R5-ELBDeletionProtectionEnabled')).toMatch(/^compute\.deletionProtection /);
    expect(configFieldHint('cdk-validator-cfnguard::cw_loggroup_retention_period_check')).toMatch(/logRetentionDays/);
    expect(configFieldHint('AwsSolutions-IAM5')).toBeUndefined();
  });
});
