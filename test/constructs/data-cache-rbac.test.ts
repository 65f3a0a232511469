import { RemovalPolicy } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CacheEngine, type CacheClusterProps } from '../../constructs/data';
import { cacheClusterProblems } from '../../constructs/data/cache-rules';
import { ValidationError } from '../../constructs/shared';
import { testCache } from '../support/builders';

type Resource = { Properties: Record<string, unknown> };

/** The users of the one user group, resolved from the group's `Ref`s. */
function groupAndUsers(t: Template): { group: Resource; users: Resource[] } {
  const groups = Object.values(t.findResources('AWS::ElastiCache::UserGroup')) as Resource[];
  expect(groups).toHaveLength(1);
  const group = groups[0] as Resource;
  const all = t.findResources('AWS::ElastiCache::User') as Record<string, Resource>;
  const users = (group.Properties.UserIds as Array<{ Ref: string }>).map(({ Ref }) => all[Ref] as Resource);
  return { group, users };
}

function secretIdOf(password: unknown): string {
  // {{resolve:secretsmanager:<Ref>:SecretString:password::}}, as Fn::Join parts.
  const parts = (password as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return (parts.find((part) => typeof part === 'object') as { Ref: string }).Ref;
}

describe('CacheCluster role-based access control, per engine', () => {
  test('Redis OSS: a redis user group with a switched-off, passwordless "default" user and the IAM app user', () => {
    const t = Template.fromStack(testCache().stack);
    const { group, users } = groupAndUsers(t);
    expect(group.Properties.Engine).toBe('redis');
    expect(users.map((u) => u.Properties.Engine)).toEqual(['redis', 'redis']);
    const [defaultUser, app] = users;
    expect(defaultUser?.Properties).toMatchObject({
      UserName: 'default',
      AccessString: 'off -@all',
      AuthenticationMode: { Type: 'no-password-required' },
    });
    // IAM authentication: the user name must equal the user ID, and there is no password at all.
    expect(app?.Properties).toEqual({
      UserId: 'test-cache-app-iam',
      UserName: 'test-cache-app-iam',
      Engine: 'redis',
      AccessString: 'on ~* &* +@all -@admin -@dangerous',
      AuthenticationMode: { Type: 'iam' },
    });
    // No secret at all: the Redis default user needs no password, the application user has none.
    t.resourceCountIs('AWS::SecretsManager::Secret', 0);
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'redis', EngineVersion: '7.1' });
  });

  test('Valkey: a valkey user group of a password-protected, switched-off "default" user and the IAM app user', () => {
    const t = Template.fromStack(testCache({ engine: CacheEngine.VALKEY }).stack);
    const { group, users } = groupAndUsers(t);
    expect(group.Properties.Engine).toBe('valkey');
    expect(users.map((u) => u.Properties.Engine)).toEqual(['valkey', 'valkey']);
    // ElastiCache refuses a VALKEY user group holding a user without password or IAM authentication.
    expect(users.map((user) => (user.Properties.AuthenticationMode as { Type: string }).Type)).toEqual([
      'password',
      'iam',
    ]);
    const [defaultUser, app] = users;
    expect(defaultUser?.Properties).toMatchObject({ UserName: 'default', AccessString: 'off -@all' });
    // The disabled user's password comes from a secret of its own, never the application's.
    const passwordOf = (user: Resource | undefined) =>
      secretIdOf((user?.Properties.AuthenticationMode as { Passwords: unknown[] }).Passwords[0]);
    const defaultSecret = passwordOf(defaultUser);
    expect(defaultSecret).toMatch(/^CacheAccessDefaultUserPassword/);
    expect(app?.Properties).toMatchObject({ UserId: 'test-cache-app-iam', UserName: 'test-cache-app-iam' });
    t.resourceCountIs('AWS::SecretsManager::Secret', 1);
    t.hasResourceProperties('AWS::SecretsManager::Secret', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
      GenerateSecretString: { GenerateStringKey: 'password', PasswordLength: 64 },
    });
    // Valkey's own default version, not Redis OSS's 7.1 (ElastiCache has no Valkey 7.1).
    t.hasResourceProperties('AWS::ElastiCache::ReplicationGroup', { Engine: 'valkey', EngineVersion: '8.0' });
  });

  test("the disabled Valkey user's secret is kept with the cache and goes with a disposable one", () => {
    const kept = Template.fromStack(testCache({ engine: CacheEngine.VALKEY }).stack);
    expect(
      Object.entries(kept.findResources('AWS::SecretsManager::Secret')).map(([id, r]) => [
        id.slice(0, 20),
        r.DeletionPolicy,
      ]),
    ).toEqual([['CacheAccessDefaultUs', 'RetainExceptOnCreate']]);
    const disposable = Template.fromStack(
      testCache({ engine: CacheEngine.VALKEY, removalPolicy: RemovalPolicy.DESTROY }).stack,
    );
    expect(Object.values(disposable.findResources('AWS::SecretsManager::Secret')).map((r) => r.DeletionPolicy)).toEqual(
      ['Delete'],
    );
  });

  const invalid: Array<[string, Partial<CacheClusterProps>, RegExp]> = [
    [
      'Valkey at a Redis OSS version',
      { engine: CacheEngine.VALKEY, engineVersion: '7.1' },
      /engineVersion: "7.1" is not a valkey version ElastiCache runs with users and user groups .* use 7.2 or later/,
    ],
    [
      'Redis OSS at a Valkey version',
      { engine: CacheEngine.REDIS, engineVersion: '7.2' },
      /engineVersion: "7.2" is not a redis version .* use 6.0 to 7.1/,
    ],
    [
      'Redis OSS without IAM authentication',
      { engineVersion: '6.2' },
      /engineVersion: "6.2" has no IAM authentication, which the application user needs .* use redis 7.0 or later/,
    ],
    ['Redis OSS before users existed', { engineVersion: '5.0' }, /engineVersion: "5.0" is not a redis version/],
    ['a version without a minor', { engine: CacheEngine.VALKEY, engineVersion: '8' }, /"8" is not a valkey version/],
  ];
  test.each(invalid)('rejects %s', (_label, overrides, message) => {
    expect(() => testCache(overrides)).toThrow(ValidationError);
    expect(() => testCache(overrides)).toThrow(message);
  });

  test('a version without users reports that problem alone, not also the missing IAM authentication', () => {
    const layout = { clusterMode: false, shards: 1, replicasPerShard: 1, multiAz: true, snapshotRetentionDays: 7 };
    expect(cacheClusterProblems({ ...layout, engine: 'redis', engineVersion: '5.0' })).toHaveLength(1);
  });

  test.each([
    ['redis', '7.0'],
    ['redis', '7.1'],
    ['valkey', '7.2'],
    ['valkey', '8.1'],
  ] as const)('accepts %s %s', (engine, engineVersion) => {
    const layout = { clusterMode: false, shards: 1, replicasPerShard: 1, multiAz: true, snapshotRetentionDays: 7 };
    expect(cacheClusterProblems({ ...layout, engine, engineVersion })).toEqual([]);
  });
});
