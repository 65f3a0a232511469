export * from './cache-cluster';
export * from './data-services';
export * from './postgres-database';
export * from './secure-bucket';
