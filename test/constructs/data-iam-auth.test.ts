import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ValidationError } from '../../constructs/shared';
import { testCache, testDatabase } from '../support/builders';

type Statement = { Action: string | string[]; Resource: unknown };

/** The statements of `role`'s policies (inline-attached or customer-managed, as `ServiceRole` makes) in `t`. */
function statementsOf(t: Template, rolePrefix: string): Statement[] {
  return [
    ...Object.values(t.findResources('AWS::IAM::Policy')),
    ...Object.values(t.findResources('AWS::IAM::ManagedPolicy')),
  ]
    .filter((p) => JSON.stringify(p.Properties.Roles).includes(rolePrefix))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** `arn:<partition>:rds-db:<region>:<account>:dbuser:<resource id>/<user>` as CloudFormation writes it. */
function dbUserArn(resourceId: unknown, user: string) {
  return {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':rds-db:eu-west-1:123456789012:dbuser:', resourceId, `/${user}`],
    ],
  };
}
const proxyId = { 'Fn::Select': [6, { 'Fn::Split': [':', { 'Fn::GetAtt': ['DbProxy8FB1B91A', 'DBProxyArn'] }] }] };
const dbiResourceId = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'DbiResourceId'] });

/** Every `rds-db:connect` resource granted to the role, flattened. */
function connectResources(t: Template, rolePrefix: string): unknown[] {
  return statementsOf(t, rolePrefix)
    .filter((s) => s.Action === 'rds-db:connect')
    .flatMap((s) => [s.Resource].flat());
}

describe('PostgresDatabase end-to-end IAM authentication', () => {
  test('the proxy requires IAM end to end and holds no secret', () => {
    const t = Template.fromStack(testDatabase().stack);
    const proxies = Object.values(t.findResources('AWS::RDS::DBProxy'));
    expect(proxies).toHaveLength(1);
    const props = proxies[0]?.Properties;
    expect(props).toMatchObject({ DefaultAuthScheme: 'IAM_AUTH', RequireTLS: true, EngineFamily: 'POSTGRESQL' });
    // No Auth entry: no secret for the proxy to read, and no way for a client in without IAM.
    expect(props.Auth).toBeUndefined();
    // The master secret's only consumers are the instance, the rotation and administrators.
    const proxyRole = statementsOf(t, 'DbProxyRole');
    expect(proxyRole.length).toBeGreaterThan(0);
    expect(proxyRole.flatMap((s) => [s.Action].flat()).every((a) => a === 'rds-db:connect')).toBe(true);
  });

  test("the proxy's role may log in to the primary as the two application users only", () => {
    const t = Template.fromStack(testDatabase({ readReplicas: 1 }).stack);
    const primary = Object.entries(t.findResources('AWS::RDS::DBInstance')).find(
      ([, r]) => r.Properties.SourceDBInstanceIdentifier === undefined,
    )![0];
    expect(connectResources(t, 'DbProxyRole')).toEqual([
      dbUserArn(dbiResourceId(primary), 'app_writer'),
      dbUserArn(dbiResourceId(primary), 'app_reader'),
    ]);
    // The role's policy exists before the proxy connects.
    t.hasResource('AWS::RDS::DBProxy', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^DbProxyRolePolicy')]) });
    expect(primary).not.toMatch(/Replica/);
  });

  test('writers connect through the proxy as the writer user, nothing else', () => {
    const { stack, db } = testDatabase({ readReplicas: 2 });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantConnectAsWriter(role);
    expect(connectResources(Template.fromStack(stack), 'App')).toEqual([dbUserArn(proxyId, 'app_writer')]);
    expect(db.writerUser).toBe('app_writer');
  });

  test("readers connect as the reader user to each replica's DbiResourceId and to the proxy (fallback)", () => {
    const { stack, db } = testDatabase({ readReplicas: 2 });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantConnectAsReader(role);
    expect(connectResources(Template.fromStack(stack), 'App')).toEqual([
      dbUserArn(proxyId, 'app_reader'),
      // Not the instance ARN aws-cdk-lib's replica grantConnect gives without its feature flag.
      dbUserArn(dbiResourceId('DbReplicasReplica1D59B62DA'), 'app_reader'),
      dbUserArn(dbiResourceId('DbReplicasReplica2B6478258'), 'app_reader'),
    ]);
    expect(db.readerUser).toBe('app_reader');
  });

  test('without replicas readers connect through the proxy only', () => {
    const { stack, db } = testDatabase();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantConnectAsReader(role);
    expect(connectResources(Template.fromStack(stack), 'App')).toEqual([dbUserArn(proxyId, 'app_reader')]);
  });

  test('user names are props, used by the grants and the proxy role alike', () => {
    const { stack, db } = testDatabase({ writerUser: 'shop_rw', readerUser: 'shop_ro' });
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    db.grantConnectAsWriter(role);
    db.grantConnectAsReader(role);
    const t = Template.fromStack(stack);
    expect(JSON.stringify(connectResources(t, 'App'))).not.toContain('app_');
    expect(JSON.stringify(connectResources(t, 'DbProxyRole'))).toMatch(/shop_rw.*shop_ro/);
  });

  test.each([
    ['an upper-case name', { writerUser: 'App_Writer' }, /writerUser: "App_Writer" is not an application user name/],
    ['a reserved prefix', { readerUser: 'rds_reader' }, /readerUser: "rds_reader" is not an application user name/],
    ['one user for both', { writerUser: 'app', readerUser: 'app' }, /readerUser: "app" is also the writer user/],
    ['the master user', { writerUser: 'app_admin' }, /writerUser: "app_admin" is the master user/],
  ])('rejects %s', (_label, overrides, message) => {
    expect(() => testDatabase(overrides)).toThrow(ValidationError);
    expect(() => testDatabase(overrides)).toThrow(message);
  });

  test('allowAdministrationFrom opens the primary itself, for the bootstrap and administrators', () => {
    const { stack, db, vpc } = testDatabase();
    const admin = new ec2.SecurityGroup(stack, 'Admin', { vpc, allowAllOutbound: false });
    db.allowAdministrationFrom(admin);
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DbSecurityGroupsPrimary'), 'GroupId'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Admin'), 'GroupId'] },
      FromPort: 5432,
      ToPort: 5432,
    });
  });
});

describe('CacheCluster IAM authentication', () => {
  test('grantConnect allows elasticache:Connect on the replication group and the application user only', () => {
    const { stack, cache } = testCache();
    const role = new iam.Role(stack, 'App', { assumedBy: new iam.ServicePrincipal('ecs-tasks.amazonaws.com') });
    cache.grantConnect(role);
    const arn = (type: string, ref: string) => ({
      'Fn::Join': [
        '',
        ['arn:', { Ref: 'AWS::Partition' }, `:elasticache:eu-west-1:123456789012:${type}:`, { Ref: ref }],
      ],
    });
    const appUser = Object.keys(Template.fromStack(stack).findResources('AWS::ElastiCache::User')).find((id) =>
      id.startsWith('CacheAccessAppUser'),
    )!;
    expect(statementsOf(Template.fromStack(stack), 'App')).toEqual([
      {
        Action: 'elasticache:Connect',
        Effect: 'Allow',
        Resource: [arn('replicationgroup', 'Cache18F6EE16'), arn('user', appUser)],
      },
    ]);
    expect(cache.username).toBe('test-cache-app-iam');
    expect(cache.replicationGroupId).toBe('test-cache');
  });
});
