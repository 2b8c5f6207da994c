/**
 * A seeded uniform source for resampling: xoshiro128** (small state, good statistical quality, and
 * the same stream on every platform, unlike Math.random). The same seed gives the same intervals,
 * so two views of the same files never disagree.
 */
export type Uniform = () => number;

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** The four 32-bit words of xoshiro128** state for `seed` (never all zero). */
export function seedState(seed: number): Uint32Array {
  const init = splitmix32(seed);
  const state = Uint32Array.of(init(), init(), init(), init());
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1;
  return state;
}

/** Advances `state` one step and returns the next 32-bit output (the generator, written once). */
export function nextUint32(state: Uint32Array): number {
  const a = state[0]!;
  const b = state[1]!;
  const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
  const t = b << 9;
  let c = state[2]! ^ a;
  let d = state[3]! ^ b;
  state[1] = b ^ c;
  state[0] = a ^ d;
  c ^= t;
  d = rotl(d, 11);
  state[2] = c;
  state[3] = d;
  return result;
}

/**
 * The generator as an object for the resampling loops: one instance per stream, `next()` a
 * monomorphic method V8 inlines (a function imported per draw went through a module getter under
 * tsx and dominated the profile). The same stream as `nextUint32` over `seedState(seed)`.
 */
export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    const state = seedState(seed);
    this.s0 = state[0] ?? 0;
    this.s1 = state[1] ?? 0;
    this.s2 = state[2] ?? 0;
    this.s3 = state[3] ?? 0;
  }

  /** The next 32-bit output, as a signed int32 (use `>>> 0` for unsigned). */
  next(): number {
    const m = Math.imul(this.s1, 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = (this.s3 << 11) | (this.s3 >>> 21);
    return result;
  }

  /** An index in [0, n). */
  below(n: number): number {
    return Math.floor(((this.next() >>> 0) / 4294967296) * n);
  }
}

export function seededUniform(seed: number): Uniform {
  const state = seedState(seed);
  return () => nextUint32(state) / 4294967296;
}

export function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A stable 32-bit seed from a string (FNV-1a), so a seed can be derived from a name. */
export function seedFromString(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
