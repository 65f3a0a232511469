export * from './web-acl';
export * from './web-distribution';
