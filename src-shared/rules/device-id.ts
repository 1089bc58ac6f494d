// How a station's device id is written for people: the SHA-256 of its public key in base32 over an
// alphabet without the letters and digits people confuse (no 0, O, I or L: digits 1-9 and the other 23
// letters, exactly 32 symbols), followed by one check character. The check character is Damm's
// algorithm over GF(32): each step is interim = 2·interim + symbol in the field, and a totally
// anti-symmetric quasigroup like this one catches every single changed character and every swap of two
// neighbours, the two mistakes people make when they read an id off a screen and type it. Screens show
// the short form (the first 8 characters in two groups), enough to tell the seats of a room apart.
// Browser-safe: the renderer checks ids typed into the console with the same code.

export const DEVICE_ID_ALPHABET = '123456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** 256 bits in 5-bit symbols (52), then the check character. */
export const DEVICE_ID_LENGTH = 53;

const VALUE = new Map([...DEVICE_ID_ALPHABET].map((symbol, value) => [symbol, value]));

/** Multiplication by x (the element 2) in GF(2^5) with the irreducible polynomial x^5 + x^2 + 1. */
function times2(value: number): number {
  const shifted = value << 1;
  return shifted & 0b100000 ? (shifted ^ 0b100101) & 0b11111 : shifted;
}

function dammInterim(values: readonly number[]): number {
  let interim = 0;
  for (const value of values) interim = times2(interim) ^ value;
  return interim;
}

/** Bytes in the alphabet, 5 bits a symbol, the last symbol padded with zero bits. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += DEVICE_ID_ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += DEVICE_ID_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/** The check character of a string in the alphabet: the one that brings Damm's interim back to zero. */
export function checkCharacter(body: string): string {
  const values = [...body].map((symbol) => {
    const value = VALUE.get(symbol);
    if (value === undefined) throw new RangeError(`${JSON.stringify(symbol)} is not in the device id alphabet`);
    return value;
  });
  // times2(interim) ^ c === 0 exactly when c === times2(interim).
  return DEVICE_ID_ALPHABET[times2(dammInterim(values))]!;
}

/** The device id of a public key's SHA-256. */
export function deviceIdFromHash(sha256: Uint8Array): string {
  if (sha256.length !== 32) throw new RangeError(`a device id is made from a 32-byte SHA-256, not ${sha256.length} bytes`);
  const body = base32(sha256);
  return `${body}${checkCharacter(body)}`;
}

/**
 * A typed or read device id in its canonical form, or undefined when it is not one: case, spaces and
 * dashes are ignored, and the check character must fit.
 */
export function normalizeDeviceId(typed: string): string | undefined {
  const id = typed.toUpperCase().replace(/[\s-]/g, '');
  if (id.length !== DEVICE_ID_LENGTH) return undefined;
  const values: number[] = [];
  for (const symbol of id) {
    const value = VALUE.get(symbol);
    if (value === undefined) return undefined;
    values.push(value);
  }
  return dammInterim(values) === 0 ? id : undefined;
}

/** What a screen shows: the first 8 characters as two groups of four ("7KQM-X2PA"). */
export function shortDeviceId(deviceId: string): string {
  return `${deviceId.slice(0, 4)}-${deviceId.slice(4, 8)}`;
}
