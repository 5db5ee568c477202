/**
 * Runs `fn` once the browser has produced the next frame: a message posted from that frame's
 * animation callback is delivered only after the frame's style, layout and paint, so the mark sits
 * right after the frame that shows a commit (a second animation frame would add a whole frame
 * interval, ~16 ms, to every measure). Returns a cancel.
 */
export function afterNextPaint(fn: () => void): () => void {
  let live = true;
  const channel = new MessageChannel();
  channel.port1.onmessage = () => {
    channel.port1.close();
    if (live) fn();
  };
  const frame = requestAnimationFrame(() => channel.port2.postMessage(null));
  return () => {
    live = false;
    cancelAnimationFrame(frame);
    channel.port1.close();
  };
}
