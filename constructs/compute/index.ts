export * from './web-service';
export * from './web-service-props';
export * from './web-service-rules';
export * from './target-tracking-metric';
export * from './fargate-size';
export * from './image-source';
export * from './trace-sampling';
