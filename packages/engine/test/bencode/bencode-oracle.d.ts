// Types for the npm `bencode` package (dev-only test oracle; it ships no declarations).
declare module 'bencode' {
  type OracleValue = number | Uint8Array | OracleValue[] | { [key: string]: OracleValue };
  const bencode: {
    encode(value: unknown): Uint8Array;
    decode(data: Uint8Array): OracleValue;
  };
  export default bencode;
}
