export * from './errors';
export * from './features';
export * from './ids';
export * from './messages';
export * from './parse';
export * from './uri';
export * from './options';
