/** Type declarations for the pure-JS codec packages, which ship none. */
declare module 'snappyjs' {
  export function compress (input: Uint8Array): Uint8Array
}

declare module 'lz4js' {
  export function compressBound (length: number): number
  export function compressBlock (src: Uint8Array, dst: Uint8Array, srcIndex: number, srcLength: number, hashTable: Uint32Array): number
  export function decompressBlock (src: Uint8Array, dst: Uint8Array, srcIndex: number, srcLength: number, dstIndex: number): number
}

declare module 'lz4js/xxh32.js' {
  export function hash (seed: number, src: Uint8Array, index: number, length: number): number
}
