import type { EnvironmentName } from '../../config';
import { GUARD_NAMESPACE } from '../compliance';

/**
 * One reviewed compliance finding that the project accepts.
 *
 * Fixing the resource beats acknowledging the finding. An entry is as narrow as the
 * finding: one rule id (with its `[finding]` suffix where the rule has one) on one
 * construct path. A test fails when an entry no longer matches a finding.
 */
export interface AcknowledgmentEntry {
  /**
   * The finding id exactly as reported, e.g. `AwsSolutions-IAM4[Policy::...]` or
   * `cdk-validator-cfnguard::<rule>`. `{stage}`, `{account}` and `{region}` stand for the
   * environment's, for findings that quote an ARN or a stack name.
   */
  readonly id: string;
  /** Construct path below the stage, e.g. `Network/Network/Resource`. Covers that construct and its children. */
  readonly path: string;
  /** Why the finding is acceptable here: specific to this resource, never "not needed". */
  readonly reason: string;
  /**
   * Environments the finding occurs in.
   *
   * @default - every environment
   */
  readonly environments?: readonly EnvironmentName[];
}

export const NIST = 'NIST.800.53.R5';
export const HIPAA = 'HIPAA.Security';
export const PCI = 'PCI.DSS.321';
export const guard = (rule: string): string => `${GUARD_NAMESPACE}::${rule}`;

/** One decision that answers several rules' findings on the same construct. */
export function acknowledge(
  ids: readonly string[],
  path: string,
  reason: string,
  environments?: readonly EnvironmentName[],
): AcknowledgmentEntry[] {
  return ids.map((id) => ({ id, path, reason, environments }));
}

export const DEV_ONLY: readonly EnvironmentName[] = ['dev'];

/** Rules that flag any plain-HTTP load balancer listener. */
export const PLAIN_HTTP_LISTENER_RULES = [
  `${NIST}-ALBHttpToHttpsRedirection`,
  `${HIPAA}-ALBHttpToHttpsRedirection`,
  `${PCI}-ALBHttpToHttpsRedirection`,
  `${NIST}-ELBv2ACMCertificateRequired`,
  `${HIPAA}-ELBv2ACMCertificateRequired`,
  `${PCI}-ELBv2ACMCertificateRequired`,
  guard('alb_http_to_https_redirection_check'),
];
export const WITH_REPLICAS: readonly EnvironmentName[] = ['staging', 'prod'];
