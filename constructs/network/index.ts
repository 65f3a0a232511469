export * from './explicit-ip-addresses';
export * from './network';
export * from './subnet-layout';
