import { CfnParameter, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SecureBucket, type SecureBucketProps } from '../../constructs/data';
import { secureBucketProblems, type SecureBucketRuleInput } from '../../constructs/data/secure-bucket-rules';
import { testFixture, thrown } from '../support/test-stack';
import { schemaMessages } from '../support/config';

const VALID: SecureBucketRuleInput = {
  noncurrentVersionExpirationDays: 30,
  transitionToInfrequentAccessDays: 30,
  expirationDays: 365,
};

/** `path: message` of every problem of `VALID` with `changes`. */
function problems(changes: Partial<SecureBucketRuleInput>): string[] {
  return secureBucketProblems({ ...VALID, ...changes }).map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('secureBucketProblems', () => {
  test('finds nothing wrong with a lifecycle S3 runs', () => {
    expect(problems({})).toEqual([]);
    expect(problems({ transitionToInfrequentAccessDays: undefined, expirationDays: undefined })).toEqual([]);
    expect(problems({ transitionToInfrequentAccessDays: undefined, expirationDays: 1 })).toEqual([]);
  });

  const cases: Array<[string, Partial<SecureBucketRuleInput>, string[]]> = [
    [
      'a transition before 30 days',
      { transitionToInfrequentAccessDays: 29 },
      [
        'transitionToInfrequentAccessDays: 29 days: S3 Standard-IA accepts objects 30 days or older; give a whole number, 30 or more',
      ],
    ],
    [
      'expiration on the day of the transition',
      { transitionToInfrequentAccessDays: 90, expirationDays: 90 },
      [
        'expirationDays: 90 days must exceed the 90 days after which objects move to Standard-IA; expire later or transition earlier',
      ],
    ],
    [
      'half a day',
      { expirationDays: 40.5 },
      ['expirationDays: 40.5 is not a number of days; give a whole number, 1 or more'],
    ],
    [
      'noncurrent versions that never expire',
      { noncurrentVersionExpirationDays: 0 },
      ['noncurrentVersionExpirationDays: 0 is not a number of days; give a whole number, 1 or more'],
    ],
  ];
  test.each(cases)('%s', (_label, changes, expected) => {
    expect(problems(changes)).toEqual(expected);
  });

  test('reports every problem at once, in table order', () => {
    expect(
      problems({ noncurrentVersionExpirationDays: -1, transitionToInfrequentAccessDays: 10, expirationDays: 5 }).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['noncurrentVersionExpirationDays', 'transitionToInfrequentAccessDays', 'expirationDays']);
  });

  test('skips tokens instead of testing their placeholders', () => {
    const unknownNumber = Token.asNumber({ Ref: 'Days' });
    expect(
      problems({
        noncurrentVersionExpirationDays: unknownNumber,
        transitionToInfrequentAccessDays: unknownNumber,
        expirationDays: 1,
      }),
    ).toEqual([]);
  });
});

describe('SecureBucket validates with the same rules', () => {
  test('lists every problem in one error, even values Duration would refuse', () => {
    const { stack } = testFixture();
    expect(
      thrown(
        () =>
          new SecureBucket(stack, 'Logs', {
            noncurrentVersionExpirationDays: -1,
            transitionToInfrequentAccessDays: 10,
            expirationDays: 5,
          }),
      ),
    ).toMatch(
      /^Test\/Logs: 3 invalid props:\n {2}noncurrentVersionExpirationDays: -1 .*\n {2}transitionToInfrequentAccessDays: 10 days: .*\n {2}expirationDays: 5 days must exceed the 10 days/,
    );
  });

  test('accepts tokens where the rules would reject their text', () => {
    const { stack } = testFixture();
    new SecureBucket(stack, 'Logs', {
      transitionToInfrequentAccessDays: new CfnParameter(stack, 'Transition', { type: 'Number' }).valueAsNumber,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: [{ Transitions: [{ StorageClass: 'STANDARD_IA', TransitionInDays: { Ref: 'Transition' } }] }],
      },
    });
  });

  type Case = [
    label: string,
    field: keyof SecureBucketProps,
    configField: string,
    props: SecureBucketProps,
    mutate: (storage: Record<string, unknown>) => void,
  ];
  const cases: Case[] = [
    [
      'a transition before 30 days',
      'transitionToInfrequentAccessDays',
      'logTransitionDays',
      { transitionToInfrequentAccessDays: 20, expirationDays: 90 },
      (s) => Object.assign(s, { logTransitionDays: 20, logExpirationDays: 90 }),
    ],
    [
      'expiration before the transition',
      'expirationDays',
      'logExpirationDays',
      { transitionToInfrequentAccessDays: 60, expirationDays: 45 },
      (s) => Object.assign(s, { logTransitionDays: 60, logExpirationDays: 45 }),
    ],
    [
      'noncurrent versions kept for no day',
      'noncurrentVersionExpirationDays',
      'noncurrentVersionExpirationDays',
      { noncurrentVersionExpirationDays: 0 },
      (s) => (s.noncurrentVersionExpirationDays = 0),
    ],
  ];
  test.each(cases)('the config reports the construct message: %s', (_label, field, configField, props, mutate) => {
    const { stack } = testFixture();
    const [, message] = thrown(() => new SecureBucket(stack, 'Logs', props)).match(new RegExp(`${field}: (.*)$`)) ?? [];
    expect(message).toBeDefined();

    expect(schemaMessages(`storage.${configField}`, (config) => mutate(config.storage))).toEqual([message]);
  });

  test('a default retention without Object Lock is rejected with the fix', () => {
    const { stack } = testFixture();
    expect(
      thrown(() => new SecureBucket(stack, 'Logs', { objectLockEnabled: false, objectLockRetentionDays: 7 })),
    ).toMatch(
      /objectLockRetentionDays: 7 days of default retention need Object Lock, which this bucket does not enable/,
    );
  });
});
