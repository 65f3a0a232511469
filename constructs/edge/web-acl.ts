import { ArnFormat, Lazy, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';
import { CLOUDFRONT_REGION } from './cloudfront-region';

/** What a rule does with a request it matches. */
export enum WebAclRuleAction {
  BLOCK = 'block',
  COUNT = 'count',
  ALLOW = 'allow',
}

/**
 * One rule of a {@link WebAcl}. Build one with the static helpers or write the statement yourself:
 * another team adds its rule with `webAcl.addRule(...)`, without editing the construct.
 */
export interface WebAclRule {
  /** Unique name, also the CloudWatch metric name. */
  readonly name: string;
  /** Evaluation order; lower first. Unique within the web ACL. */
  readonly priority: number;
  /** The WAF statement. */
  readonly statement: wafv2.CfnWebACL.StatementProperty;
  /**
   * For a custom statement: what to do on a match. Ignored for managed rule groups.
   *
   * @default WebAclRuleAction.BLOCK
   */
  readonly action?: WebAclRuleAction;
  /**
   * For a managed rule group: only count its matches instead of applying its actions (for a trial).
   *
   * @default false
   */
  readonly countOnly?: boolean;
}

/** Builders for common rules. */
export class WebAclRules {
  /** An AWS managed rule group, e.g. `AWSManagedRulesCommonRuleSet`. */
  public static awsManaged(
    name: string,
    priority: number,
    options: {
      excludedRules?: string[];
      /** Rules of the group that only count, e.g. a body-size rule an app with uploads cannot live with. */
      countRules?: string[];
      countOnly?: boolean;
      managedRuleGroupConfigs?: wafv2.CfnWebACL.ManagedRuleGroupConfigProperty[];
      /** Only requests matching this statement are evaluated by the group. */
      scopeDownStatement?: wafv2.CfnWebACL.StatementProperty;
    } = {},
  ): WebAclRule {
    return {
      name,
      priority,
      countOnly: options.countOnly,
      statement: {
        managedRuleGroupStatement: {
          vendorName: 'AWS',
          name,
          excludedRules: options.excludedRules?.map((rule) => ({ name: rule })),
          ruleActionOverrides: options.countRules?.map((rule) => ({ name: rule, actionToUse: { count: {} } })),
          managedRuleGroupConfigs: options.managedRuleGroupConfigs,
          scopeDownStatement: options.scopeDownStatement,
        },
      },
    };
  }

  /**
   * A statement matching every request whose path does not start with one of `prefixes` (e.g.
   * `/api/`), for a rule's scope-down. The path is URL-decoded and normalized first, so
   * `/api/..%2Fadmin` is `/admin`, not an excluded path.
   */
  public static pathNotUnder(prefixes: readonly string[]): wafv2.CfnWebACL.StatementProperty {
    const invalid = prefixes.filter((prefix) => !/^\/\S*$/.test(prefix));
    if (prefixes.length === 0 || invalid.length > 0) {
      throw new Error(
        `path prefixes must be at least one, each starting with '/' and without spaces; got ${JSON.stringify(prefixes)}`,
      );
    }
    const under = prefixes.map((prefix): wafv2.CfnWebACL.StatementProperty => ({
      byteMatchStatement: {
        fieldToMatch: { uriPath: {} },
        positionalConstraint: 'STARTS_WITH',
        searchString: prefix,
        textTransformations: [
          { priority: 0, type: 'URL_DECODE' },
          { priority: 1, type: 'NORMALIZE_PATH' },
        ],
      },
    }));
    // WAF's OR statement needs at least two statements.
    const [only] = under;
    return { notStatement: { statement: under.length === 1 && only ? only : { orStatement: { statements: under } } } };
  }

  /** Blocks a client IP that sends more than `limit` requests in `windowSeconds`. */
  public static rateLimitPerIp(name: string, priority: number, limit: number, windowSeconds = 300): WebAclRule {
    return {
      name,
      priority,
      action: WebAclRuleAction.BLOCK,
      statement: { rateBasedStatement: { limit, aggregateKeyType: 'IP', evaluationWindowSec: windowSeconds } },
    };
  }

  /** Blocks requests from the given countries (ISO 3166 alpha-2 codes). */
  public static blockCountries(name: string, priority: number, countryCodes: string[]): WebAclRule {
    return {
      name,
      priority,
      action: WebAclRuleAction.BLOCK,
      statement: { geoMatchStatement: { countryCodes } },
    };
  }

  /**
   * The baseline rule set for a web application, in evaluation order: the cheap IP checks first, then
   * AWS managed rule groups.
   *
   * | Priority | Rule | |
   * | --- | --- | --- |
   * | 0 | `RateLimitPerIp` | blocks an IP above `rateLimitPerFiveMinutes` |
   * | 1 | `BlockedCountries` | only with `blockedCountries` |
   * | 10 | `AWSManagedRulesAmazonIpReputationList` | |
   * | 20 | `AWSManagedRulesAnonymousIpList` | only with `anonymousIpList`; `HostingProviderIPList` only counts |
   * | 30 | `AWSManagedRulesCommonRuleSet` | `SizeRestrictions_BODY` only counts |
   * | 40 | `AWSManagedRulesKnownBadInputsRuleSet` | |
   * | 50 | `AWSManagedRulesSQLiRuleSet` | |
   * | 60 | `AWSManagedRulesBotControlRuleSet` | only with `botControl`; common level; not on `botControlExcludedPathPrefixes` |
   *
   * The gaps between priorities leave room for rules added with {@link WebAcl.addRule}.
   */
  public static baseline(props: BaselineWebAclRulesProps): WebAclRule[] {
    const blockedCountries = props.blockedCountries ?? [];
    return [
      WebAclRules.rateLimitPerIp('RateLimitPerIp', 0, props.rateLimitPerFiveMinutes),
      ...(blockedCountries.length > 0
        ? [WebAclRules.blockCountries('BlockedCountries', 1, [...blockedCountries])]
        : []),
      WebAclRules.awsManaged('AWSManagedRulesAmazonIpReputationList', 10),
      // Hosting-provider addresses include Route 53's health checkers and many API clients: count, not block.
      ...(props.anonymousIpList === true
        ? [WebAclRules.awsManaged('AWSManagedRulesAnonymousIpList', 20, { countRules: ['HostingProviderIPList'] })]
        : []),
      // The 8 KB body limit would refuse uploads and larger form posts.
      WebAclRules.awsManaged('AWSManagedRulesCommonRuleSet', 30, { countRules: ['SizeRestrictions_BODY'] }),
      WebAclRules.awsManaged('AWSManagedRulesKnownBadInputsRuleSet', 40),
      WebAclRules.awsManaged('AWSManagedRulesSQLiRuleSet', 50),
      ...(props.botControl === true
        ? [
            WebAclRules.awsManaged('AWSManagedRulesBotControlRuleSet', 60, {
              managedRuleGroupConfigs: [{ awsManagedRulesBotControlRuleSet: { inspectionLevel: 'COMMON' } }],
              // Its signal rules block any client that is not a browser (SignalNonBrowserUserAgent,
              // CategoryHttpLibrary, SignalKnownBotDataCenter for requests from cloud addresses): on
              // the API that is the health checker and every legitimate API client.
              scopeDownStatement: botControlScope(
                props.botControlExcludedPathPrefixes ?? DEFAULT_BOT_CONTROL_EXCLUDED,
                props.botControlExemptUserAgents ?? [],
              ),
            }),
          ]
        : []),
    ];
  }
}

/** Settings of the baseline rule set, {@link WebAclRules.baseline}. */
export interface BaselineWebAclRulesProps {
  /** Requests a client IP may send in 5 minutes before its requests are blocked. */
  readonly rateLimitPerFiveMinutes: number;
  /**
   * Countries whose requests are blocked (ISO 3166 alpha-2 codes).
   *
   * @default - none
   */
  readonly blockedCountries?: readonly string[];
  /**
   * AWS's anonymous IP list (VPNs, Tor, hosting providers; hosting providers only counted).
   *
   * @default false
   */
  readonly anonymousIpList?: boolean;
  /**
   * AWS Bot Control at the common inspection level (charged per request).
   *
   * @default false
   */
  readonly botControl?: boolean;
  /**
   * Path prefixes Bot Control does not inspect. Bot Control blocks every client that does not look like
   * a browser, which is what API routes serve: Route 53 health checkers (`/api/health`), mobile apps,
   * integrations. Those paths keep every other rule (rate limit, IP reputation, common, bad inputs,
   * SQL injection). An empty list lets Bot Control inspect every path.
   *
   * @default ['/api/']
   */
  readonly botControlExcludedPathPrefixes?: readonly string[];
  /**
   * User-agent prefixes Bot Control does not inspect, on any path: your own monitors, which are not
   * browsers and run from cloud addresses, e.g. a CloudWatch Synthetics canary
   * (`CloudWatchSynthetics/arn:aws:synthetics:<region>:<account>:canary:<name>`, AWS's documented
   * exception). A user agent can be forged: the exemption only lifts Bot Control; every other rule
   * (rate limit, reputation, common, bad inputs, SQL injection) still applies.
   *
   * @default - none
   */
  readonly botControlExemptUserAgents?: readonly string[];
}

/** The API: called by programs, which Bot Control's signal rules would block. */
const DEFAULT_BOT_CONTROL_EXCLUDED: readonly string[] = ['/api/'];

/**
 * Bot Control's scope-down: every path but the excluded prefixes, from every client but the exempt
 * user agents; none when nothing is excluded.
 */
function botControlScope(
  excluded: readonly string[],
  exemptUserAgents: readonly string[],
): wafv2.CfnWebACL.StatementProperty | undefined {
  const statements = [
    ...(excluded.length > 0 ? [WebAclRules.pathNotUnder(excluded)] : []),
    ...(exemptUserAgents.length > 0 ? [userAgentNotStartingWith(exemptUserAgents)] : []),
  ];
  // WAF's AND statement needs at least two statements.
  const [first] = statements;
  return statements.length > 1 ? { andStatement: { statements } } : first;
}

/** Requests whose User-Agent header starts with none of `prefixes` (compared as sent: no transformation). */
function userAgentNotStartingWith(prefixes: readonly string[]): wafv2.CfnWebACL.StatementProperty {
  const matches = prefixes.map((prefix): wafv2.CfnWebACL.StatementProperty => ({
    byteMatchStatement: {
      fieldToMatch: { singleHeader: { Name: 'user-agent' } },
      positionalConstraint: 'STARTS_WITH',
      searchString: prefix,
      textTransformations: [{ priority: 0, type: 'NONE' }],
    },
  }));
  const [only] = matches;
  return {
    notStatement: { statement: matches.length === 1 && only ? only : { orStatement: { statements: matches } } },
  };
}

/** Properties of a {@link WebAcl}. */
export interface WebAclProps {
  /** Name of the web ACL; the log group is `aws-waf-logs-<name>`. */
  readonly name: string;
  /**
   * `CLOUDFRONT` (the stack must be in {@link CLOUDFRONT_REGION}: checked when the stack's region is
   * known at synthesis, left to the deployment when it is environment-agnostic) or `REGIONAL`.
   *
   * @default 'CLOUDFRONT'
   */
  readonly scope?: 'CLOUDFRONT' | 'REGIONAL';
  /**
   * Rules to start with; more can be added with {@link WebAcl.addRule}.
   *
   * @default - none
   */
  readonly rules?: WebAclRule[];
  /** Encrypts the log group; must allow CloudWatch Logs of the stack's region. */
  readonly logEncryptionKey: kms.IKey;
  /**
   * Retention of the WAF logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Request headers never written to the logs.
   *
   * @default ['authorization', 'cookie']
   */
  readonly redactedHeaders?: string[];
}

/**
 * A WAF web ACL that allows by default and applies an ordered, extensible list of rules, with
 * every request logged to an encrypted CloudWatch log group, credentials redacted.
 */
export class WebAcl extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** Its ARN, for a CloudFront distribution's `webAclId`. */
  public readonly webAclArn: string;
  /** The log group receiving its logs. */
  public readonly logGroup: logs.ILogGroup;
  private readonly rules: WebAclRule[] = [];
  private readonly aclScope: 'CLOUDFRONT' | 'REGIONAL';
  /** The web ACL's CloudWatch metric name, its metrics' `WebACL` dimension. */
  private readonly metricName: string;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    this.aclScope = props.scope ?? 'CLOUDFRONT';
    this.metricName = props.name;
    const region = Stack.of(this).region;
    // An environment-agnostic stack's region is a token, known only at deployment: nothing to check.
    if (this.aclScope === 'CLOUDFRONT' && !Token.isUnresolved(region) && region !== CLOUDFRONT_REGION) {
      throw new ValidationError(
        this,
        `a CLOUDFRONT web ACL must be created in ${CLOUDFRONT_REGION}, not ${region}; put it in the environment's edge stack`,
      );
    }
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: props.name,
      scope: this.aclScope,
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: this.metricName },
      rules: Lazy.any({ produce: () => this.renderRules() }, { omitEmptyArray: false }),
    });
    this.webAclArn = this.webAcl.attrArn;
    for (const rule of props.rules ?? []) {
      this.addRule(rule);
    }

    // WAF only delivers to log groups whose name starts with aws-waf-logs-.
    const logGroupName = `aws-waf-logs-${props.name}`;
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName,
      encryptionKey: props.logEncryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    const logging = new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [
        Stack.of(this).formatArn({
          service: 'logs',
          resource: 'log-group',
          resourceName: logGroupName,
          // WAF wants the group's ARN without the trailing ':*' that LogGroup.logGroupArn carries.
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      ],
      redactedFields: (props.redactedHeaders ?? ['authorization', 'cookie']).map((name) => ({
        singleHeader: { Name: name },
      })),
    });
    logging.node.addDependency(this.logGroup);
  }

  /** Adds a rule. Names and priorities must be unique. */
  public addRule(rule: WebAclRule): void {
    const clash = this.rules.find((r) => r.name === rule.name || r.priority === rule.priority);
    if (clash) {
      throw new ValidationError(
        this,
        `rule "${rule.name}" (priority ${rule.priority}) clashes with "${clash.name}" (priority ${clash.priority}); names and priorities must be unique`,
      );
    }
    if (!/^[A-Za-z0-9_-]{1,128}$/.test(rule.name)) {
      throw new ValidationError(this, `rule name "${rule.name}" must be 1 to 128 letters, digits, '_' or '-'`);
    }
    this.rules.push(rule);
  }

  /** Names of the rules, in evaluation order. */
  public get ruleNames(): string[] {
    return [...this.rules].sort((a, b) => a.priority - b.priority).map((rule) => rule.name);
  }

  /**
   * Return the given named metric of this web ACL, all rules together (dimension `Rule` = `ALL`).
   *
   * WAF publishes in the `AWS/WAFV2` namespace with the dimensions `WebACL` and `Rule`, plus `Region`
   * for a REGIONAL web ACL; a CLOUDFRONT web ACL's metrics have no `Region` dimension and are stored in
   * {@link CLOUDFRONT_REGION}, which the metric names as its region.
   *
   * @default - sum over 5 minutes
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.wafMetric(metricName, 'ALL', props);
  }

  /**
   * Metric for the number of requests the web ACL allowed, by a rule or by its default action.
   *
   * @default - sum over 5 minutes
   */
  public metricAllowedRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.metric('AllowedRequests', props);
  }

  /**
   * Metric for the number of requests the web ACL blocked, all rules together.
   *
   * @default - sum over 5 minutes
   */
  public metricBlockedRequests(props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    return this.metric('BlockedRequests', props);
  }

  /**
   * Metric for the number of requests one rule of this web ACL blocked (dimension `Rule` = the rule's
   * metric name, which is its name). A managed rule group that only counts blocks nothing.
   *
   * @param ruleName name of a rule already added to this web ACL.
   * @default - sum over 5 minutes
   */
  public metricRuleBlockedRequests(ruleName: string, props?: cloudwatch.MetricOptions): cloudwatch.IMetric {
    if (!this.rules.some((rule) => rule.name === ruleName)) {
      throw new ValidationError(
        this,
        `no rule "${ruleName}" in this web ACL; its rules are ${this.ruleNames.join(', ')}`,
      );
    }
    return this.wafMetric('BlockedRequests', ruleName, props);
  }

  private wafMetric(metricName: string, rule: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    const cloudFront = this.aclScope === 'CLOUDFRONT';
    return new cloudwatch.Metric({
      namespace: 'AWS/WAFV2',
      metricName,
      statistic: cloudwatch.Stats.SUM,
      region: cloudFront ? CLOUDFRONT_REGION : undefined,
      ...props,
      dimensionsMap: {
        WebACL: this.metricName,
        Rule: rule,
        ...(cloudFront ? {} : { Region: Stack.of(this).region }),
        ...props?.dimensionsMap,
      },
    });
  }

  private renderRules(): wafv2.CfnWebACL.RuleProperty[] {
    return [...this.rules]
      .sort((a, b) => a.priority - b.priority)
      .map((rule) => {
        const managed = rule.statement.managedRuleGroupStatement !== undefined;
        return {
          name: rule.name,
          priority: rule.priority,
          statement: rule.statement,
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: rule.name },
          ...(managed
            ? { overrideAction: rule.countOnly === true ? { count: {} } : { none: {} } }
            : { action: { [rule.action ?? WebAclRuleAction.BLOCK]: {} } }),
        };
      });
  }
}
