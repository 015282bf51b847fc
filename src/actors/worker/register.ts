// Imported by every worker (and the main thread) before any actor spawns: registering
// an actor kind is a side effect of importing its module.
import './worker-root.ts';
import '../stream/media-hub.ts';
import '../stream/stream-fanout.ts';
import '../stream/stream-source.ts';
import '../rtmp/rtmp-acceptor.ts';
import '../rtmp/rtmp-session.ts';
import '../http/http-acceptor.ts';
import '../hls/hls-muxer.ts';
import '../hls/cmaf-muxer.ts';
import '../hls/hls-live-store.ts';
import '../dvr/dvr.ts';
import '../ffmpeg/transcoder.ts';
import '../ffmpeg/ingester.ts';
import '../relay/forwarder.ts';
import '../relay/edge.ts';
