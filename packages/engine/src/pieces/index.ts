export { Bitfield } from './bitfield.js';
export type { BlockRequest, PeerKey } from './block-request.js';
export { BitfieldError, PiecePickerError } from './errors.js';
export { PieceLayout } from './piece-layout.js';
export {
  type BlockReceipt,
  MAX_CRITICAL_PIECES,
  type PickOptions,
  PiecePicker,
  type PiecePickerOptions,
} from './piece-picker.js';
export {
  type ReadAhead,
  type ReadAheadOptions,
  readAheadWindows,
  type StreamPosition,
} from './read-ahead.js';
