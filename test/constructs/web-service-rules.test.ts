import { Lazy, Token } from 'aws-cdk-lib';
import { WebDeploymentStrategy, webServiceProblems, type WebServiceRuleInput } from '../../constructs/compute';
import { type EnvironmentConfigInput } from '../../config';
import { loadWith } from '../support/config';

const VALID: WebServiceRuleInput = {
  cpuUnits: 512,
  memoryMiB: 1024,
  minTasks: 2,
  maxTasks: 4,
  spotPercent: 0,
  deploymentStrategy: WebDeploymentStrategy.ROLLING,
  trafficShiftPercent: 10,
  scheduledCapacity: [{ name: 'Morning', schedule: 'cron(0 7 ? * MON-FRI *)', minTasks: 3 }],
};

/** `path: message` of every problem of `VALID` with `changes`. */
function problems(changes: Partial<WebServiceRuleInput>): string[] {
  return webServiceProblems({ ...VALID, ...changes }).map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('webServiceProblems', () => {
  test('finds nothing wrong with valid settings', () => {
    expect(problems({})).toEqual([]);
  });

  test('tasks need some egress: the internet or AWS API peers', () => {
    expect(problems({ internetEgress: false, awsApiPeerCount: 0 })).toEqual([
      expect.stringMatching(/^internetEgress: false without awsApiPeers leaves the tasks no way to ECR/),
    ]);
    expect(problems({ internetEgress: false, awsApiPeerCount: 2 })).toEqual([]);
    expect(problems({ internetEgress: true, awsApiPeerCount: 0 })).toEqual([]);
  });

  const cases: Array<[string, Partial<WebServiceRuleInput>, string[]]> = [
    [
      'an unknown CPU size',
      { cpuUnits: 300 },
      ['cpuUnits: 300 CPU units is not a Fargate size; use one of 256, 512, 1024, 2048, 4096'],
    ],
    [
      'memory that does not fit',
      { memoryMiB: 512 },
      ['memoryMiB: 512 MiB does not fit 512 CPU units; Fargate needs 1024 to 4096 MiB in 1024 MiB steps'],
    ],
    ['no tasks', { minTasks: 0 }, ['minTasks: 0 must be a whole number of at least 1']],
    [
      'half a task',
      { minTasks: 1.5, maxTasks: 4.5 },
      ['minTasks: 1.5 must be a whole number of at least 1', 'maxTasks: 4.5 must be a whole number of at least 1'],
    ],
    ['a ceiling below the floor', { minTasks: 5 }, ['maxTasks: 4 is below minTasks (5)']],
    ['a negative Spot share', { spotPercent: -1 }, ['spotPercent: -1 is not a whole number from 0 to 100']],
    ['a step above 100 %', { trafficShiftPercent: 101 }, ['trafficShiftPercent: 101% is not from 0.1 to 100']],
    [
      'a linear step below 3 %',
      { deploymentStrategy: WebDeploymentStrategy.LINEAR, trafficShiftPercent: 2.5 },
      ['trafficShiftPercent: 2.5% is below the 3% minimum step of a linear deployment'],
    ],
    [
      'a canary step below 3 % (only linear has a minimum)',
      { deploymentStrategy: WebDeploymentStrategy.CANARY, trafficShiftPercent: 2.5 },
      [],
    ],
    [
      'a bare cron expression',
      { scheduledCapacity: [{ name: 'Morning', schedule: '0 7 * * *', minTasks: 2 }] },
      [
        'scheduledCapacity.0.schedule: "0 7 * * *" (Morning) is not a schedule Application Auto Scaling reads; use cron(...), rate(...) or at(...)',
      ],
    ],
    [
      'a scheduled floor above the service ceiling',
      { scheduledCapacity: [{ name: 'Peak', schedule: 'rate(1 day)', minTasks: 5 }] },
      ['scheduledCapacity.0.minTasks: 5 exceeds the upper bound (4)'],
    ],
    [
      'a scheduled floor of no task',
      { scheduledCapacity: [{ name: 'Night', schedule: 'rate(1 day)', minTasks: 0 }] },
      ['scheduledCapacity.0.minTasks: 0 must be a whole number of at least 1'],
    ],
    [
      'scheduled bounds that are not whole numbers',
      { scheduledCapacity: [{ name: 'Peak', schedule: 'rate(1 day)', minTasks: 1.5, maxTasks: 3.5 }] },
      [
        'scheduledCapacity.0.minTasks: 1.5 must be a whole number of at least 1',
        'scheduledCapacity.0.maxTasks: 3.5 must be a whole number of at least 1',
      ],
    ],
    [
      'a scheduled ceiling of no task',
      { scheduledCapacity: [{ name: 'Off', schedule: 'rate(1 day)', minTasks: 1, maxTasks: 0 }] },
      [
        'scheduledCapacity.0.maxTasks: 0 must be a whole number of at least 1',
        'scheduledCapacity.0.minTasks: 1 exceeds the upper bound (0)',
      ],
    ],
    [
      'a scheduled floor above its own ceiling',
      { scheduledCapacity: [{ name: 'Peak', schedule: 'at(2030-01-01T00:00:00)', minTasks: 3, maxTasks: 2 }] },
      ['scheduledCapacity.0.minTasks: 3 exceeds the upper bound (2)'],
    ],
  ];
  test.each(cases)('%s', (_label, changes, expected) => {
    expect(problems(changes)).toEqual(expected);
  });

  test('reports every problem at once, in table order', () => {
    expect(
      problems({
        memoryMiB: 100,
        spotPercent: 101,
        scheduledCapacity: [
          { name: 'A', schedule: 'daily', minTasks: 1 },
          { name: 'B', schedule: 'rate(1 hour)', minTasks: 9 },
        ],
      }).map((p) => p.split(':')[0]),
    ).toEqual(['memoryMiB', 'spotPercent', 'scheduledCapacity.0.schedule', 'scheduledCapacity.1.minTasks']);
  });

  test('an unknown CPU size is explained from the CPU alone, whatever the memory', () => {
    const unknownNumber = Token.asNumber(Lazy.number({ produce: () => 1 }));
    expect(problems({ cpuUnits: 300, memoryMiB: unknownNumber })).toEqual([
      'cpuUnits: 300 CPU units is not a Fargate size; use one of 256, 512, 1024, 2048, 4096',
    ]);
    expect(problems({ cpuUnits: 300, memoryMiB: 100_000 })).toEqual([
      'cpuUnits: 300 CPU units is not a Fargate size; use one of 256, 512, 1024, 2048, 4096',
    ]);
  });

  test('skips tokens instead of testing their placeholders', () => {
    const unknownNumber = Token.asNumber(Lazy.number({ produce: () => 1 }));
    expect(
      problems({
        cpuUnits: unknownNumber,
        minTasks: 3,
        maxTasks: unknownNumber,
        spotPercent: unknownNumber,
        trafficShiftPercent: unknownNumber,
        scheduledCapacity: [
          {
            name: 'Later',
            schedule: Lazy.string({ produce: () => 'soon' }),
            minTasks: unknownNumber,
            maxTasks: unknownNumber,
          },
        ],
      }),
    ).toEqual([]);
  });
});

describe('the config schema reports the same rules under compute', () => {
  /** The messages of loading the committed configs with prod's input changed by `mutate`. */
  function prodProblems(mutate: (config: EnvironmentConfigInput & Record<string, any>) => void): string[] {
    try {
      loadWith('prod', mutate)();
    } catch (error) {
      return (error as Error).message.split('\n').slice(1);
    }
    return [];
  }

  test('with config paths, all at once', () => {
    expect(
      prodProblems((c) => {
        c.compute.memoryMiB = 1000;
        c.compute.maxTasks = 3;
        c.compute.scheduledScaling[0].minTasks = 5;
        c.compute.deployment.strategy = 'linear';
        c.compute.deployment.stepPercent = 2;
      }),
    ).toEqual([
      '  - prod: compute.memoryMiB: 1000 MiB does not fit 1024 CPU units; Fargate needs 2048 to 8192 MiB in 1024 MiB steps',
      '  - prod: compute.deployment.stepPercent: 2% is below the 3% minimum step of a linear deployment',
      '  - prod: compute.scheduledScaling[0].minTasks: 5 exceeds the upper bound (3)',
    ]);
    expect(prodProblems((c) => (c.compute.minTasks = 13))).toEqual([
      '  - prod: compute.maxTasks: 12 is below minTasks (13)',
    ]);
  });

  test('a range the schema leaves to the rule table is reported once, in its words', () => {
    expect(prodProblems((c) => (c.compute.scheduledScaling[1].schedule = '0 20 * * *'))).toEqual([
      '  - prod: compute.scheduledScaling[1].schedule: "0 20 * * *" (OffHours) is not a schedule Application Auto Scaling reads; use cron(...), rate(...) or at(...)',
    ]);
    expect(prodProblems((c) => (c.compute.spotPercent = 120))).toEqual([
      '  - prod: compute.spotPercent: 120 is not a whole number from 0 to 100',
    ]);
  });

  test('scheduled bounds are checked by the rule table only, in its words', () => {
    expect(prodProblems((c) => (c.compute.scheduledScaling[0].minTasks = 0))).toEqual([
      '  - prod: compute.scheduledScaling[0].minTasks: 0 must be a whole number of at least 1',
    ]);
    expect(prodProblems((c) => (c.compute.scheduledScaling[1].maxTasks = 6.5))).toEqual([
      '  - prod: compute.scheduledScaling[1].maxTasks: 6.5 must be a whole number of at least 1',
    ]);
  });

  test('a type error in one field hides no problem of another', () => {
    expect(
      prodProblems((c) => {
        c.compute.minTasks = 'two' as unknown as number;
        c.compute.spotPercent = 120;
        c.compute.scheduledScaling[0].maxTasks = 'many' as unknown as number;
        c.compute.scheduledScaling[1].schedule = 'nightly';
      }),
    ).toEqual([
      // The loader may quote the value it got after the message.
      expect.stringMatching(/^ {2}- prod: compute\.minTasks: Invalid input: expected number, received string\b/),
      expect.stringMatching(
        /^ {2}- prod: compute\.scheduledScaling\[0\]\.maxTasks: Invalid input: expected number, received string\b/,
      ),
      '  - prod: compute.spotPercent: 120 is not a whole number from 0 to 100',
      expect.stringMatching(
        /^ {2}- prod: compute\.scheduledScaling\[1\]\.schedule: "nightly" \(OffHours\) is not a schedule/,
      ),
    ]);
  });

  test("a field the schema's shape already rejected is reported once", () => {
    expect(prodProblems((c) => (c.compute.minTasks = 'two' as unknown as number))).toHaveLength(1);
  });
});
