export * from './network-stack';
export * from './data-stack';
export * from './compute-stack';
