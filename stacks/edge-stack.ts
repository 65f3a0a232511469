import { CfnOutput, Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { WebAcl, WebAclRules, WebDistribution, type BaselineWebAclRulesProps } from '../constructs/edge';
import { AlarmTopic, EdgeAlarms, SavedQueries, type EdgeAlarmThresholds } from '../constructs/observability';
import { EncryptionKey } from '../constructs/security';
import { EnvironmentStack, type EnvironmentStackProps } from './environment-stack';
import type { AlarmRecipientsProps } from './monitoring-stack';

/** The edge's alarms, in us-east-1 where CloudFront and its web ACL publish their metrics. */
export interface EdgeMonitoringProps {
  /** Who the alarms reach (the same people as the home region's). */
  readonly recipients: AlarmRecipientsProps;
  /** Thresholds. */
  readonly thresholds: EdgeAlarmThresholds;
  /**
   * CloudFront additional metrics (a monitoring subscription, billed per distribution), and the
   * origin latency alarm that needs them.
   */
  readonly additionalMetrics: boolean;
}

/** The environment's public DNS. */
export interface EdgeDomainProps {
  /** Zone name, e.g. `example.com`. */
  readonly zoneName: string;
  /** Hosted zone id: no lookups at synth time. */
  readonly hostedZoneId: string;
  /** Names within the zone the app answers to; `''` is the zone apex. */
  readonly recordNames: string[];
  /** Host name on the load balancer's certificate, e.g. `origin.example.com`. */
  readonly originDomainName: string;
}

/** Properties of an {@link EdgeStack}. */
export interface EdgeStackProps extends EnvironmentStackProps {
  /** Name prefix, e.g. `learning-assistant-prod`. */
  readonly name: string;
  /** The distribution's comment, e.g. the name and the product it serves. */
  readonly distributionComment: string;
  /** The app's internal load balancer (in the environment's region). */
  readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** Bucket for the CDN's standard logs (in the environment's region). */
  readonly logsBucket: s3.IBucket;
  /** Settings of the web ACL's baseline rule set ({@link WebAclRules.baseline}). */
  readonly waf: BaselineWebAclRulesProps;
  /** Distribution settings. */
  readonly priceClass: cloudfront.PriceClass;
  readonly geoRestriction?: cloudfront.GeoRestriction;
  readonly originShieldRegion?: string;
  readonly contentSecurityPolicy: string;
  /**
   * Public DNS; without it the app serves on the distribution's own name.
   *
   * @default - no domain
   */
  readonly domain?: EdgeDomainProps;
  /** Retention and removal of the WAF logs and their key. */
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** Administrators of the stack's KMS key (`EncryptionKey.administrators`). */
  readonly keyAdministrators: iam.IPrincipal[];
  /** The edge's alarms and who they reach. */
  readonly monitoring: EdgeMonitoringProps;
}

/**
 * The edge layer of one environment, in us-east-1 where CloudFront's web ACL and certificate must
 * live: the web ACL and its logs, the certificate, the distribution in front of the regional load
 * balancer, DNS records and a health check. It reads the regional stacks' values through weak
 * cross-stack references (`Fn::GetStackOutput`, which crosses regions), so no ARN is copied by hand
 * and no export locks the regional stacks.
 */
export class EdgeStack extends EnvironmentStack {
  public readonly webAcl: WebAcl;
  public readonly distribution: WebDistribution;
  public readonly certificate?: acm.ICertificate;
  /** The topic the edge alarms notify (us-east-1: alarms act on topics of their own region only). */
  public readonly alarmTopic: AlarmTopic;
  public readonly alarms: EdgeAlarms;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const logKey = new EncryptionKey(this, 'LogsKey', {
      description: `WAF logs of ${props.name}`,
      alias: `alias/${props.name}/edge-logs`,
      allowCloudWatchLogs: true,
      removalPolicy: props.removalPolicy,
      administrators: props.keyAdministrators,
    });
    this.webAcl = new WebAcl(this, 'WebAcl', {
      name: props.name,
      rules: WebAclRules.baseline(props.waf),
      logEncryptionKey: logKey,
      logRetention: props.logRetention,
      logRemovalPolicy: props.removalPolicy,
    });

    // WAF logs of a CLOUDFRONT web ACL are in us-east-1: so is their query.
    new SavedQueries(this, 'Queries', { folder: props.name, wafLogGroup: this.webAcl.logGroup });

    const { domain } = props;
    const zone =
      domain &&
      route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', {
        zoneName: domain.zoneName,
        hostedZoneId: domain.hostedZoneId,
      });
    const names = domain?.recordNames.map((record) =>
      record === '' ? domain.zoneName : `${record}.${domain.zoneName}`,
    );
    if (domain && zone && names) {
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: names[0] ?? domain.zoneName,
        subjectAlternativeNames: names.slice(1),
        validation: acm.CertificateValidation.fromDns(zone),
      });
    }

    this.distribution = new WebDistribution(this, 'Cdn', {
      name: props.name,
      comment: props.distributionComment,
      loadBalancer: props.loadBalancer,
      originTlsDomainName: domain?.originDomainName,
      webAclArn: this.webAcl.webAclArn,
      certificate: this.certificate,
      domainNames: names,
      priceClass: props.priceClass,
      geoRestriction: props.geoRestriction,
      originShieldRegion: props.originShieldRegion,
      contentSecurityPolicy: props.contentSecurityPolicy,
      logsBucket: props.logsBucket,
    });
    // Scoped to the distribution construct: the output keeps its key, CdnDistributionId466AEB97.
    new CfnOutput(this.distribution, 'DistributionId', {
      description: 'For cache invalidations after a deployment',
      value: this.distribution.distribution.distributionId,
    });

    const { monitoring } = props;
    if (monitoring.additionalMetrics) {
      new cloudfront.CfnMonitoringSubscription(this, 'AdditionalMetrics', {
        distributionId: this.distribution.distribution.distributionId,
        monitoringSubscription: { realtimeMetricsSubscriptionConfig: { realtimeMetricsSubscriptionStatus: 'Enabled' } },
      });
    }
    const alarmsKey = new EncryptionKey(this, 'AlarmsKey', {
      description: `Edge alarm topic of ${props.name}`,
      alias: `alias/${props.name}/edge-alarms`,
      removalPolicy: props.removalPolicy,
      administrators: props.keyAdministrators,
    });
    const { paging, emails, slack } = monitoring.recipients;
    this.alarmTopic = new AlarmTopic(this, 'Notifications', {
      topicName: `${props.name}-edge-notifications`,
      encryptionKey: alarmsKey,
      ...(paging ? { emails, slack } : {}),
    });
    this.alarms = new EdgeAlarms(this, 'Alarms', {
      alarmNamePrefix: props.name,
      distribution: this.distribution,
      webAcl: this.webAcl,
      originLatency: monitoring.additionalMetrics,
      thresholds: monitoring.thresholds,
      notificationTopic: paging ? this.alarmTopic.topic : undefined,
    });

    if (domain && zone && names) {
      const records = new Construct(this, 'Records');
      const target = route53.RecordTarget.fromAlias(new targets.CloudFrontTarget(this.distribution.distribution));
      domain.recordNames.forEach((record) => {
        // 'www' becomes Www: IDs follow the names, so reordering the list replaces no record.
        const recordId =
          record === ''
            ? 'Apex'
            : record
                .split(/[.-]/)
                .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
                .join('');
        const recordName = record === '' ? domain.zoneName : record;
        new route53.ARecord(records, `${recordId}A`, { zone, recordName, target });
        new route53.AaaaRecord(records, `${recordId}Aaaa`, { zone, recordName, target });
      });
      new route53.HealthCheck(this, 'HealthCheck', {
        type: route53.HealthCheckType.HTTPS,
        fqdn: names[0],
        port: 443,
        resourcePath: '/api/health',
        requestInterval: Duration.seconds(30),
        failureThreshold: 3,
        enableSNI: true,
        measureLatency: true,
      });
    }
  }
}
