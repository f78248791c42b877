/** @internal Message ids and wire timestamps. */
import { randomUUID } from 'node:crypto';

/** @internal A fresh message id. */
export function newId(): string {
  return randomUUID();
}

/** @internal The current time as the wire format carries it: Unix seconds. */
export function nowSeconds(): number {
  return Date.now() / 1000;
}
