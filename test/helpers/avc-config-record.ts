// The AVC sequence header payload codec tests feed the parsers, built from parameter sets.

/**
 * An AVCDecoderConfigurationRecord (ISO 14496-15 5.3.3.1) from SPS/PPS NAL units, the
 * way encoders write it: profile, compatibility and level copied from the first SPS.
 */
export function buildAvcConfig(sps: readonly Uint8Array[], pps: readonly Uint8Array[], nalLengthSize = 4): Uint8Array {
  const first = sps[0];
  if (first === undefined || first.length < 4) throw new RangeError('avcC needs an SPS');
  if (sps.length > 31 || pps.length > 255) throw new RangeError('too many parameter sets');
  if (nalLengthSize !== 1 && nalLengthSize !== 2 && nalLengthSize !== 4) {
    throw new RangeError(`NAL length size ${nalLengthSize}`);
  }
  let size = 7;
  for (const u of [...sps, ...pps]) {
    if (u.length === 0 || u.length > 0xffff) throw new RangeError('parameter set size');
    size += 2 + u.length;
  }
  const out = new Uint8Array(size);
  out[0] = 1;
  out[1] = first[1]!;
  out[2] = first[2]!;
  out[3] = first[3]!;
  out[4] = 0xfc | (nalLengthSize - 1);
  out[5] = 0xe0 | sps.length;
  let pos = 6;
  const put = (u: Uint8Array): void => {
    out[pos] = u.length >>> 8;
    out[pos + 1] = u.length & 0xff;
    out.set(u, pos + 2);
    pos += 2 + u.length;
  };
  for (const u of sps) put(u);
  out[pos++] = pps.length;
  for (const u of pps) put(u);
  return out;
}
