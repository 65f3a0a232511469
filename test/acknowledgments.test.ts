import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ENVIRONMENT_NAMES, type EnvironmentConfig, type EnvironmentName } from '../config';
import {
  ACKNOWLEDGMENTS,
  StaleAcknowledgmentError,
  acknowledgmentsFor,
  applyAcknowledgments,
  staleAcknowledgments,
  type AcknowledgmentEntry,
} from '../lib/acknowledgments';
import {
  CACHE_WITHOUT_FAILOVER,
  DISPOSABLE,
  SHORT_CACHE_SNAPSHOTS,
  SHORT_FLOW_LOG_RETENTION,
  SHORT_LOG_RETENTION,
  SINGLE_AZ_CACHE,
  SINGLE_AZ_DATABASE,
  TRAFFIC_SHIFTING,
  UNPROTECTED_DATABASE,
  UNPROTECTED_LOAD_BALANCER,
  WITHOUT_DOMAIN,
  WITHOUT_ENHANCED_MONITORING,
  WITH_ENHANCED_MONITORING,
  WITH_READ_REPLICAS,
  condition,
  type Condition,
} from '../lib/acknowledgments/shared';
import { WITHOUT_BACKUP, WITH_BACKUP, WITH_STANDBY, WITH_STANDBY_MONITORING } from '../lib/acknowledgments/dr';
import { WITHOUT_PAGING, WITH_SYNTHETIC_CHECK } from '../lib/acknowledgments/monitoring';
import type { BuiltApp } from '../lib/app';
import type { Compliance, Finding } from '../lib/compliance';
import { synthesisFailures } from '../lib/synthesis-check';
import { committedConfigs } from './support/config';

const dev = (): EnvironmentConfig => committedConfigs().dev;

function stageWithBucket() {
  const stage = new Stage(new App(), 'Dev', { env: { account: '111111111111', region: 'eu-west-1' } });
  new s3.Bucket(new Stack(stage, 'Data'), 'Uploads');
  return stage;
}

const finding = (id: string, path: string): Finding => ({ id, path, level: 'error', description: 'd' });

describe('acknowledgment registry', () => {
  test('an entry naming a construct that does not exist stops with a message naming it, not a stack trace', () => {
    const entries = [{ id: 'AwsSolutions-S1', path: 'Data/Gone', reason: 'r' }];
    expect(() => applyAcknowledgments(stageWithBucket(), dev(), entries)).toThrow(StaleAcknowledgmentError);
    expect(() => applyAcknowledgments(stageWithBucket(), dev(), entries)).toThrow(
      '1 stale acknowledgment(s) in lib/acknowledgments/: remove or correct each entry.\n' +
        '  dev: "AwsSolutions-S1" names Dev/Data/Gone, which does not exist',
    );
  });

  test('an entry whose finding is gone is stale; one that covers a finding below its path is not', () => {
    const applied = applyAcknowledgments(stageWithBucket(), dev(), [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
      { id: 'AwsSolutions-S10', path: 'Data/Uploads', reason: 'r' },
    ]);
    const findings = [finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')];
    expect(staleAcknowledgments(applied, findings)).toEqual([
      'dev: AwsSolutions-S10 at Dev/Data/Uploads matches no finding',
    ]);
  });

  test('a finding on a sibling with a common name prefix is not covered', () => {
    const applied = applyAcknowledgments(stageWithBucket(), dev(), [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
    ]);
    expect(staleAcknowledgments(applied, [finding('AwsSolutions-S1', 'Dev/Data/UploadsCopy/Resource')])).toHaveLength(
      1,
    );
  });
});

describe('entries follow configuration, not environment names', () => {
  /** Every condition an entry of the registry uses, once. */
  const conditions = [...new Set(ACKNOWLEDGMENTS.flatMap((entry) => (entry.when ? [entry.when] : [])))];

  /**
   * Which committed environments meet each condition: the entries dev, staging and prod get are the
   * ones they got when entries were scoped by name (dev alone, or staging and prod).
   */
  const EXPECTED: ReadonlyArray<[Condition, readonly EnvironmentName[]]> = [
    [WITHOUT_DOMAIN, ['dev']],
    [DISPOSABLE, ['dev']],
    [SHORT_LOG_RETENTION, ['dev']],
    [SHORT_FLOW_LOG_RETENTION, ['dev']],
    [SINGLE_AZ_DATABASE, ['dev']],
    [UNPROTECTED_DATABASE, ['dev']],
    [WITHOUT_ENHANCED_MONITORING, ['dev']],
    [SINGLE_AZ_CACHE, ['dev']],
    [CACHE_WITHOUT_FAILOVER, ['dev']],
    [SHORT_CACHE_SNAPSHOTS, ['dev']],
    [UNPROTECTED_LOAD_BALANCER, ['dev']],
    [WITH_READ_REPLICAS, ['staging', 'prod']],
    [WITH_ENHANCED_MONITORING, ['staging', 'prod']],
    [TRAFFIC_SHIFTING, ['staging', 'prod']],
    [WITHOUT_PAGING, ['dev']],
    [WITH_SYNTHETIC_CHECK, ['staging', 'prod']],
    [WITH_BACKUP, ['staging', 'prod']],
    [WITHOUT_BACKUP, ['dev']],
    [WITH_STANDBY, ['prod']],
    [WITH_STANDBY_MONITORING, ['prod']],
  ];

  test('each condition holds in the committed environments it held in by name', () => {
    expect(conditions).toHaveLength(EXPECTED.length);
    for (const [when, expected] of EXPECTED) {
      expect({ when: when.applies, in: ENVIRONMENT_NAMES.filter((name) => when(committedConfigs()[name])) }).toEqual({
        when: when.applies,
        in: expected,
      });
    }
  });

  test.each(ENVIRONMENT_NAMES)(
    '%s gets the unconditional entries and those whose condition its config meets',
    (name) => {
      const config = committedConfigs()[name];
      const key = (entry: AcknowledgmentEntry) => `${entry.id} @ ${entry.path}`;
      const holding = EXPECTED.filter(([, environments]) => environments.includes(name)).map(([when]) => when);
      expect(acknowledgmentsFor(config).map(key)).toEqual(
        ACKNOWLEDGMENTS.filter((entry) => entry.when === undefined || holding.includes(entry.when)).map(key),
      );
    },
  );

  test('no entry is scoped by environment name: renaming an environment changes no condition', () => {
    for (const entry of ACKNOWLEDGMENTS) {
      expect(Object.keys(entry).sort()).toEqual(
        entry.when ? ['id', 'path', 'reason', 'when'] : ['id', 'path', 'reason'],
      );
    }
    for (const name of ENVIRONMENT_NAMES) {
      const config = committedConfigs()[name];
      const renamed: EnvironmentConfig = {
        ...config,
        name: 'renamed',
        tags: { ...config.tags, Environment: 'renamed' },
      };
      for (const when of conditions) {
        expect({ when: when.applies, in: name, holds: when(renamed) }).toEqual({
          when: when.applies,
          in: name,
          holds: when(config),
        });
      }
    }
  });

  test('a config change moves the entries with it: staging on rolling deployments drops the traffic-shifting ones', () => {
    const staging = committedConfigs().staging;
    const rolling: EnvironmentConfig = {
      ...staging,
      compute: { ...staging.compute, deployment: { ...staging.compute.deployment, strategy: 'rolling' } },
    };
    const dropped = acknowledgmentsFor(staging).filter((entry) => !acknowledgmentsFor(rolling).includes(entry));
    expect(dropped.length).toBeGreaterThan(0);
    expect(dropped.every((entry) => entry.when === TRAFFIC_SHIFTING)).toBe(true);
    expect(dropped.map((entry) => entry.path)).toEqual(
      expect.arrayContaining(['Compute/Web/DeploymentRole', 'Compute/Web/ListenerRules/Provider/Role']),
    );
  });

  test('a conditional entry names its condition when it is stale', () => {
    const withoutDomain = condition('without a domain', (config) => config.domain === undefined);
    const entries = [{ id: 'AwsSolutions-S1', path: 'Data/Gone', reason: 'r', when: withoutDomain }];
    expect(() => applyAcknowledgments(stageWithBucket(), dev(), entries)).toThrow(
      '  dev: "AwsSolutions-S1" names Dev/Data/Gone, which does not exist (applies without a domain)',
    );
    // Its condition does not hold in staging: nothing is applied, nothing is stale.
    expect(applyAcknowledgments(stageWithBucket(), committedConfigs().staging, entries)).toEqual([]);
    const applied = applyAcknowledgments(stageWithBucket(), dev(), [{ ...entries[0]!, path: 'Data/Uploads' }]);
    expect(applied).toEqual([
      {
        id: 'AwsSolutions-S1',
        path: 'Data/Uploads',
        reason: 'r',
        applies: 'without a domain',
        environment: 'dev',
        fullPath: 'Dev/Data/Uploads',
      },
    ]);
    expect(staleAcknowledgments(applied, [])).toEqual([
      'dev: AwsSolutions-S1 at Dev/Data/Uploads matches no finding (applies without a domain)',
    ]);
  });
});

describe('what stops a finished synthesis (bin/app.ts)', () => {
  /** A finished synthesis: acknowledgments applied to a stage, the findings it saw, the report it wrote. */
  function finished(findings: Finding[], report?: object) {
    const stage = stageWithBucket();
    const acknowledgments = applyAcknowledgments(stage, dev(), [
      { id: 'AwsSolutions-S1', path: 'Data/Uploads', reason: 'r' },
    ]);
    const compliance = { rawFindings: () => findings } as unknown as Compliance;
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'la-synth-'));
    if (report !== undefined) {
      fs.writeFileSync(path.join(directory, 'validation-report.json'), JSON.stringify(report));
    }
    const built: BuiltApp = { stages: {}, ciStacks: [], compliance, acknowledgments };
    return synthesisFailures(stage, built, directory);
  }
  const violation = (severity: string) => ({
    pluginReports: [
      {
        pluginName: 'cdk-nag',
        violations: [
          {
            ruleName: 'AwsSolutions-S2',
            severity,
            description: 'public access\nmore',
            violatingConstructs: [{ constructPath: 'Dev/Data/Uploads' }],
          },
        ],
      },
    ],
  });

  test('nothing, when every acknowledgment matches a finding and the report holds no error', () => {
    expect(finished([finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')], violation('warning'))).toEqual([]);
  });

  test('an acknowledgment whose finding is gone', () => {
    expect(finished([])).toEqual([
      '1 stale acknowledgment(s) in lib/acknowledgments/: remove or correct each entry.\n' +
        '  dev: AwsSolutions-S1 at Dev/Data/Uploads matches no finding',
    ]);
  });

  test('an unacknowledged error in the report, whatever stacks the CLI selected', () => {
    const [failure] = finished([finding('AwsSolutions-S1', 'Dev/Data/Uploads/Resource')], violation('error'));
    expect(failure).toMatch(/^Compliance validation failed: 1 unacknowledged finding\(s\)/);
    expect(failure).toContain('  AwsSolutions-S2 (cdk-nag) at Dev/Data/Uploads: public access\n');
  });
});
