import { Token } from 'aws-cdk-lib';
import { Network, networkProblems, type NetworkProps, type NetworkRuleInput } from '../../constructs/network';
import { TEST_AZS, testStack, thrown } from '../support/test-stack';
import { schemaMessages } from '../support/config';

const VALID: NetworkRuleInput = {
  vpcCidr: '10.50.0.0/16',
  availabilityZones: TEST_AZS,
  tiers: {
    public: ['10.50.0.0/24', '10.50.1.0/24', '10.50.2.0/24'],
    application: ['10.50.16.0/20', '10.50.32.0/20', '10.50.48.0/20'],
    database: ['10.50.64.0/24', '10.50.65.0/24', '10.50.66.0/24'],
  },
  natGateways: 1,
  databaseTierPorts: [5432, 6379],
};

/** `path: message` of every problem of `VALID` with `changes`. */
function problems(changes: Partial<NetworkRuleInput>): string[] {
  return networkProblems({ ...VALID, ...changes }).map((p) => `${p.path.join('.')}: ${p.message}`);
}

describe('networkProblems', () => {
  test('finds nothing wrong with a valid network', () => {
    expect(problems({})).toEqual([]);
  });

  const cases: Array<[string, Partial<NetworkRuleInput>, string[]]> = [
    [
      'one zone',
      { availabilityZones: ['eu-west-1a'], tiers: { public: ['10.50.0.0/24'] } },
      ['availabilityZones: 1 zone(s); give at least 2 so the tiers survive an AZ outage'],
    ],
    [
      'no NAT gateway',
      { natGateways: 0 },
      [
        'natGateways: 0 NAT gateways for 3 availability zones; the application tier needs egress, so use a whole number from 1 (cheap) to 3 (one per AZ)',
      ],
    ],
    ['a NAT gateway per zone and one more', { natGateways: 4 }, [expect.stringMatching(/^natGateways: 4 NAT/)]],
    ['half a NAT gateway', { natGateways: 1.5 }, [expect.stringMatching(/^natGateways: 1\.5 NAT/)]],
    ['no database port', { databaseTierPorts: [] }, ['databaseTierPorts: [] must list TCP ports between 1 and 65535']],
    [
      'more ports than the ACL quota',
      { databaseTierPorts: [5432, 6379, 11211, 3306] },
      [
        'databaseTierPorts: [5432,6379,11211,3306] need 30 network ACL rules per direction, above the default quota of 20; serve fewer ports from the database tier',
      ],
    ],
    ['ports left to the default', { databaseTierPorts: undefined }, []],
    [
      'a subnet outside the VPC',
      { tiers: { ...VALID.tiers, public: ['10.50.0.0/24', '10.50.1.0/24', '10.51.2.0/24'] } },
      ['public.2: "10.51.2.0/24" lies outside the VPC 10.50.0.0/16'],
    ],
  ];
  test.each(cases)('%s', (_label, changes, expected) => {
    expect(problems(changes)).toEqual(expected);
  });

  test('reports every problem at once: zones, layout, NAT gateways, ports', () => {
    expect(
      problems({
        vpcCidr: '10.50.0.0/12',
        availabilityZones: ['eu-west-1a'],
        tiers: { public: ['10.50.0.0/24', 'nope'] },
        natGateways: 2,
        databaseTierPorts: [70000],
      }).map((p) => p.split(':')[0]),
    ).toEqual(['availabilityZones', 'vpcCidr', 'public', 'public.1', 'natGateways', 'databaseTierPorts']);
  });

  test('skips tokens instead of testing their placeholders', () => {
    const unknownNumber = Token.asNumber({ Ref: 'Count' });
    const unknownCidr = Token.asString({ Ref: 'Cidr' });
    expect(
      problems({
        vpcCidr: unknownCidr,
        tiers: { ...VALID.tiers, public: [unknownCidr, '10.50.1.0/24', '10.50.2.0/24'] },
        natGateways: unknownNumber,
        databaseTierPorts: [unknownNumber],
      }),
    ).toEqual([]);
  });
});

describe('the construct and the config say the same for the same rule', () => {
  const construct: NetworkProps = {
    vpcCidr: '10.0.0.0/16',
    availabilityZones: TEST_AZS,
    publicSubnetCidrs: ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'],
    applicationSubnetCidrs: ['10.0.11.0/24', '10.0.12.0/24', '10.0.13.0/24'],
    databaseSubnetCidrs: ['10.0.21.0/24', '10.0.22.0/24', '10.0.23.0/24'],
  };

  /** The messages the schema reports at `path` for prod changed by `mutate`. */

  /** The message the construct throws for `field` with `changes`. */
  function constructMessage(field: string, changes: Partial<NetworkProps>): string | undefined {
    const message = thrown(() => new Network(testStack(), 'Network', { ...construct, ...changes }));
    return message.match(new RegExp(`${field.replace(/[[\]]/g, '\\$&')}: (.*)$`, 'm'))?.[1];
  }

  test.each([0, 4, 2.5])('%s NAT gateways', (natGateways) => {
    const message = constructMessage('natGateways', { natGateways });
    expect(message).toBeDefined();
    expect(schemaMessages('network.natGateways', (c) => (c.network.natGateways = natGateways))).toEqual([message]);
  });

  test('a tier missing a subnet', () => {
    const message = constructMessage('applicationSubnetCidrs', {
      applicationSubnetCidrs: ['10.0.11.0/24', '10.0.12.0/24'],
    });
    expect(message).toBeDefined();
    expect(schemaMessages('network.subnets.application', (c) => c.network.subnets.application.pop())).toEqual([
      message,
    ]);
  });

  test('a subnet outside the VPC', () => {
    const message = constructMessage('databaseSubnetCidrs[1]', {
      databaseSubnetCidrs: ['10.0.21.0/24', '10.9.22.0/24', '10.0.23.0/24'],
    });
    expect(message).toBeDefined();
    expect(
      schemaMessages('network.subnets.database.1', (c) => (c.network.subnets.database[1] = '10.9.22.0/24')),
    ).toEqual([message]);
  });
});
