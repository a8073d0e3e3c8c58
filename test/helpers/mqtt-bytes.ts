// Raw MQTT bytes for tests that speak to the broker below the client library.

/** The remaining-length field of MQTT's fixed header (1–4 bytes, 7 bits each). */
export function encodeLength (n: number): Buffer {
  const out: number[] = []
  do {
    let byte = n % 128
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return Buffer.from(out)
}
