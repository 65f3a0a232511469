import { App, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ACKNOWLEDGMENTS, covers, staleAcknowledgments } from '../lib/acknowledgments';
import { Compliance } from '../lib/compliance';
import { reportedViolations } from '../lib/validation-report';
import { ASSEMBLY_DIR } from './support/paths';
import { synthesized } from './support/synth';

describe('compliance gates (cdk-nag packs and cfn-guard) over every environment', () => {
  test('synthesis with the plugins attached succeeds', () => {
    expect(synthesized().synthError).toBeUndefined();
  });

  test('the plugins ran and saw findings (so a clean result means something)', () => {
    const ids = new Set(synthesized().findings.map((f) => f.id.split('-')[0]));
    expect([...ids].sort()).toEqual(
      expect.arrayContaining(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321', 'cdk']),
    );
  });

  test('zero unacknowledged findings, errors and warnings alike', () => {
    const { findings, acknowledgments } = synthesized();
    const unexplained = findings
      .filter((finding) => !acknowledgments.some((ack) => covers(ack, finding)))
      .map((f) => `${f.level} ${f.id} at ${f.path}: ${f.description}`);
    expect(unexplained).toEqual([]);
  });

  test('the validation report of the synthesis lists no violation', () => {
    expect(reportedViolations(ASSEMBLY_DIR).map((v) => `${v.plugin}: ${v.rule} at ${v.paths.join(', ')}`)).toEqual([]);
  });

  test('every acknowledgment still matches a finding in each environment it applies to', () => {
    const { findings, acknowledgments } = synthesized();
    expect(staleAcknowledgments(acknowledgments, findings)).toEqual([]);
  });

  test('every acknowledgment gives a specific reason', () => {
    // One per rule and construct; a registry that lost its entries would pass the loop below.
    expect(ACKNOWLEDGMENTS.length).toBeGreaterThan(100);
    for (const entry of ACKNOWLEDGMENTS) {
      expect(entry.reason.length).toBeGreaterThan(60);
    }
  });

  test('the gate fails synthesis on a non-compliant resource', () => {
    const app = new App();
    Compliance.attach(app);
    const stack = new Stack(app, 'Bad', { env: { account: '111111111111', region: 'eu-west-1' } });
    new s3.CfnBucket(stack, 'Unencrypted');
    expect(() => app.synth()).toThrow(/AwsSolutions-S1/);
  });
});
