export * from './web-service';
export * from './fargate-size';
export * from './image-source';
