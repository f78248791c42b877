export * from './command-client';
export * from './command-server';
export * from './endpoint';
export * from './publisher';
export * from './subscriber';
