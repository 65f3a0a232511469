export * from './alarm-actions';
export * from './alarm-topic';
export * from './cost-guard';
export * from './edge-alarms';
export * from './saved-queries';
export * from './service-alarms';
export * from './service-dashboard';
