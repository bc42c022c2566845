/** MAC vendors from the IEEE registries. */
export * from './oui-registry.js';
