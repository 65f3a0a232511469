/**
 * Resource types whose replacement loses data or breaks consumers (private endpoints in the data
 * layer, public ones at the edge): replacing one must be a deliberate, reviewed change, never the
 * side effect of a refactor that moved a construct.
 *
 * The single list: the offline diff (`npm run diff`) blocks on these, and the tests pin their logical IDs.
 */
export const STATEFUL_TYPES = [
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::S3::Bucket',
  'AWS::RDS::DBInstance',
  'AWS::RDS::DBCluster',
  'AWS::RDS::DBProxy',
  'AWS::ElastiCache::ReplicationGroup',
  'AWS::SecretsManager::Secret',
  'AWS::Backup::BackupVault',
  'AWS::ECR::Repository',
  'AWS::DynamoDB::Table',
  'AWS::EFS::FileSystem',
  // Public endpoints: replacing one changes what users and DNS point at.
  'AWS::CloudFront::Distribution',
  'AWS::WAFv2::WebACL',
  'AWS::CertificateManager::Certificate',
  'AWS::Route53::RecordSet',
] as const;

/** One of {@link STATEFUL_TYPES}. */
export type StatefulType = (typeof STATEFUL_TYPES)[number];

/** Whether resources of `type` are stateful: their replacement or removal must be reviewed. */
export function isStatefulType(type: string | undefined): type is StatefulType {
  return type !== undefined && (STATEFUL_TYPES as readonly string[]).includes(type);
}
