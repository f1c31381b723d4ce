import { describe, expect, it } from 'vitest';

import { readContainerFile, writeContainerFile } from '../../../pipelines/avro/container';
import { AvroError, type AvroSchemaJson } from '../../../pipelines/avro/schema';

const schema: AvroSchemaJson = {
  type: 'record',
  name: 'row',
  fields: [
    { name: 'id', type: 'long', 'field-id': 1 },
    { name: 'name', type: ['null', 'string'], default: null, 'field-id': 2 },
  ],
};
const records = Array.from({ length: 3 }, (_, index) => ({ id: BigInt(index) * 10n ** 17n, name: index % 2 ? null : `row ${index}` }));
const syncMarker = new Uint8Array(16).map((_, index) => index * 7);

describe('Avro object container files', () => {
  for (const codec of ['null', 'deflate'] as const) {
    it(`round-trips records with the ${codec} codec`, async () => {
      const bytes = await writeContainerFile({ schema, records, codec, metadata: { 'format-version': '2' } });
      const file = await readContainerFile(bytes);
      expect(file.codec).toBe(codec);
      expect(file.records).toEqual(records);
      expect(file.metadata).toEqual({ 'format-version': '2' });
      expect(file.schemaJson).toEqual(schema);
    });
  }

  it('starts with the magic and stores schema and codec in the header', async () => {
    const bytes = await writeContainerFile({ schema, records, codec: 'null', syncMarker });
    expect([...bytes.subarray(0, 4)]).toEqual([0x4f, 0x62, 0x6a, 0x01]);
    const text = new TextDecoder().decode(bytes);
    expect(text).toContain('avro.schema');
    expect(text).toContain('"field-id":2');
    expect(text).toContain('avro.codec');
    // The file ends with the sync marker after the only block.
    expect([...bytes.subarray(bytes.length - 16)]).toEqual([...syncMarker]);
  });

  it('writes identical bytes for identical input and sync marker', async () => {
    const first = await writeContainerFile({ schema, records, codec: 'null', syncMarker });
    const second = await writeContainerFile({ schema, records, codec: 'null', syncMarker });
    expect(first).toEqual(second);
  });

  it('splits many records into several blocks', async () => {
    const many = Array.from({ length: 5000 }, (_, index) => ({ id: BigInt(index), name: 'x'.repeat(40) }));
    const bytes = await writeContainerFile({ schema, records: many, codec: 'null', syncMarker });
    const text = Array.from(bytes);
    let markers = 0;
    for (let index = 0; index + 16 <= text.length; index++) {
      if (syncMarker.every((byte, offset) => text[index + offset] === byte)) markers++;
    }
    // One marker after the header, one after each block.
    expect(markers).toBeGreaterThan(3);
    expect((await readContainerFile(bytes)).records).toEqual(many);
  });

  it('writes a header without blocks for zero records', async () => {
    const file = await readContainerFile(await writeContainerFile({ schema, records: [] }));
    expect(file.records).toEqual([]);
  });

  it('rejects bad magic, a wrong sync marker and truncation', async () => {
    const bytes = await writeContainerFile({ schema, records, codec: 'null', syncMarker });
    const badMagic = bytes.slice();
    badMagic[0] = 0x50;
    await expect(readContainerFile(badMagic)).rejects.toThrow(/magic/);

    const badSync = bytes.slice();
    badSync[badSync.length - 1] = (badSync[badSync.length - 1] as number) ^ 0xff;
    await expect(readContainerFile(badSync)).rejects.toThrow(/sync marker mismatch/);

    await expect(readContainerFile(bytes.subarray(0, bytes.length - 20))).rejects.toThrow(AvroError);
  });

  it('rejects reserved metadata keys and unknown codecs', async () => {
    await expect(writeContainerFile({ schema, records, metadata: { 'avro.codec': 'snappy' } })).rejects.toThrow(/reserved/);
    const bytes = await writeContainerFile({ schema, records, codec: 'null' });
    // Rewrite the codec value "null" to "zzzz" in place (same length).
    const patched = bytes.slice();
    const at = new TextDecoder('latin1').decode(patched).indexOf('avro.codec') + 'avro.codec'.length + 1;
    patched.set(new TextEncoder().encode('zzzz'), at);
    await expect(readContainerFile(patched)).rejects.toThrow(/unsupported codec "zzzz"/);
  });
});
