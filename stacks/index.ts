export * from './network-stack';
export * from './data-stack';
export * from './compute-stack';
export * from './edge-stack';
export * from './registry-stack';
export * from './environment-stack';
export * from './monitoring-stack';
export * from './dr-stack';
