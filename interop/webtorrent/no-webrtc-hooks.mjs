// Module resolution hooks for peer.mjs: WebTorrent imports `webrtc-polyfill`, which loads the native
// node-datachannel binary that `npm install --ignore-scripts` never fetched. The tests use TCP only, so the
// polyfill is replaced by stubs that fail if anything ever tries WebRTC.
const STUB = `
class NoWebRTC { constructor() { throw new Error('WebRTC is disabled in the bitloom interop peer'); } }
export const RTCPeerConnection = NoWebRTC;
export const RTCSessionDescription = NoWebRTC;
export const RTCIceCandidate = NoWebRTC;
export default { RTCPeerConnection, RTCSessionDescription, RTCIceCandidate };
`;

export async function resolve(specifier, context, nextResolve) {
  if (specifier === 'webrtc-polyfill' || specifier === 'node-datachannel') {
    return { url: `data:text/javascript,${encodeURIComponent(STUB)}`, shortCircuit: true };
  }
  return nextResolve(specifier, context);
}
