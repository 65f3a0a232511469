import { environments } from '../config';
import { ConfigError, loadConfigs, selectEnvironments } from '../lib/config-loader';
import { committedConfigs, loadWith } from './support/config';

const noContext = (): unknown => undefined;

describe('committed configuration', () => {
  const configs = committedConfigs();

  test('loads all three environments', () => {
    expect(Object.keys(configs)).toEqual(['dev', 'staging', 'prod']);
  });

  test('prod uses the reference subnet layout', () => {
    expect(configs.prod.network.subnets).toEqual({
      public: ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'],
      application: ['10.0.11.0/24', '10.0.12.0/24', '10.0.13.0/24'],
      database: ['10.0.21.0/24', '10.0.22.0/24', '10.0.23.0/24'],
    });
  });

  test('dev is cheap (one NAT, no interface endpoints); staging and prod are redundant', () => {
    expect(configs.dev.network.natGateways).toBe(1);
    expect(configs.dev.network.interfaceEndpoints).toEqual([]);
    expect(configs.staging.network.natGateways).toBe(3);
    expect(configs.prod.network.natGateways).toBe(3);
    expect(configs.prod.removalPolicy).toBe('retain');
    expect(configs.dev.removalPolicy).toBe('destroy');
  });
});

describe('bad input stops with one message naming environment, field and problem', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'invalid CIDR',
      loadWith('prod', (c) => (c.network.subnets.public[1] = '10.0.300.0/24')),
      /prod: network\.subnets\.public\[1\]: "10\.0\.300\.0\/24" has an octet above 255/,
    ],
    [
      'CIDR that is not a CIDR',
      loadWith('dev', (c) => (c.network.vpcCidr = 'ten.dot.zero')),
      /dev: network\.vpcCidr: "ten\.dot\.zero" is not an IPv4 CIDR/,
    ],
    [
      'host bits set',
      loadWith('staging', (c) => (c.network.subnets.database[0] = '10.20.21.7/24')),
      /staging: network\.subnets\.database\[0\]: "10\.20\.21\.7\/24" has host bits set; the network address is 10\.20\.21\.0\/24/,
    ],
    [
      'subnet outside the VPC',
      loadWith('prod', (c) => (c.network.subnets.application[2] = '10.1.13.0/24')),
      /prod: network\.subnets\.application\[2\]: "10\.1\.13\.0\/24" lies outside the VPC 10\.0\.0\.0\/16/,
    ],
    [
      'overlapping subnets',
      loadWith('prod', (c) => (c.network.subnets.database[0] = '10.0.11.0/25')),
      /prod: network\.subnets\.database\[0\]: "10\.0\.11\.0\/25" overlaps application\[0\] \(10\.0\.11\.0\/24\)/,
    ],
    [
      'overlapping VPCs across environments',
      loadWith('staging', (c) => {
        c.network.vpcCidr = '10.10.0.0/16';
        c.network.subnets = structuredClone(environments.dev.network.subnets);
      }),
      /staging: network\.vpcCidr: 10\.10\.0\.0\/16 overlaps the dev VPC \(10\.10\.0\.0\/16\)/,
    ],
    [
      'wrong number of availability zones',
      loadWith('dev', (c) => (c.availabilityZones = ['eu-west-1a', 'eu-west-1b'])),
      /dev: availabilityZones: exactly three availability zones are required/,
    ],
    [
      'availability zone not in the region',
      loadWith('prod', (c) => (c.availabilityZones[2] = 'us-east-1c')),
      /prod: availabilityZones\[2\]: "us-east-1c" is not an availability zone of region eu-west-1 \(it is in us-east-1\); eu-west-1 has eu-west-1a, eu-west-1b, eu-west-1c/,
    ],
    [
      'zero NAT gateways',
      loadWith('dev', (c) => (c.network.natGateways = 0)),
      /dev: network\.natGateways: 0 NAT gateways for 3 availability zones; the application tier needs egress, so use a whole number from 1 \(cheap\) to 3/,
    ],
    [
      'negative NAT gateways',
      loadWith('prod', (c) => (c.network.natGateways = -2)),
      /prod: network\.natGateways: -2 NAT gateways for 3 availability zones/,
    ],
    [
      'more NAT gateways than zones',
      loadWith('prod', (c) => (c.network.natGateways = 4)),
      /prod: network\.natGateways: 4 NAT gateways for 3 availability zones/,
    ],
    [
      'a tier without one subnet per zone',
      loadWith('staging', (c) => c.network.subnets.public.pop()),
      /staging: network\.subnets\.public: 2 subnets for 3 availability zones/,
    ],
    [
      'malformed account id',
      loadWith('prod', (c) => (c.account = '1234')),
      /prod: account: must be a 12-digit AWS account id/,
    ],
    [
      'retention CloudWatch does not accept',
      loadWith('dev', (c) => (c.network.flowLogRetentionDays = 10)),
      /dev: network\.flowLogRetentionDays: 10 is not a CloudWatch Logs retention period/,
    ],
    [
      'DR region equal to the home region',
      loadWith('prod', (c) => (c.drRegion = 'eu-west-1')),
      /prod: drRegion: must differ from region/,
    ],
    [
      'misspelled field',
      loadWith('dev', (c) => ((c.network as Record<string, unknown>).natGateway = 1)),
      /dev: network: Unrecognized key: "natGateway"/,
    ],
    [
      'invalid region',
      loadWith('staging', (c) => (c.region = 'europe')),
      /staging: region: "europe" is not a commercial AWS region/,
    ],
    [
      'a config filed under the wrong environment',
      loadWith('staging', (c) => (c.name = 'prod')),
      /staging: name: "prod" does not match the environment it configures/,
    ],
    [
      'read replicas in a single-AZ setup',
      loadWith('dev', (c) => (c.database.readReplicas = 1)),
      /dev: database\.readReplicas: 1 read replica\(s\) in a single-AZ setup: enable multiAz first/,
    ],
    [
      'more replicas than other AZs',
      loadWith('prod', (c) => (c.database.readReplicas = 3)),
      /prod: database\.readReplicas: 3 read replicas .*; use at most 2/,
    ],
    [
      'a bare PostgreSQL major version',
      loadWith('prod', (c) => (c.database.engineVersion = '17')),
      /prod: database\.engineVersion: "17" is not a PostgreSQL 17 version RDS offers; use one of 17\.1, .*17\.9/,
    ],
    [
      'an x86 instance class',
      loadWith('staging', (c) => (c.database.instanceClass = 'm5.large')),
      /staging: database\.instanceClass: "m5\.large" is not a Graviton instance class RDS for PostgreSQL offers/,
    ],
    [
      'storage that cannot autoscale',
      loadWith('dev', (c) => (c.database.maxAllocatedStorageGiB = 20)),
      /dev: database\.maxAllocatedStorageGiB: 20 GiB must exceed allocatedStorageGiB \(20\)/,
    ],
    [
      'backups turned off',
      loadWith('prod', (c) => (c.database.backupRetentionDays = 0)),
      /prod: database\.backupRetentionDays: 0 days is not a retention RDS keeps: use 1 to 35 \(0 would turn backups off\)/,
    ],
    [
      'a Multi-AZ cache without replicas',
      loadWith('staging', (c) => (c.cache.replicasPerShard = 0)),
      /staging: cache\.replicasPerShard: multiAz needs at least one replica per shard/,
    ],
    [
      'a cache version the engine does not have',
      loadWith('prod', (c) => (c.cache.engine = 'valkey')),
      /prod: cache\.engineVersion: "7\.1" is not a Valkey version ElastiCache offers \(7\.1 is a Redis OSS version: change engine too\); use one of 7\.2, 8\.0, 8\.1, 8\.2, 9\.0, 9\.1/,
    ],
    [
      'shards without cluster mode',
      loadWith('prod', (c) => (c.cache.shards = 3)),
      /prod: cache\.shards: 3 shards need clusterMode: true/,
    ],
    [
      'logs that expire before they transition',
      loadWith('dev', (c) => (c.storage.logExpirationDays = 30)),
      /dev: storage\.logExpirationDays: 30 days must exceed the 30 days after which objects move to Standard-IA/,
    ],
    [
      'logs that move to Standard-IA too early',
      loadWith('prod', (c) => (c.storage.logTransitionDays = 10)),
      /prod: storage\.logTransitionDays: 10 days: S3 Standard-IA accepts objects 30 days or older/,
    ],
    [
      'noncurrent versions that never expire',
      loadWith('staging', (c) => (c.storage.noncurrentVersionExpirationDays = 0)),
      /staging: storage\.noncurrentVersionExpirationDays: 0 is not a number of days; give a whole number, 1 or more/,
    ],
    [
      'a Project tag that makes an identifier RDS refuses',
      loadWith('prod', (c) => (c.tags.Project = 'Learning_Assistant')),
      /prod: tags\.Project: the database identifier prefix is derived from it \(<Project>-<environment>\): "Learning_Assistant-prod" must start with a letter .*; change the Project tag to fit/,
    ],
    [
      'a Project tag one character too long for the cache',
      // 41 characters with "-prod": fits an RDS identifier prefix, not an ElastiCache id.
      loadWith('prod', (c) => (c.tags.Project = 'a'.repeat(36))),
      /prod: tags\.Project: the cache replication group id is derived from it \(<Project>-<environment>\): "a{36}-prod" must start with a letter, .* at most 40 characters; change the Project tag to fit/,
    ],
  ];

  test.each(cases)('%s', (_label, load, message) => {
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(message);
  });

  test('all problems arrive in a single error', () => {
    const load = loadWith('prod', (c) => {
      c.network.natGateways = 0;
      c.account = 'x';
    });
    expect(load).toThrow(/Invalid configuration; .*:\n {2}- prod: account: .*\n {2}- prod: network\.natGateways: /);
  });

  test('a type error hides no other problem, in its section or another', () => {
    const load = loadWith('prod', (c) => {
      c.compute.minTasks = 'two' as unknown as number;
      c.compute.spotPercent = 120;
      c.database.readReplicas = 'two' as unknown as number;
      c.network.natGateways = 4;
    });
    expect(load).toThrow(ConfigError);
    let message = '';
    try {
      load();
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.split('\n').slice(1)).toEqual([
      '  - prod: database.readReplicas: Invalid input: expected number, received string (got "two")',
      '  - prod: compute.minTasks: Invalid input: expected number, received string (got "two")',
      expect.stringMatching(/^ {2}- prod: network\.natGateways: 4 NAT gateways for 3 availability zones/),
      '  - prod: compute.spotPercent: 120 is not a whole number from 0 to 100',
    ]);
  });

  test('a type error hides the rules that read the field', () => {
    const load = loadWith('prod', (c) => {
      c.region = 42 as unknown as string;
      c.database.readReplicas = 3;
    });
    // The zones are not checked against a region that is not one; the database is still checked.
    expect(load).toThrow(
      /^Invalid configuration; .*:\n {2}- prod: region: .*\n {2}- prod: database\.readReplicas: 3 read replicas /,
    );
  });

  test('an unknown environment name', () => {
    expect(() => selectEnvironments({ context: (key) => (key === 'env' ? 'qa' : undefined) })).toThrow(
      'Unknown environment "qa" (from -c env=qa): expected one of dev, staging, prod',
    );
  });

  test('a registry entry whose config names another environment', () => {
    expect(() =>
      loadConfigs({ context: noContext, env: {}, environments: { ...environments, qa: environments.dev } }),
    ).toThrow('qa: name: "dev" does not match the environment it configures ("qa", its key in config/index.ts)');
  });

  test('a registry key that cannot be an environment name', () => {
    expect(() =>
      loadConfigs({
        context: noContext,
        env: {},
        environments: { ...environments, 'QA-1': { ...environments.dev, name: 'QA-1' } },
      }),
    ).toThrow(/QA-1: "QA-1" in config\/index\.ts is not an environment name/);
  });
});

describe('environment selection and overrides', () => {
  test('all environments by default, one with -c env=<name>', () => {
    expect(selectEnvironments({ context: noContext })).toEqual(['dev', 'staging', 'prod']);
    expect(selectEnvironments({ context: (key) => (key === 'env' ? 'prod' : undefined) })).toEqual(['prod']);
  });

  test('context overrides an environment variable, which overrides the file', () => {
    const env = { LA_PROD_ACCOUNT: '444444444444', LA_DEV_ACCOUNT: '555555555555' };
    const configs = loadConfigs({
      context: (key) => (key === 'prod:account' ? '666666666666' : undefined),
      env,
    });
    expect(configs.prod.account).toBe('666666666666');
    expect(configs.dev.account).toBe('555555555555');
    expect(configs.staging.account).toBe('222222222222');
  });

  test('region and zones move together; zones are comma-separated', () => {
    const configs = loadConfigs({
      context: noContext,
      env: { LA_DEV_REGION: 'us-west-2', LA_DEV_AVAILABILITY_ZONES: 'us-west-2a, us-west-2b,us-west-2d' },
    });
    expect(configs.dev.region).toBe('us-west-2');
    expect(configs.dev.availabilityZones).toEqual(['us-west-2a', 'us-west-2b', 'us-west-2d']);
  });

  test("moving region takes the region's CloudFront prefix list along", () => {
    const configs = loadConfigs({
      context: noContext,
      env: { LA_DEV_REGION: 'us-west-2', LA_DEV_AVAILABILITY_ZONES: 'us-west-2a,us-west-2b,us-west-2c' },
    });
    expect(configs.dev.edge.originFacingPrefixListId).toBe('pl-82a045eb');
    expect(configs.prod.edge.originFacingPrefixListId).toBe('pl-4fa04526');
  });

  test('an explicit prefix list is for a region the table lacks, and must be a prefix list id', () => {
    const configs = loadConfigs({
      context: (key) => (key === 'dev:cloudFrontPrefixList' ? 'pl-0123456789abcdef0' : undefined),
      env: { LA_DEV_REGION: 'eu-south-2', LA_DEV_AVAILABILITY_ZONES: 'eu-south-2a,eu-south-2b,eu-south-2c' },
    });
    expect(configs.dev.edge.originFacingPrefixListId).toBe('pl-0123456789abcdef0');
    expect(() => loadConfigs({ context: noContext, env: { LA_DEV_CLOUDFRONT_PREFIX_LIST: 'sg-123' } })).toThrow(
      /dev: edge\.originFacingPrefixListId: must be a prefix list id \(pl-\.\.\.\) \(got "sg-123" from LA_DEV_CLOUDFRONT_PREFIX_LIST\)/,
    );
  });

  test('an override is validated like the file', () => {
    expect(() => loadConfigs({ context: noContext, env: { LA_STAGING_REGION: 'us-west-2' } })).toThrow(
      /staging: availabilityZones\[0\]: "eu-west-1a" is not an availability zone of region us-west-2/,
    );
  });

  test("the CLI's CDK_DEFAULT_ACCOUNT does not retarget environments", () => {
    const configs = loadConfigs({ context: noContext, env: { CDK_DEFAULT_ACCOUNT: '999999999999' } });
    expect(configs.prod.account).toBe('333333333333');
  });
});
