import { Names } from 'aws-cdk-lib';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { isWholeNumber, known, problemsOf, throwOnProblems, type Rule } from '../shared/problems';

/** Properties of {@link TraceSampling}. */
export interface TraceSamplingProps {
  /**
   * The service name the application's tracer reports (`OTEL_SERVICE_NAME`); the rules match only
   * its requests.
   */
  readonly serviceName: string;
  /**
   * Share of requests traced beyond the reservoir, in percent.
   *
   * @default 5
   */
  readonly samplePercent?: number;
  /**
   * Requests traced each second before `samplePercent` applies, so that a quiet service still
   * shows some traces.
   *
   * @default 1
   */
  readonly reservoirPerSecond?: number;
  /**
   * URL paths never traced (X-Ray patterns: `*` any characters, `?` one), e.g. health checks that
   * would otherwise fill the reservoir every few seconds.
   *
   * @default ['/api/health*']
   */
  readonly excludedPaths?: readonly string[];
}

/** X-Ray's quotas on a sampling rule (API reference, `SamplingRule`). */
const RULE_NAME_MAX_LENGTH = 32;
const URL_PATH_MAX_LENGTH = 128;
const SERVICE_NAME_MAX_LENGTH = 64;

/** The rule table of {@link TraceSamplingProps}: every problem, with the value and the fix. */
export const TRACE_SAMPLING_RULES: ReadonlyArray<Rule<TraceSamplingProps>> = [
  {
    path: ['samplePercent'],
    broken: (p) => !(p.samplePercent === undefined || (p.samplePercent >= 0 && p.samplePercent <= 100)),
    message: (p) => `${p.samplePercent} is not a share: give 0 to 100`,
  },
  {
    path: ['reservoirPerSecond'],
    broken: (p) => p.reservoirPerSecond !== undefined && !isWholeNumber(p.reservoirPerSecond, 0),
    message: (p) => `${p.reservoirPerSecond} is not a count of requests: give a whole number, 0 or more`,
  },
  {
    path: ['serviceName'],
    broken: (p) =>
      known(p.serviceName) && (p.serviceName.length === 0 || p.serviceName.length > SERVICE_NAME_MAX_LENGTH),
    message: (p) => `'${p.serviceName}' must have 1 to ${SERVICE_NAME_MAX_LENGTH} characters (X-Ray's limit)`,
  },
  {
    path: ['excludedPaths'],
    broken: (p) => (p.excludedPaths ?? []).some((path) => !path.startsWith('/') || path.length > URL_PATH_MAX_LENGTH),
    message: (p) =>
      `${(p.excludedPaths ?? [])
        .filter((path) => !path.startsWith('/') || path.length > URL_PATH_MAX_LENGTH)
        .map((path) => `'${path}'`)
        .join(', ')}: give paths starting with / of at most ${URL_PATH_MAX_LENGTH} characters`,
  },
];

/**
 * X-Ray sampling rules for one service, which the tracer fetches through the collector sidecar
 * (X-Ray remote sampling) instead of sampling at a fixed rate baked into the image:
 *
 * - one rule per excluded path, tracing nothing (priority 100, 101...);
 * - one rule for the rest: the reservoir, then `samplePercent` (priority 1000).
 *
 * Rules outlive tasks: the tracer polls them every 5 minutes (and its quota every 10 seconds), so a
 * changed rule reaches running tasks without a deploy of
 * the service. Rule names are generated (X-Ray allows 32 characters, unique per account and
 * region) from the construct path, so two services never share one.
 */
export class TraceSampling extends Construct {
  /** The rules, the most specific first. */
  public readonly rules: readonly xray.CfnSamplingRule[];

  constructor(scope: Construct, id: string, props: TraceSamplingProps) {
    super(scope, id);
    throwOnProblems(this, problemsOf(props, TRACE_SAMPLING_RULES));
    const excluded = props.excludedPaths ?? ['/api/health*'];
    const rule = (ruleId: string, priority: number, urlPath: string, fixedRate: number, reservoirSize: number) => {
      const resource = new xray.CfnSamplingRule(this, ruleId, {
        samplingRule: {
          ruleName: '',
          priority,
          fixedRate,
          reservoirSize,
          serviceName: props.serviceName,
          serviceType: '*',
          host: '*',
          httpMethod: '*',
          urlPath,
          resourceArn: '*',
          version: 1,
        },
      });
      // The name needs the resource's own path, known only once it exists.
      resource.addPropertyOverride(
        'SamplingRule.RuleName',
        Names.uniqueResourceName(resource, { maxLength: RULE_NAME_MAX_LENGTH, separator: '-' }),
      );
      return resource;
    };
    this.rules = [
      ...excluded.map((path, index) => rule(`Excluded${index + 1}`, 100 + index, path, 0, 0)),
      rule('Default', 1000, '*', (props.samplePercent ?? 5) / 100, props.reservoirPerSecond ?? 1),
    ];
  }
}
