import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';

import { sha256Hex } from '../../events/sha256';
import { seededRandom } from '../fixtures/seeded-random';

function nodeSha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Text of `length` UTF-16 code units, mostly ASCII, with 2-, 3- and 4-byte characters and unpaired surrogates. */
function randomText(random: () => number, length: number): string {
  let text = '';
  while (text.length < length) {
    const kind = random();
    if (kind < 0.7) text += String.fromCharCode(0x20 + Math.floor(random() * 0x5f));
    else if (kind < 0.8) text += String.fromCharCode(0x80 + Math.floor(random() * 0x780));
    else if (kind < 0.9) text += String.fromCharCode(0xe000 + Math.floor(random() * 0x1000));
    else if (kind < 0.97) text += String.fromCodePoint(0x10000 + Math.floor(random() * 0xfffff));
    else text += String.fromCharCode(0xd800 + Math.floor(random() * 0x800));
  }
  return text;
}

describe('sha256Hex', () => {
  it('matches the FIPS 180-4 examples', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches node:crypto at the padding boundaries', () => {
    for (const length of [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000]) {
      const text = 'a'.repeat(length);
      expect(sha256Hex(text), `length ${length}`).toBe(nodeSha256(text));
    }
  });

  it('matches node:crypto on multi-byte characters', () => {
    for (const text of ['é', '€', '😀', 'é'.repeat(28), '€'.repeat(19), '😀'.repeat(14), 'a\ud800b', '\udc00', 'x\ud83d']) {
      expect(sha256Hex(text), JSON.stringify(text)).toBe(nodeSha256(text));
    }
  });

  it('matches node:crypto on 2,000 random texts', () => {
    const random = seededRandom(1804);
    for (let run = 0; run < 2000; run++) {
      const text = randomText(random, Math.floor(random() * 700));
      expect(sha256Hex(text), `run ${run}`).toBe(nodeSha256(text));
    }
  });

  it('matches node:crypto past the reused buffer', () => {
    const random = seededRandom(7);
    const long = randomText(random, 20_000);
    expect(sha256Hex(long)).toBe(nodeSha256(long));
    expect(sha256Hex('abc')).toBe(nodeSha256('abc'));
  });
});
