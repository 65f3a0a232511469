import * as rds from 'aws-cdk-lib/aws-rds';
import { environments } from '../config';
import { COUNTRY_CODES } from '../config/aws/countries';
import { POSTGRES_VERSIONS } from '../config/aws/rds';
import { S3_GATEWAY_PREFIX_LISTS, s3GatewayPrefixListOf } from '../config/aws/vpc';
import { AVAILABILITY_ZONE_LETTERS, isKnownRegion } from '../config/aws/regions';
import { scheduleProblem } from '../config/aws/schedules';
import { isTimeZone } from '../config/aws/time-zones';
import { ConfigError, loadConfigs, selectEnvironments } from '../lib/config-loader';
import { loadWith } from './support/config';

const noContext = (): unknown => undefined;

/** The message of what `load` throws; fails the test when it throws nothing or something else. */
function messageOf(load: () => unknown): string {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

function loadWithOverrides(context: Record<string, string>, env: Record<string, string> = {}) {
  return () =>
    loadConfigs({
      context: (key) => context[key],
      contextKeys: Object.keys(context),
      env,
    });
}

/**
 * Mistakes a new user makes, each stopped at load with the environment, the field, the value and,
 * for an override, where it came from, before any template exists.
 */
describe('config that AWS would reject is rejected at load', () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    [
      'a zone the region does not have',
      loadWith('prod', (c) => (c.availabilityZones[2] = 'eu-west-1d')),
      /prod: availabilityZones\[2\]: "eu-west-1d" is not an availability zone of region eu-west-1; eu-west-1 has eu-west-1a, eu-west-1b, eu-west-1c/,
    ],
    [
      'a zone new accounts do not get',
      loadWith('prod', (c) => {
        c.region = 'ap-northeast-1';
        c.availabilityZones = ['ap-northeast-1a', 'ap-northeast-1b', 'ap-northeast-1c'];
      }),
      /prod: availabilityZones\[1\]: "ap-northeast-1b" is not an availability zone of region ap-northeast-1; ap-northeast-1 has ap-northeast-1a, ap-northeast-1c, ap-northeast-1d/,
    ],
    [
      'a region with two zones per account',
      loadWith('dev', (c) => {
        c.region = 'us-west-1';
        c.availabilityZones = ['us-west-1a', 'us-west-1b', 'us-west-1c'];
      }),
      /dev: region: us-west-1 offers 2 availability zones per account; this project needs 3/,
    ],
    [
      'a region that does not exist',
      loadWith('staging', (c) => (c.region = 'eu-west-4')),
      /staging: region: "eu-west-4" is not a commercial AWS region; did you mean "eu-west-1"\?/,
    ],
    [
      'a /29 subnet',
      loadWith('prod', (c) => (c.network.subnets.public[0] = '10.0.1.0/29')),
      /prod: network\.subnets\.public\[0\]: "10\.0\.1\.0\/29": a \/29 subnet is outside the \/16 to \/28 range AWS accepts/,
    ],
    [
      'a /29 VPC',
      loadWith('dev', (c) => (c.network.vpcCidr = '10.10.0.0/29')),
      /dev: network\.vpcCidr: \/29 is outside the \/16 to \/28 range a VPC accepts/,
    ],
    [
      'an instance class that does not exist',
      loadWith('prod', (c) => (c.database.instanceClass = 'r7g.huge')),
      /prod: database\.instanceClass: "r7g\.huge" does not exist; r7g comes in large, xlarge, 2xlarge, 4xlarge, 8xlarge, 12xlarge, 16xlarge/,
    ],
    [
      'an instance class with the db. prefix',
      loadWith('staging', (c) => (c.database.instanceClass = 'db.t4g.medium')),
      /staging: database\.instanceClass: "db\.t4g\.medium": leave out the db\. prefix \(t4g\.medium\)/,
    ],
    [
      'PostgreSQL 16.99',
      loadWith('prod', (c) => (c.database.engineVersion = '16.99')),
      /prod: database\.engineVersion: "16\.99" is not a PostgreSQL 16 version RDS offers; use one of 16\.1, .*, 16\.13/,
    ],
    [
      'more storage than gp3 takes',
      loadWith('prod', (c) => (c.database.maxAllocatedStorageGiB = 70_000)),
      /prod: database\.maxAllocatedStorageGiB: gp3 takes at most 65536 GiB \(64 TiB\) \(got 70000\)/,
    ],
    [
      'a cache node type that does not exist',
      loadWith('dev', (c) => (c.cache.nodeType = 'cache.t4g.large')),
      /dev: cache\.nodeType: "cache\.t4g\.large" does not exist; cache\.t4g comes in micro, small, medium/,
    ],
    [
      'an x86 cache node type',
      loadWith('dev', (c) => (c.cache.nodeType = 'cache.m5.large')),
      /dev: cache\.nodeType: "cache\.m5\.large" is not a Graviton node type ElastiCache offers; did you mean "cache\.m6g\.large"\?/,
    ],
    [
      'a Redis OSS version without IAM authentication',
      loadWith('prod', (c) => (c.cache.engineVersion = '6.2')),
      /prod: cache\.engineVersion: "6\.2": ElastiCache still offers Redis OSS 6\.2, but this project needs 7\.0 or later \(IAM authentication/,
    ],
    [
      'a cron with both day fields',
      loadWith('prod', (c) => (c.compute.scheduledScaling[0].schedule = 'cron(0 7 * * MON-FRI *)')),
      /prod: compute\.scheduledScaling\[0\]\.schedule: "cron\(0 7 \* \* MON-FRI \*\)": day-of-month "\*" and day-of-week "MON-FRI" cannot both be set; put "\?" in one of them .* \(BusinessHours\)/,
    ],
    [
      'a five-field (crontab) cron',
      loadWith('prod', (c) => (c.compute.scheduledScaling[1].schedule = 'cron(0 20 * * 1-5)')),
      /prod: compute\.scheduledScaling\[1\]\.schedule: "cron\(0 20 \* \* 1-5\)": has 5 field\(s\); Application Auto Scaling's cron takes 6/,
    ],
    [
      'an hour past 23',
      loadWith('prod', (c) => (c.compute.scheduledScaling[1].schedule = 'cron(0 24 ? * MON-FRI *)')),
      /prod: compute\.scheduledScaling\[1\]\.schedule: "cron\(0 24 \? \* MON-FRI \*\)": hours "24": values must be 0-23 or \*/,
    ],
    [
      'a rate with the wrong number',
      loadWith('prod', (c) => (c.compute.scheduledScaling[0].schedule = 'rate(5 minute)')),
      /prod: compute\.scheduledScaling\[0\]\.schedule: "rate\(5 minute\)": use the plural: rate\(5 minutes\)/,
    ],
    [
      'a time zone that does not exist',
      loadWith('prod', (c) => (c.compute.scheduledScaling[0].timeZone = 'Europe/Paris2')),
      /prod: compute\.scheduledScaling\[0\]\.timeZone: "Europe\/Paris2" is not an IANA time zone; did you mean "Europe\/Paris"\?/,
    ],
    [
      'two scheduled actions with one name',
      loadWith('prod', (c) => (c.compute.scheduledScaling[1].name = 'BusinessHours')),
      /prod: compute\.scheduledScaling\[1\]\.name: "BusinessHours" is also the name of scheduledScaling\[0\]/,
    ],
    [
      'UK for the United Kingdom',
      loadWith('prod', (c) => (c.edge.waf.blockedCountries = ['UK'])),
      /prod: edge\.waf\.blockedCountries\[0\]: "UK" is not an ISO 3166-1 alpha-2 country code; use GB/,
    ],
    [
      'a country code that is not assigned',
      loadWith('staging', (c) => (c.edge.geoRestriction = { type: 'allowlist', countries: ['DE', 'XX'] })),
      /staging: edge\.geoRestriction\.countries\[1\]: "XX" is not an ISO 3166-1 alpha-2 country code/,
    ],
    [
      'a record name listed twice',
      loadWith('prod', (c) => (c.edge.recordNames = ['', 'www', 'www'])),
      /prod: edge\.recordNames\[2\]: "www" is listed twice; record names must be distinct/,
    ],
    [
      'two record names with one construct ID',
      loadWith('prod', (c) => (c.edge.recordNames = ['my-app', 'my.app'])),
      /prod: edge\.recordNames\[1\]: "my\.app" and "my-app" \(recordNames\[0\]\) would share the construct ID MyApp; rename one/,
    ],
    [
      "the load balancer's own name as a record",
      loadWith('staging', (c) => (c.edge.recordNames = ['', 'origin'])),
      /staging: edge\.recordNames\[1\]: "origin" is reserved/,
    ],
    [
      "a record name another environment's apex already is",
      loadWith('prod', (c) => (c.edge.recordNames = ['', 'staging'])),
      /prod: edge\.recordNames\[1\]: "staging" makes staging\.learning-assistant\.example\.com, which staging serves already/,
    ],
    [
      'an interface endpoint listed twice',
      loadWith('prod', (c) => c.network.interfaceEndpoints.push('logs')),
      /prod: network\.interfaceEndpoints\[\d+\]: "logs" is listed twice/,
    ],
    [
      'a prefix list of the region before the move',
      loadWith('dev', (c) => {
        c.region = 'us-west-2';
        c.availabilityZones = ['us-west-2a', 'us-west-2b', 'us-west-2c'];
        c.edge.originFacingPrefixListId = 'pl-4fa04526';
      }),
      /dev: edge\.originFacingPrefixListId: "pl-4fa04526" is the eu-west-1 prefix list, but region is us-west-2, whose list is pl-82a045eb; leave the field out to follow the region/,
    ],
  ];

  test.each(cases)('%s', (_label, load, message) => {
    expect(messageOf(load)).toMatch(message);
  });

  test('a region change to a region without a known prefix list names the field to set and the override', () => {
    const message = messageOf(
      loadWithOverrides(
        { 'prod:region': 'eu-south-2' },
        { LA_PROD_AVAILABILITY_ZONES: 'eu-south-2a,eu-south-2b,eu-south-2c' },
      ),
    );
    expect(message).toMatch(
      /prod: edge\.originFacingPrefixListId: no CloudFront origin-facing prefix list is known for region eu-south-2; set edge\.originFacingPrefixListId \(or -c <env>:cloudFrontPrefixList=\.\.\.\)/,
    );
    expect(message).toContain('Overrides in effect:\n  - prod: region = "eu-south-2" (-c prod:region)');
    expect(message).toContain(
      'prod: availabilityZones = ["eu-south-2a","eu-south-2b","eu-south-2c"] (LA_PROD_AVAILABILITY_ZONES)',
    );
  });

  test('a region override whose zones stayed behind names the zones, their source and the override', () => {
    const message = messageOf(loadWithOverrides({}, { LA_STAGING_REGION: 'us-west-2' }));
    expect(message).toMatch(
      /staging: availabilityZones\[0\]: "eu-west-1a" is not an availability zone of region us-west-2 \(it is in eu-west-1\)/,
    );
    expect(message).toContain('staging: region = "us-west-2" (LA_STAGING_REGION)');
  });

  test('an override value names its source', () => {
    expect(messageOf(loadWithOverrides({ 'prod:account': '1234' }))).toContain(
      'prod: account: must be a 12-digit AWS account id (got "1234" from -c prod:account)',
    );
  });
});

describe('an override nobody reads is an error that names the right one', () => {
  test('a misspelled context key', () => {
    expect(messageOf(loadWithOverrides({ 'prod:acount': '444444444444' }))).toMatch(
      /prod: -c prod:acount: "acount" is not an overridable field; did you mean "account"\? \(overridable: account, region, /,
    );
  });

  test('a misspelled environment in a context key', () => {
    expect(messageOf(loadWithOverrides({ 'prd:account': '444444444444' }))).toContain(
      '-c prd:account: "prd" is not an environment; did you mean "prod"?',
    );
  });

  test('a variable with a field name that does not exist', () => {
    expect(messageOf(loadWithOverrides({}, { LA_PROD_ACCOUNT_ID: '444444444444' }))).toContain(
      'prod: LA_PROD_ACCOUNT_ID is not an override variable; did you mean LA_PROD_ACCOUNT?',
    );
  });

  test('a variable for an environment that does not exist', () => {
    expect(messageOf(loadWithOverrides({}, { LA_PRD_REGION: 'eu-west-1' }))).toContain(
      "LA_PRD_REGION names no environment's override; did you mean LA_PROD_REGION?",
    );
  });

  test("the tooling's own LA_ variables and CDK's context are not overrides", () => {
    expect(() =>
      loadConfigs({
        context: noContext,
        contextKeys: ['@aws-cdk/core:checkSecretUsage', 'availability-zones:account=1:region=eu-west-1', 'env'],
        env: {
          LA_TEST_OUT: '/tmp/x',
          LA_VALIDATION_CACHE: '0',
          LA_GUARD_PROCESSES: '1',
          LA_VALIDATION_CACHE_DIR: '/tmp',
        },
      }),
    ).not.toThrow();
  });

  test('with -c env=<name>, the message says every environment was validated', () => {
    const message = messageOf(() =>
      loadConfigs({
        context: (key) => ({ env: 'dev', 'staging:account': '1' })[key],
        env: {},
      }),
    );
    expect(message).toMatch(/^Invalid configuration \(every environment is validated, also with -c env=dev: /);
    expect(message).toContain('staging: account: must be a 12-digit AWS account id (got "1" from -c staging:account)');
  });

  test('a misspelled -c env= suggests the environment', () => {
    expect(() => selectEnvironments({ context: (key) => (key === 'env' ? 'prd' : undefined) })).toThrow(
      'Unknown environment "prd" (from -c env=prd); did you mean "prod"?: expected one of dev, staging, prod',
    );
  });
});

describe('the AWS facts', () => {
  test('every PostgreSQL version of the table is one aws-cdk-lib knows, and none of majors 16-18 is missing', () => {
    const cdkVersions = Object.values(rds.PostgresEngineVersion)
      .filter((value): value is rds.PostgresEngineVersion => value instanceof rds.PostgresEngineVersion)
      .map((version) => version.postgresFullVersion)
      .filter((version) => /^1[6-8]\.\d+$/.test(version));
    expect(Object.values(POSTGRES_VERSIONS).flat().sort()).toEqual([...new Set(cdkVersions)].sort());
  });

  test('the country table has the 249 assigned codes, each a region Intl can name', () => {
    expect(COUNTRY_CODES).toHaveLength(249);
    const names = new Intl.DisplayNames('en', { type: 'region' });
    expect(COUNTRY_CODES.filter((code) => names.of(code) === code)).toEqual([]);
  });

  test('every region has at least three zones, each one letter', () => {
    for (const letters of Object.values(AVAILABILITY_ZONE_LETTERS)) {
      expect(letters.length).toBeGreaterThanOrEqual(3);
      expect(letters.every((letter) => /^[a-z]$/.test(letter))).toBe(true);
    }
  });

  test.each([
    'cron(0 7 ? * MON-FRI *)',
    'cron(0/15 * * * ? *)',
    'cron(0 18 L * ? 2026)',
    'cron(0 9 ? * 6L *)',
    'cron(0 9 ? * MON#1 *)',
    'cron(30 8 15W * ? *)',
    'cron(0 0 1 JAN,JUL ? *)',
    'rate(1 minute)',
    'rate(12 hours)',
    'at(2026-12-24T18:00:00)',
  ])('%s is a schedule Application Auto Scaling reads', (schedule) => {
    expect(scheduleProblem(schedule)).toBeUndefined();
  });

  test.each([
    ['cron(0 7 ? * ? *)', /both "\?"/],
    ['cron(60 7 ? * MON *)', /minutes "60"/],
    ['cron(0 7 ? 13 MON *)', /month "13"/],
    ['cron(0 7 ? * FUNDAY *)', /day-of-week "FUNDAY"/],
    ['cron(0 7 ? * MON#6 *)', /week after "#" must be 1 to 5/],
    ['cron(0 7 ? * MON 1969)', /year "1969"/],
    ['rate(0 minutes)', /not a positive whole number/],
    ['rate(1 minutes)', /use the singular: rate\(1 minute\)/],
    ['rate(5 weeks)', /not a unit/],
    ['at(2026-02-30T10:00:00)', /not a date and time/],
  ])('%s is rejected', (schedule, message) => {
    expect(scheduleProblem(schedule)).toMatch(message);
  });

  test('time zones: canonical names, links and UTC; no offsets or inventions', () => {
    expect(
      ['Europe/Berlin', 'UTC', 'Etc/GMT+9', 'Asia/Kolkata', 'America/New_York'].filter((zone) => !isTimeZone(zone)),
    ).toEqual([]);
    expect(['Europe/Paris2', '+01:00', 'CEST', 'Mars/Olympus'].filter(isTimeZone)).toEqual([]);
  });

  test('the committed environments pass every check', () => {
    expect(() => loadConfigs({ context: noContext, env: {}, environments })).not.toThrow();
  });
});

describe('S3 gateway prefix lists', () => {
  test('one distinct prefix list ID per known region; every committed region has one', () => {
    const ids = Object.values(S3_GATEWAY_PREFIX_LISTS);
    expect(new Set(ids).size).toBe(ids.length);
    for (const [region, id] of Object.entries(S3_GATEWAY_PREFIX_LISTS)) {
      expect({ region, known: isKnownRegion(region), id }).toEqual({
        region,
        known: true,
        id: expect.stringMatching(/^pl-[0-9a-f]{8}$/),
      });
    }
    for (const config of Object.values(environments)) {
      expect({ region: config.region, id: s3GatewayPrefixListOf(config.region) }).toEqual({
        region: config.region,
        id: expect.any(String),
      });
    }
    expect(s3GatewayPrefixListOf('eu-west-1')).toBe('pl-6da54004');
    expect(s3GatewayPrefixListOf('toString')).toBeUndefined();
  });
});
