import { CfnParameter, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { environments, type EnvironmentConfigInput } from '../../config';
import { environmentConfigSchema } from '../../config/schema';
import {
  cacheClusterProblems,
  postgresDatabaseProblems,
  type CacheClusterRuleInput,
  type PostgresDatabaseRuleInput,
} from '../../constructs/data';
import { testCache, testDatabase } from '../support/builders';
import { thrown } from '../support/test-stack';
import { schemaMessages } from '../support/config';

const validDatabase: PostgresDatabaseRuleInput = {
  identifierPrefix: 'learning-assistant-prod',
  availabilityZoneCount: 3,
  multiAz: true,
  readReplicas: 2,
  allocatedStorageGiB: 100,
  maxAllocatedStorageGiB: 1000,
  backupRetentionDays: 35,
  monitoringIntervalSeconds: 60,
};

const validCache: CacheClusterRuleInput = {
  replicationGroupId: 'learning-assistant-prod',
  clusterMode: false,
  shards: 1,
  replicasPerShard: 2,
  multiAz: true,
  snapshotRetentionDays: 15,
};

describe('postgresDatabaseProblems', () => {
  test('a setup RDS accepts has no problems', () => {
    expect(postgresDatabaseProblems(validDatabase)).toEqual([]);
  });

  test('reports every problem at once, in table order, each at its field', () => {
    const problems = postgresDatabaseProblems({
      ...validDatabase,
      identifierPrefix: '9lives',
      multiAz: false,
      readReplicas: 3,
      maxAllocatedStorageGiB: 50,
      backupRetentionDays: 0,
      monitoringIntervalSeconds: 2,
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'identifierPrefix',
      'readReplicas',
      'readReplicas',
      'maxAllocatedStorageGiB',
      'backupRetentionDays',
      'monitoringIntervalSeconds',
    ]);
  });

  test('skips tokens instead of testing their placeholder text', () => {
    const count = Token.asNumber({ Ref: 'Count' });
    expect(
      postgresDatabaseProblems({
        identifierPrefix: Token.asString({ Ref: 'Prefix' }),
        availabilityZoneCount: count,
        multiAz: true,
        readReplicas: count,
        allocatedStorageGiB: count,
        maxAllocatedStorageGiB: 10,
        backupRetentionDays: count,
        monitoringIntervalSeconds: count,
      }),
    ).toEqual([]);
  });

  test('the construct lists two bad props in one error', () => {
    const message = thrown(() => testDatabase(() => ({ backupRetentionDays: 0, monitoringIntervalSeconds: 20 })));
    expect(message).toMatch(
      /^Test\/Db: 2 invalid props:\n {2}backupRetentionDays: 0 days .*\n {2}monitoringIntervalSeconds: 20 is not/,
    );
  });

  test('the construct accepts tokens where the rules would reject their text', () => {
    const { stack } = testDatabase((s) => ({
      identifierPrefix: new CfnParameter(s, 'Prefix').valueAsString,
      maxAllocatedStorageGiB: new CfnParameter(s, 'MaxStorage', { type: 'Number' }).valueAsNumber,
    }));
    Template.fromStack(stack).hasResourceProperties('AWS::RDS::DBInstance', {
      MaxAllocatedStorage: { Ref: 'MaxStorage' },
    });
  });
});

describe('cacheClusterProblems', () => {
  test('a setup ElastiCache accepts has no problems', () => {
    expect(cacheClusterProblems(validCache)).toEqual([]);
  });

  test('reports every problem at once, in table order, each at its field', () => {
    const problems = cacheClusterProblems({
      replicationGroupId: 'ends-with-',
      clusterMode: false,
      shards: 2,
      replicasPerShard: 0,
      multiAz: true,
      snapshotRetentionDays: -1,
    });
    expect(problems.map((p) => p.path.join('.'))).toEqual([
      'replicationGroupId',
      'replicasPerShard',
      'shards',
      'snapshotRetentionDays',
    ]);
  });

  test('skips tokens instead of testing their placeholder text', () => {
    const count = Token.asNumber({ Ref: 'Count' });
    expect(
      cacheClusterProblems({
        replicationGroupId: Token.asString({ Ref: 'Id' }),
        clusterMode: false,
        shards: count,
        replicasPerShard: count,
        multiAz: true,
        snapshotRetentionDays: count,
      }),
    ).toEqual([]);
  });

  test('the construct lists two bad props in one error', () => {
    const message = thrown(() => testCache(() => ({ replicasPerShard: 6, snapshotRetentionDays: 40 })));
    expect(message).toMatch(
      /^Test\/Cache: 2 invalid props:\n {2}replicasPerShard: 6 replicas per shard.*\n {2}snapshotRetentionDays: 40 days/,
    );
  });

  test('the construct accepts tokens where the rules would reject their text', () => {
    const { stack } = testCache((s) => ({
      replicationGroupId: new CfnParameter(s, 'GroupId').valueAsString,
      snapshotRetentionDays: new CfnParameter(s, 'Snapshots', { type: 'Number' }).valueAsNumber,
    }));
    Template.fromStack(stack).hasResourceProperties('AWS::ElastiCache::ReplicationGroup', {
      ReplicationGroupId: { Ref: 'GroupId' },
      SnapshotRetentionLimit: { Ref: 'Snapshots' },
    });
  });
});

/**
 * The same broken value, once in an environment's config and once as construct props: the config
 * reports the construct's very message at `<section>.<field>`.
 */
describe('config and constructs say the same for the same rule', () => {
  type Case = [
    label: string,
    section: 'database' | 'cache',
    field: string,
    mutate: (config: EnvironmentConfigInput & Record<string, any>) => void,
    build: () => unknown,
  ];
  const cases: Case[] = [
    [
      'replicas without a standby',
      'database',
      'readReplicas',
      (c) => Object.assign(c.database, { multiAz: false, readReplicas: 1 }),
      () => testDatabase(() => ({ multiAz: false, readReplicas: 1 })),
    ],
    [
      'more replicas than other AZs',
      'database',
      'readReplicas',
      (c) => (c.database.readReplicas = 3),
      () => testDatabase(() => ({ readReplicas: 3 })),
    ],
    [
      'storage that cannot autoscale',
      'database',
      'maxAllocatedStorageGiB',
      (c) => Object.assign(c.database, { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 }),
      () => testDatabase(() => ({ allocatedStorageGiB: 100, maxAllocatedStorageGiB: 100 })),
    ],
    [
      'backups off',
      'database',
      'backupRetentionDays',
      (c) => (c.database.backupRetentionDays = 0),
      () => testDatabase(() => ({ backupRetentionDays: 0 })),
    ],
    [
      'a monitoring interval RDS rejects',
      'database',
      'monitoringIntervalSeconds',
      (c) => (c.database.monitoringIntervalSeconds = 20),
      () => testDatabase(() => ({ monitoringIntervalSeconds: 20 })),
    ],
    [
      'Multi-AZ without a replica',
      'cache',
      'replicasPerShard',
      (c) => Object.assign(c.cache, { multiAz: true, replicasPerShard: 0 }),
      () => testCache(() => ({ multiAz: true, replicasPerShard: 0 })),
    ],
    [
      'shards without cluster mode',
      'cache',
      'shards',
      (c) => Object.assign(c.cache, { clusterMode: false, shards: 3 }),
      () => testCache(() => ({ clusterMode: false, shards: 3 })),
    ],
    [
      'snapshots kept too long',
      'cache',
      'snapshotRetentionDays',
      (c) => (c.cache.snapshotRetentionDays = 40),
      () => testCache(() => ({ snapshotRetentionDays: 40 })),
    ],
  ];

  test.each(cases)('%s', (_label, section, field, mutate, build) => {
    const configMessages = schemaMessages(`${section}.${field}`, mutate);

    const constructMessage = thrown(build);
    const [, message] = constructMessage.match(new RegExp(`: ${field}: (.*)$`)) ?? [];
    expect(message).toBeDefined();
    expect(configMessages).toContain(message);
  });
});

/**
 * The config sets no identifiers: they derive from the Project tag (`resourcePrefixOf`). The schema
 * runs the identifier rules on the derived value and reports the construct's message at the tag.
 */
describe('identifiers derived from the Project tag are checked in config', () => {
  type Case = [label: string, project: string, field: string, build: (identifier: string) => unknown];
  const cases: Case[] = [
    [
      'the database identifier prefix',
      'Learning_Assistant',
      'identifierPrefix',
      (identifier) => testDatabase(() => ({ identifierPrefix: identifier })),
    ],
    [
      'the cache replication group id',
      // 41 characters with "-prod": RDS takes them, ElastiCache stops at 40.
      'learning-assistant-for-every-student',
      'replicationGroupId',
      (identifier) => testCache(() => ({ replicationGroupId: identifier })),
    ],
  ];

  test.each(cases)('%s', (_label, project, field, build) => {
    const configMessages = schemaMessages('tags.Project', (config) => (config.tags.Project = project));

    const [, message] = thrown(() => build(`${project}-prod`)).match(new RegExp(`: ${field}: (.*)$`)) ?? [];
    expect(message).toBeDefined();
    expect(configMessages).toEqual([expect.stringContaining(message ?? '')]);
    expect(configMessages[0]).toMatch(/change the Project tag to fit$/);
  });

  test('the committed Project tags derive identifiers both services accept', () => {
    for (const config of Object.values(environments)) {
      const issues = environmentConfigSchema.safeParse(config).error?.issues ?? [];
      expect(issues.filter((issue) => issue.path.join('.') === 'tags.Project')).toEqual([]);
    }
  });
});
