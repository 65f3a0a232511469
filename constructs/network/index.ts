export * from './explicit-ip-addresses';
export * from './network';
export * from './network-rules';
export * from './subnet-layout';
