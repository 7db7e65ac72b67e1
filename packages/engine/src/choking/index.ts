export {
  type ChokeDecision,
  type ChokeRoundInput,
  type ChokerPeer,
  type ChokerState,
  chokeRound,
  DEFAULT_NEW_PEER_MS,
  DEFAULT_NEW_PEER_WEIGHT,
  DEFAULT_OPTIMISTIC_INTERVAL_MS,
  DEFAULT_REGULAR_SLOTS,
} from './choker.js';
