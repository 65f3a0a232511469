import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CLOUDFRONT_REGION, WebAcl } from '../../constructs/edge';
import { SAVED_QUERY_COMMANDS, SLOW_STATEMENT_PATTERN, SavedQueries } from '../../constructs/observability';
import { testStack, thrown } from '../support/test-stack';

function regional() {
  const stack = testStack();
  const app = new logs.LogGroup(stack, 'AppLogs');
  const primary = logs.LogGroup.fromLogGroupName(stack, 'Primary', '/aws/rds/instance/test-app-primary/postgresql');
  const replica = logs.LogGroup.fromLogGroupName(stack, 'Replica', '/aws/rds/instance/test-app-replica-1/postgresql');
  return { stack, app, primary, replica };
}

/** The query definitions by name, tokens resolved. */
function definitions(stack: Stack): Record<string, { QueryString: string; LogGroupNames: unknown[] }> {
  const found = Template.fromStack(stack).findResources('AWS::Logs::QueryDefinition');
  return Object.fromEntries(
    Object.values(found).map((resource) => {
      const props = stack.resolve(resource.Properties) as {
        Name: string;
        QueryString: string;
        LogGroupNames: unknown[];
      };
      return [props.Name, { QueryString: props.QueryString, LogGroupNames: props.LogGroupNames }];
    }),
  );
}

describe('SavedQueries', () => {
  test('application and database questions, each over its own log groups, in the folder', () => {
    const { stack, app, primary, replica } = regional();
    new SavedQueries(stack, 'Queries', {
      folder: 'shop-prod',
      appLogGroup: app,
      databaseLogGroups: [primary, replica],
    });
    const appGroup = { Ref: stack.getLogicalId(app.node.defaultChild as logs.CfnLogGroup) };
    expect(definitions(stack)).toEqual({
      'shop-prod/Slowest requests': {
        QueryString: SAVED_QUERY_COMMANDS.slowestRequests(50).join('\n| '),
        LogGroupNames: [appGroup],
      },
      'shop-prod/Errors by route': {
        QueryString: SAVED_QUERY_COMMANDS.errorsByRoute().join('\n| '),
        LogGroupNames: [appGroup],
      },
      'shop-prod/Database slow statements': {
        QueryString: SAVED_QUERY_COMMANDS.slowStatements(50).join('\n| '),
        LogGroupNames: [
          '/aws/rds/instance/test-app-primary/postgresql',
          '/aws/rds/instance/test-app-replica-1/postgresql',
        ],
      },
    });
  });

  test('the queries read the fields the app, WAF and PostgreSQL write, in Logs Insights order', () => {
    const slowest = SAVED_QUERY_COMMANDS.slowestRequests(20);
    expect(slowest).toEqual([
      'fields @timestamp, route, status, durationMs, msg',
      'filter ispresent(durationMs)',
      'sort durationMs desc',
      'limit 20',
    ]);
    expect(SAVED_QUERY_COMMANDS.errorsByRoute().join(' ')).toMatch(/level = "error".*status >= 500.*by route/);
    expect(SAVED_QUERY_COMMANDS.wafBlocksByRule().join(' ')).toMatch(/action = "BLOCK".*by terminatingRuleId/);
    // A computed field needs the parse before it: the order aws-cdk-lib's QueryString cannot give.
    const slow = SAVED_QUERY_COMMANDS.slowStatements(50);
    expect(slow.findIndex((c) => c.startsWith('parse'))).toBeLessThan(slow.findIndex((c) => c.startsWith('fields')));
  });

  test('the slow-statement pattern parses the duration lines PostgreSQL writes on RDS', () => {
    const pattern = /^\/(.*)\/$/.exec(SLOW_STATEMENT_PATTERN)?.[1] ?? '';
    const parse = (line: string) => new RegExp(pattern).exec(line)?.groups;
    const prefix = '2025-05-01 10:00:00 UTC:10.0.1.23(54321):app@appdb:[12345]:LOG:  ';
    expect(parse(`${prefix}duration: 1523.456 ms  statement: SELECT * FROM lessons WHERE id = 1`)).toEqual({
      durationMs: '1523.456',
      statement: 'statement: SELECT * FROM lessons WHERE id = 1',
    });
    expect(parse(`${prefix}duration: 812.004 ms  execute <unnamed>: SELECT 1`)).toEqual({
      durationMs: '812.004',
      statement: 'execute <unnamed>: SELECT 1',
    });
    expect(parse(`${prefix}connection authorized: user=app database=appdb`)).toBeUndefined();
    // The filter picks the same lines.
    expect(new RegExp('duration: [0-9.]+ ms').test(`${prefix}duration: 1.5 ms  statement: SELECT 1`)).toBe(true);
  });

  test('WAF blocks by rule over the web ACL log group, in a stack of its region', () => {
    const edge = testStack({ id: 'Edge', region: CLOUDFRONT_REGION });
    const acl = new WebAcl(edge, 'Acl', { name: 'shop-prod', logEncryptionKey: new kms.Key(edge, 'Key') });
    const queries = new SavedQueries(edge, 'Queries', { folder: 'shop-prod', wafLogGroup: acl.logGroup, limit: 10 });
    expect(queries.queries.slowestRequests).toBeUndefined();
    expect(definitions(edge)).toEqual({
      'shop-prod/WAF blocks by rule': {
        QueryString: SAVED_QUERY_COMMANDS.wafBlocksByRule().join('\n| '),
        LogGroupNames: [{ Ref: edge.getLogicalId(acl.logGroup.node.defaultChild as logs.CfnLogGroup) }],
      },
    });
  });

  test('log groups of another region or none at all are validation errors', () => {
    const app = new App();
    const edge = new Stack(app, 'Edge', { env: { account: '123456789012', region: CLOUDFRONT_REGION } });
    const regionalStack = new Stack(app, 'Regional', { env: { account: '123456789012', region: 'eu-west-1' } });
    const waf = new logs.LogGroup(edge, 'WafLogs', { logGroupName: 'aws-waf-logs-shop' });
    expect(thrown(() => new SavedQueries(regionalStack, 'Queries', { folder: 'shop', wafLogGroup: waf }))).toContain(
      'are in us-east-1, not eu-west-1',
    );
    expect(thrown(() => new SavedQueries(regionalStack, 'None', { folder: 'shop' }))).toContain('no log group');
  });
});
