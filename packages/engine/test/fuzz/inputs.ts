/**
 * What the fuzz targets are fed: random bytes now and then, mostly valid samples mutated a few times over (bytes
 * flipped, inserted, deleted, repeated, cut, digit runs spliced in), so most inputs get past the first byte.
 */
import fc from 'fast-check';

const text = (s: string) => new TextEncoder().encode(s);

/** Mutations of a valid sample: flips, random inserts, deletions, duplications, truncation, splices. */
export function mutated(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const op = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      bytes: fc.uint8Array({ maxLength: 16 }),
    }),
    fc.record({
      kind: fc.constant('delete' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 32 }),
    }),
    fc.record({
      kind: fc.constant('repeat' as const),
      at: fc.nat(),
      length: fc.integer({ min: 1, max: 64 }),
    }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
    fc.record({
      kind: fc.constant('digits' as const),
      at: fc.nat(),
      digits: fc.stringMatching(/^-?[0-9]{1,25}$/),
    }),
  );
  return fc
    .tuple(fc.integer({ min: 0, max: samples.length - 1 }), fc.array(op, { minLength: 1, maxLength: 6 }))
    .map(([index, ops]) => {
      let bytes = samples[index]!;
      for (const o of ops) {
        const at = bytes.length === 0 ? 0 : o.at % (bytes.length + 1);
        if (o.kind === 'flip') {
          if (bytes.length === 0) continue;
          bytes = bytes.slice();
          bytes[at % bytes.length] = o.byte;
        } else if (o.kind === 'insert') bytes = concat(bytes.subarray(0, at), o.bytes, bytes.subarray(at));
        else if (o.kind === 'digits')
          bytes = concat(bytes.subarray(0, at), text(o.digits), bytes.subarray(at));
        else if (o.kind === 'delete') bytes = concat(bytes.subarray(0, at), bytes.subarray(at + o.length));
        else if (o.kind === 'repeat') {
          bytes = concat(
            bytes.subarray(0, at + o.length),
            bytes.subarray(at, at + o.length),
            bytes.subarray(at + o.length),
          );
        } else bytes = bytes.subarray(0, at);
      }
      return bytes;
    });
}

/** What a target is fed: random bytes now and then, mostly mutations of its samples. */
export function inputsFor(samples: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 512 }) },
    { weight: 4, arbitrary: mutated(samples) },
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
