import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';

/** Properties of a {@link ServiceRole}. */
export interface ServiceRoleProps {
  /** Who assumes the role: usually a service principal with an `aws:SourceAccount` condition. */
  readonly assumedBy: iam.IPrincipal;
  /** What the role is for. */
  readonly description: string;
  /**
   * Permissions, kept in one customer-managed policy.
   *
   * @default - none
   */
  readonly statements?: iam.PolicyStatement[];
  /**
   * Managed policies to attach as well (e.g. a service's AWS-managed role policy).
   *
   * @default - none
   */
  readonly managedPolicies?: iam.IManagedPolicy[];
}

/**
 * An IAM role whose permissions live in a customer-managed policy instead of an inline one.
 *
 * L2 constructs add inline "DefaultPolicy" statements to roles they are given; compliance packs
 * (NIST 800-53, HIPAA, PCI DSS) reject inline policies. Hand `role` (immutable) to such
 * constructs and declare every permission here instead: nothing is granted implicitly.
 */
export class ServiceRole extends Construct {
  /** The role, immutable: L2 constructs cannot add inline statements to it. */
  public readonly role: iam.IRole;
  /** The role's customer-managed policy, when it has statements. */
  public readonly policy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id);
    const role = new iam.Role(this, 'Resource', {
      assumedBy: props.assumedBy,
      description: props.description,
      managedPolicies: props.managedPolicies,
    });
    if (props.statements !== undefined && props.statements.length > 0) {
      this.policy = new iam.ManagedPolicy(this, 'Policy', {
        description: props.description,
        statements: props.statements,
        roles: [role],
      });
    }
    this.role = role.withoutPolicyUpdates();
  }
}
