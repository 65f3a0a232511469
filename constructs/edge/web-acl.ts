import { ArnFormat, Lazy, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ValidationError } from '../shared/errors';

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
        },
      },
    };
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
}

/** Properties of a {@link WebAcl}. */
export interface WebAclProps {
  /** Name of the web ACL; the log group is `aws-waf-logs-<name>`. */
  readonly name: string;
  /**
   * `CLOUDFRONT` (the stack must be in us-east-1) or `REGIONAL`.
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

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    const aclScope = props.scope ?? 'CLOUDFRONT';
    if (aclScope === 'CLOUDFRONT' && !Stack.of(this).region.startsWith('us-east-1')) {
      throw new ValidationError(
        this,
        `a CLOUDFRONT web ACL must be created in us-east-1, not ${Stack.of(this).region}; put it in the environment's edge stack`,
      );
    }
    this.webAcl = new wafv2.CfnWebACL(this, 'Resource', {
      name: props.name,
      scope: aclScope,
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: props.name },
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
