export * from './cloudfront-region';
export * from './web-acl';
export * from './web-distribution';
