import { Stack, Token } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';

/** Properties of {@link SavedQueries}. */
export interface SavedQueriesProps {
  /**
   * Folder of the queries in the Logs Insights console: each query is named `<folder>/<question>`
   * (the console shows a `/` in a name as a folder), e.g. `shop-prod`.
   */
  readonly folder: string;
  /**
   * The application's log group. The app logs one JSON object per line with at least `level`
   * (`error` for errors), `msg`, `route` (the route pattern, not the raw path), `status` (the HTTP
   * status it answered) and `durationMs` (time to answer, in milliseconds) on each request line;
   * Logs Insights discovers JSON fields by themselves.
   *
   * @default - no application queries
   */
  readonly appLogGroup?: logs.ILogGroup;
  /**
   * The web ACL's log group (`aws-waf-logs-*`), whose records WAF writes as JSON with `action`
   * (`ALLOW`, `BLOCK`, `COUNT`...), `terminatingRuleId` and `httpRequest`. A CLOUDFRONT web ACL
   * logs in us-east-1: make these queries in a stack there.
   *
   * @default - no WAF query
   */
  readonly wafLogGroup?: logs.ILogGroup;
  /**
   * The PostgreSQL log groups (`/aws/rds/instance/<id>/postgresql`) of the primary and the
   * replicas. Statements show up there when they ran longer than `log_min_duration_statement`, as
   * `duration: <ms> ms  statement: <sql>` (or `execute <name>: <sql>` for prepared statements).
   *
   * @default - no database query
   */
  readonly databaseLogGroups?: logs.ILogGroup[];
  /**
   * Rows each listing query returns.
   *
   * @default 50
   */
  readonly limit?: number;
}

/**
 * The regular expression the slow-statement query parses PostgreSQL's duration lines with (Logs
 * Insights takes named groups `(?<name>...)` as fields, as JavaScript does).
 */
export const SLOW_STATEMENT_PATTERN = String.raw`/duration: (?<durationMs>[0-9.]+) ms\s+(?<statement>.*)/`;

/**
 * The commands of each saved query, in the order Logs Insights runs them. Exported so that tests
 * and runbooks read the same text.
 */
export const SAVED_QUERY_COMMANDS = {
  slowestRequests: (limit: number) => [
    'fields @timestamp, route, status, durationMs, msg',
    'filter ispresent(durationMs)',
    'sort durationMs desc',
    `limit ${limit}`,
  ],
  errorsByRoute: () => [
    'filter level = "error" or status >= 500',
    'stats count(*) as errors by route, status',
    'sort errors desc',
  ],
  wafBlocksByRule: () => [
    'filter action = "BLOCK"',
    'stats count(*) as blocks by terminatingRuleId',
    'sort blocks desc',
  ],
  slowStatements: (limit: number) => [
    'filter @message like /duration: [0-9.]+ ms/',
    `parse @message ${SLOW_STATEMENT_PATTERN}`,
    // Parsed fields are strings: arithmetic makes the duration a number, so it sorts as one.
    'fields @timestamp, @logStream, durationMs * 1 as ms, statement',
    'sort ms desc',
    `limit ${limit}`,
  ],
};

/**
 * A query written as its commands. aws-cdk-lib's `QueryString` always renders `fields` before
 * `parse`, so a field computed from a parsed one cannot be expressed with it.
 */
class QueryCommands extends logs.QueryString {
  constructor(private readonly commands: string[]) {
    super();
  }

  public override toString(): string {
    return this.commands.join('\n| ');
  }
}

/**
 * CloudWatch Logs Insights saved queries for the common questions during an incident, one per log
 * group given: the slowest requests and the errors by route (application), the WAF blocks by rule,
 * the slowest database statements.
 *
 * A query definition names its log groups, which must be in the region of the stack it is created
 * in: a stack in another region cannot save a query over them. WAF logs of a CLOUDFRONT web ACL
 * are in us-east-1, so a second `SavedQueries` with only `wafLogGroup` goes in a stack there.
 */
export class SavedQueries extends Construct {
  /** The query definitions, by question. */
  public readonly queries: {
    readonly slowestRequests?: logs.QueryDefinition;
    readonly errorsByRoute?: logs.QueryDefinition;
    readonly wafBlocksByRule?: logs.QueryDefinition;
    readonly slowStatements?: logs.QueryDefinition;
  };

  constructor(scope: Construct, id: string, props: SavedQueriesProps) {
    super(scope, id);
    const limit = props.limit ?? 50;
    const groups = [props.appLogGroup, props.wafLogGroup, ...(props.databaseLogGroups ?? [])].filter(
      (group): group is logs.ILogGroup => group !== undefined,
    );
    if (groups.length === 0) {
      throw new ValidationError(this, 'no log group: give appLogGroup, wafLogGroup or databaseLogGroups');
    }
    const region = Stack.of(this).region;
    const elsewhere = groups.filter((group) => {
      const groupRegion = Stack.of(group).region;
      return !Token.isUnresolved(region) && !Token.isUnresolved(groupRegion) && groupRegion !== region;
    });
    if (elsewhere.length > 0) {
      throw new ValidationError(
        this,
        `log groups ${elsewhere.map((g) => g.node.path).join(', ')} are in ${Stack.of(elsewhere[0]).region}, not ${region}; a query definition reads log groups of its own region: make a SavedQueries in a stack there`,
      );
    }

    const query = (queryId: string, question: string, commands: string[], logGroups: logs.ILogGroup[]) =>
      new logs.QueryDefinition(this, queryId, {
        queryDefinitionName: `${props.folder}/${question}`,
        queryString: new QueryCommands(commands),
        logGroups,
      });
    const app = props.appLogGroup;
    const db = props.databaseLogGroups ?? [];
    this.queries = {
      slowestRequests:
        app && query('SlowestRequests', 'Slowest requests', SAVED_QUERY_COMMANDS.slowestRequests(limit), [app]),
      errorsByRoute: app && query('ErrorsByRoute', 'Errors by route', SAVED_QUERY_COMMANDS.errorsByRoute(), [app]),
      wafBlocksByRule:
        props.wafLogGroup &&
        query('WafBlocksByRule', 'WAF blocks by rule', SAVED_QUERY_COMMANDS.wafBlocksByRule(), [props.wafLogGroup]),
      slowStatements:
        db.length > 0
          ? query('SlowStatements', 'Database slow statements', SAVED_QUERY_COMMANDS.slowStatements(limit), db)
          : undefined,
    };
  }
}
