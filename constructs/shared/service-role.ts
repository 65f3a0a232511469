import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';

/** Properties of a {@link ServiceRole}. */
export interface ServiceRoleProps {
  /** Who assumes the role: usually a service principal with an `aws:SourceAccount` condition. */
  readonly assumedBy: iam.IPrincipal;
  /** What the role is for. */
  readonly description: string;
  /**
   * Permissions to start with.
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
 * Every statement added to the role — by its props, `addToPrincipalPolicy`, or any `grantXxx(role)`
 * of another construct — lands in one customer-managed policy (`Policy`), created on first use.
 * Compliance packs (NIST 800-53, HIPAA, PCI DSS) reject inline policies; grants keep working.
 */
export class ServiceRole extends iam.Role {
  private managedPolicy?: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: ServiceRoleProps) {
    super(scope, id, {
      assumedBy: props.assumedBy,
      description: props.description,
      managedPolicies: props.managedPolicies,
    });
    for (const statement of props.statements ?? []) {
      this.addToPrincipalPolicy(statement);
    }
  }

  /** The customer-managed policy holding the role's own statements, once it has any. */
  public get policy(): iam.ManagedPolicy | undefined {
    return this.managedPolicy;
  }

  public override addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.managedPolicy ??= new iam.ManagedPolicy(this, 'Policy', {
      description: `Permissions of ${this.node.path}`,
      roles: [this],
    });
    this.managedPolicy.addStatements(statement);
    return { statementAdded: true, policyDependable: this.managedPolicy };
  }
}
