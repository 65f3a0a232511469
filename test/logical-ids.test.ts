import type { EnvironmentName } from '../config';
import { ENVIRONMENTS, synthesized, templateJson } from './support/synth';
import { statefulLogicalIds } from './support/stateful';

/**
 * Logical IDs of stateful resources, pinned. A change here means CloudFormation would
 * create a new resource and delete (or orphan) the old one: data, keys or logs lost.
 * If a replacement is truly intended, update this list in the same reviewed change,
 * and say why in the commit message.
 */
const NETWORK = [
  'AWS::KMS::Key NetworkFlowLogsKey91A8904C',
  'AWS::Logs::LogGroup NetworkFlowLogsLogGroup625EB2BC',
  'AWS::Logs::LogGroup CustomVpcRestrictDefaultSGCustomResourceProviderOwnedLogsAA38702F',
];

const DATA = [
  'AWS::ElastiCache::ReplicationGroup Cache18F6EE16',
  'AWS::KMS::Key KeysCache82376DBB',
  'AWS::KMS::Key KeysDatabase918B5966',
  'AWS::KMS::Key KeysLogs7981C88C',
  'AWS::KMS::Key KeysStorage70A6EB44',
  'AWS::Logs::LogGroup CacheLogsEngine71B28A82',
  'AWS::Logs::LogGroup CacheLogsSlowB0DFFE37',
  'AWS::Logs::LogGroup DatabaseBootstrapLogsB49BA6D4',
  'AWS::Logs::LogGroup DatabaseBootstrapProviderLogs1A3A4A01',
  'AWS::Logs::LogGroup DatabaseLogsPrimaryPostgresql3D20FD34',
  'AWS::Logs::LogGroup DatabaseLogsPrimaryUpgradeA94998FD',
  'AWS::Logs::LogGroup DatabaseLogsRotation47B287D6',
  'AWS::RDS::DBInstance DatabaseF44359DD',
  'AWS::RDS::DBProxy DatabaseProxyE01FC4E6',
  'AWS::Route53::RecordSet DatabaseEndpointsReaderTarget14DF3964B',
  'AWS::S3::Bucket AccessLogs8B620ECA',
  'AWS::S3::Bucket Uploads4F6EB0FD',
  'AWS::SecretsManager::Secret DatabaseCredentials24F58BE6',
];
/** With backup: the home vault and its key. */
const DATA_BACKUP = ['AWS::Backup::BackupVault Vault47927EF3', 'AWS::KMS::Key VaultKeyCB88EF1A'];
/** With backup: the disaster-recovery region's copy vault, replica bucket, their keys, the replica's log bucket. */
const DR = [
  'AWS::Backup::BackupVault CopyVaultA75F78D8',
  'AWS::KMS::Key CopyVaultKeyD618E163',
  'AWS::KMS::Key ReplicaKey4DE8F013',
  'AWS::S3::Bucket AccessLogs8B620ECA',
  'AWS::S3::Bucket ReplicaDDFB2A87',
];
/** The database's standby in the DR region (`backup.standby`): its keys, logs and the replica. */
const STANDBY = [
  'AWS::KMS::Key AlarmsKey8B9C40AB',
  'AWS::KMS::Key LogKeyE83D0C1B',
  'AWS::KMS::Key StorageKeyB6649B55',
  'AWS::Logs::LogGroup CustomVpcRestrictDefaultSGCustomResourceProviderOwnedLogsAA38702F',
  'AWS::Logs::LogGroup DatabaseLogsPostgresql0610CA6C',
  'AWS::Logs::LogGroup DatabaseLogsUpgrade50ABA674',
  'AWS::Logs::LogGroup NetworkFlowLogsLogGroup625EB2BC',
  'AWS::RDS::DBInstance DatabaseF44359DD',
];
/** Buckets destroyed with their stack (dev) are emptied by a function whose log group is ours. */
const DATA_DISPOSABLE = ['AWS::Logs::LogGroup CustomS3AutoDeleteObjectsCustomResourceProviderOwnedLogsDF163C4F'];
const REPLICA_1 = [
  'AWS::Logs::LogGroup DatabaseLogsReplica1PostgresqlD667E6B7',
  'AWS::Logs::LogGroup DatabaseLogsReplica1Upgrade46B5BF18',
  'AWS::RDS::DBInstance DatabaseReplicasReplica15494D66D',
  'AWS::Route53::RecordSet DatabaseEndpointsReaderFallback1C522890',
];
const REPLICA_2 = [
  'AWS::Logs::LogGroup DatabaseLogsReplica2Postgresql2CC4BAFE',
  'AWS::Logs::LogGroup DatabaseLogsReplica2UpgradeC8F151CA',
  'AWS::RDS::DBInstance DatabaseReplicasReplica27998213C',
  'AWS::Route53::RecordSet DatabaseEndpointsReaderTarget230342BC9',
];

const REGISTRY = ['AWS::ECR::Repository Repository22E53BBD', 'AWS::KMS::Key RepositoryKey0F9BF672'];
const COMPUTE = [
  'AWS::Logs::LogGroup WebExecLogs5190C281',
  'AWS::Logs::LogGroup WebLogsD9759FC4',
  'AWS::Logs::LogGroup WebContainerInsightsLogsC0E674D3',
];
/** With a domain the load balancer has its own certificate. */
const COMPUTE_DOMAIN = ['AWS::CertificateManager::Certificate Certificate4E7ABB08'];
/** Only strategies with a test listener have the deployment probe and the listener-rule function. */
const PROBE = [
  'AWS::Logs::LogGroup WebDeploymentProbeLogsF83CFC04',
  'AWS::Logs::LogGroup WebListenerRulesProviderLogs7616416D',
];

const EDGE = [
  'AWS::CloudFront::Distribution CdnF9DD0B44',
  'AWS::KMS::Key AlarmsKey8B9C40AB',
  'AWS::KMS::Key LogsKeyA6AB43B2',
  'AWS::Logs::LogGroup WebAclLogs68403EB9',
  'AWS::WAFv2::WebACL WebAclE76B067C',
];
/** The key of the alarm topics. */
const MONITORING = ['AWS::KMS::Key AlarmsKey8B9C40AB'];
/** With the site check: the canary's key, artifacts bucket, log group and its starter's log group. */
const SITE_CHECK = [
  'AWS::KMS::Key CanaryKey53D2D0D1',
  'AWS::Logs::LogGroup CanaryLogs35071DCA',
  'AWS::Logs::LogGroup CanaryStarterLogsA62CF388',
  'AWS::S3::Bucket CanaryArtifacts7ADD0D0B',
];
/** With a domain: the certificate and the apex and www records. */
const EDGE_DOMAIN = [
  'AWS::CertificateManager::Certificate Certificate4E7ABB08',
  'AWS::Route53::RecordSet RecordsApexA72069830',
  'AWS::Route53::RecordSet RecordsApexAaaa7324AD97',
  'AWS::Route53::RecordSet RecordsWwwA1FE2318D',
  'AWS::Route53::RecordSet RecordsWwwAaaa10C4D628',
];

const PINNED: Record<EnvironmentName, Record<string, readonly string[]>> = {
  dev: {
    Network: NETWORK,
    Data: [...DATA, ...DATA_DISPOSABLE],
    Registry: REGISTRY,
    Compute: COMPUTE,
    Edge: EDGE,
    Monitoring: MONITORING,
  },
  staging: {
    Network: NETWORK,
    Data: [...DATA, ...REPLICA_1, ...DATA_BACKUP],
    Dr: DR,
    Registry: REGISTRY,
    Compute: [...COMPUTE, ...COMPUTE_DOMAIN, ...PROBE],
    Edge: [...EDGE, ...EDGE_DOMAIN],
    Monitoring: [...MONITORING, ...SITE_CHECK],
  },
  prod: {
    Network: NETWORK,
    Data: [...DATA, ...REPLICA_1, ...REPLICA_2, ...DATA_BACKUP],
    Dr: DR,
    Standby: STANDBY,
    Registry: REGISTRY,
    Compute: [...COMPUTE, ...COMPUTE_DOMAIN, ...PROBE],
    Edge: [...EDGE, ...EDGE_DOMAIN],
    Monitoring: [...MONITORING, ...SITE_CHECK],
  },
};

describe.each(ENVIRONMENTS)('%s stateful logical IDs', (environment) => {
  test('every stack with stateful resources is pinned', () => {
    const stacks = synthesized().stacks.filter((s) => s.environment === environment);
    for (const stack of stacks) {
      const ids = statefulLogicalIds(templateJson(environment, stack.stackId));
      if (ids.length > 0) {
        expect({ stack: stack.stackId, pinned: PINNED[environment][stack.stackId] !== undefined }).toEqual({
          stack: stack.stackId,
          pinned: true,
        });
      }
    }
  });

  test.each(Object.keys(PINNED[environment]))('%s', (stackId) => {
    expect(statefulLogicalIds(templateJson(environment, stackId))).toEqual(
      [...(PINNED[environment][stackId] ?? [])].sort(),
    );
  });
});
