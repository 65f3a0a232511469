/**
 * End-of-support dates of AWS Lambda's managed runtimes (phase 1 of deprecation: no more security
 * patches, no new functions after the block-create date, no updates after the block-update date).
 *
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html ("Supported runtimes"
 * and "Deprecated runtimes" tables, "Deprecation date" column), as machine-read on 2026-07-31 by
 * terraform-linters/tflint-ruleset-aws (rules/lambda_deprecated_runtime/deprecated_runtimes.json,
 * commit e439f77). Update this table from that page when AWS adds a runtime or moves a date; a
 * runtime missing here is reported by the rule, so a new one cannot slip through unchecked.
 */
export const LAMBDA_RUNTIME_END_OF_SUPPORT: Readonly<Record<string, string>> = {
  nodejs: '2016-08-30',
  'nodejs4.3': '2020-03-05',
  'nodejs4.3-edge': '2020-03-05',
  'nodejs6.10': '2019-08-12',
  'nodejs8.10': '2020-03-06',
  'nodejs10.x': '2021-07-30',
  'nodejs12.x': '2023-03-31',
  'nodejs14.x': '2023-12-04',
  'nodejs16.x': '2024-06-12',
  'nodejs18.x': '2025-09-01',
  'nodejs20.x': '2026-04-30',
  'nodejs22.x': '2027-04-30',
  'nodejs24.x': '2028-04-30',
  'python2.7': '2021-07-15',
  'python3.6': '2022-07-18',
  'python3.7': '2023-12-04',
  'python3.8': '2024-10-14',
  'python3.9': '2025-12-15',
  'python3.10': '2026-10-31',
  'python3.11': '2027-06-30',
  'python3.12': '2028-10-31',
  'python3.13': '2029-06-30',
  'python3.14': '2029-06-30',
  java8: '2024-01-08',
  'java8.al2': '2027-06-30',
  java11: '2027-06-30',
  java17: '2027-06-30',
  java21: '2029-06-30',
  java25: '2029-06-30',
  'dotnetcore1.0': '2019-06-27',
  'dotnetcore2.0': '2019-05-30',
  'dotnetcore2.1': '2022-01-05',
  'dotnetcore3.1': '2023-04-03',
  'dotnet5.0': '2022-05-10',
  dotnet6: '2024-12-20',
  dotnet7: '2024-05-14',
  dotnet8: '2026-11-10',
  dotnet9: '2026-11-10',
  dotnet10: '2028-11-14',
  'go1.x': '2024-01-08',
  'ruby2.5': '2021-07-30',
  'ruby2.7': '2023-12-07',
  'ruby3.2': '2026-03-31',
  'ruby3.3': '2027-03-31',
  'ruby3.4': '2028-03-31',
  'ruby4.0': '2029-03-31',
  provided: '2024-01-08',
  'provided.al2': '2026-07-31',
  'provided.al2023': '2029-06-30',
};

/**
 * How long before its end of support a runtime is already refused. A function deployed today
 * should still be updatable half a year from now: after the end of support Lambda soon blocks
 * creating (a new environment) and then updating (every deploy of a code change) such functions.
 */
export const RUNTIME_NOTICE_DAYS = 180;

/**
 * The runtime the `AWS::SecretsManager::RotationSchedule` hosted rotation function gets when its
 * `Runtime` is not set. Source: CloudFormation reference, AWS::SecretsManager::RotationSchedule
 * HostedRotationLambda, `Runtime`: "By default, CloudFormation deploys Python 3.10 binaries for
 * the rotation function" (also quoted in aws-cdk-lib's CfnRotationSchedule typings).
 */
export const HOSTED_ROTATION_DEFAULT_RUNTIME = 'python3.10';

/** Why `runtime` must not be deployed on `today`, or `undefined` when it may. */
export function runtimeProblem(runtime: string, today: Date): string | undefined {
  const endOfSupport = LAMBDA_RUNTIME_END_OF_SUPPORT[runtime];
  if (endOfSupport === undefined) {
    return `Unknown:${runtime}`;
  }
  const refusedFrom = new Date(`${endOfSupport}T00:00:00Z`).getTime() - RUNTIME_NOTICE_DAYS * 24 * 60 * 60 * 1000;
  return today.getTime() >= refusedFrom ? `${runtime}:${endOfSupport}` : undefined;
}
