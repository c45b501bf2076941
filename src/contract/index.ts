export * from './header-layout.js';
export * from './frame-token.js';
export * from './pixel-format.js';
export * from './status-codes.js';
export * from './slot-state.js';
export * from './keyed-mutex-word.js';
export * from './attach.js';
export * from './errors.js';
