export * from './result-codes.js';
export * from './clock.js';
export * from './real-clock.js';
export * from './signal.js';
export * from './types.js';
