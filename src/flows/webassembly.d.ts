/**
 * The part of the WebAssembly JavaScript API (https://webassembly.github.io/spec/js-api/) that
 * the flow table uses. Node has it as a global; @types/node for Node 20 does not declare it, and
 * TypeScript's declaration of it comes with the DOM library this project does not load.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    readonly value: unknown;
  }
}
