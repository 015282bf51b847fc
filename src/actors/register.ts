// Imported by every worker (and the main thread) before any actor spawns: registering
// an actor kind is a side effect of importing its module.
import './worker-root.ts';
import './media-hub.ts';
import './stream-fanout.ts';
import './stream-source.ts';
import './rtmp-acceptor.ts';
import './rtmp-session.ts';
import './http-acceptor.ts';
import './hls-muxer.ts';
import './cmaf-muxer.ts';
import './hls-live-store.ts';
import './dvr.ts';
import './transcoder.ts';
import './ingester.ts';
import './forwarder.ts';
import './edge.ts';
