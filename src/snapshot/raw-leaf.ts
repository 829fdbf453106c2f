/**
 * A leaf as the heap reading finds it, before the graph builder turns it into the dump's
 * `LeafInfo` (split from `leaves.ts`, which re-exports these types).
 *
 * @packageDocumentation
 */
import type { LeafInfo } from '../model.js';

/** A leaf as found in the heap: its description and the program's closure on the path, if any. */
export interface RawLeaf {
  info: LeafInfo;
  /** A user closure holding the resolver (locates the leaf in the program's source). */
  closure?: number;
  /** The socket or stream object, whose live state the graph builder may ask for. */
  resource?: number;
  /** The Node resource or emitter found holding the resolver, of any kind (orphans: who is awaited). */
  holder?: number;
  /** The resource object of any kind (timer, socket, child process…): its creation stamp tells where the program made it. */
  origin?: number;
  /** For `queue` leaves: the named object whose data holds the resolver (a lock, a pool). */
  owner?: number;
  /**
   * For `unknown` leaves: the pending reactions whose handlers hold the resolver (TypeScript's
   * `__awaiter` resolves its promise from a `.then` handler of the promise it awaits).
   */
  reactions?: number[];
  /** Who holds the lock whose queue holds the resolver (set by `findLockOwners`). */
  lock?: RawLock;
}

/** The lock a `queue` leaf waits in, in heap terms (see `lock-owners.ts`). */
export interface RawLock {
  /** The lock object's class, as the heap names it. */
  object: string;
  state: 'held' | 'leaked';
  /** Keys of the raw nodes holding it. */
  holders: number[];
}
