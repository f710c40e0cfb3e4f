import { randomBytes } from 'node:crypto';

const OBJECT_ID = /^[0-9a-f]{24}$/;
const processRandom = randomBytes(5).toString('hex');
let counter = randomBytes(3).readUIntBE(0, 3);

/**
 * A MongoDB-style ObjectId as 24 lower-case hex characters: seconds, a per-process random
 * value and a counter, so ids made later in one process sort after earlier ones.
 */
export function newObjectId(now = Date.now()): string {
  counter = (counter + 1) % 0x1000000;
  const seconds = Math.floor(now / 1000)
    .toString(16)
    .padStart(8, '0');
  return `${seconds}${processRandom}${counter.toString(16).padStart(6, '0')}`;
}

export function isObjectId(value: string): boolean {
  return OBJECT_ID.test(value);
}
