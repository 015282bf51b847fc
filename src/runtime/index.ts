// sluice/runtime: the actor runtime on worker threads, usable without the media server.
export { ActorSystem } from './actor-system.ts';
export type {
  ActorSystemOptions,
  ActorRespawnedEvent,
  EscalatedEvent,
  WorkerDiedEvent,
  WorkerRestartedEvent,
  WorkerStatus,
} from './actor-system.ts';
export { registerActor, registerControl, currentWorker, getWorkerData, threadTag, threadTagOf } from './registry.ts';
export { SluiceError, isSluiceError, registerErrorCodes, errorCodeText } from './errors.ts';
export type { ErrorCode, ErrorCodeRegistry } from './errors.ts';
export { createLogger } from './logger.ts';
export type { LoggerOptions } from './logger.ts';
export { keepMemoryReducerWorking } from './memory-reducer.ts';
export { DIRECTORY_KIND, DIRECTORY_REF, Directory, onOwnerThreadLost } from './directory.ts';
export type * from './directory.ts';
export { SHARED_DIRECTORY_KIND, SHARED_DIRECTORY_REF, SharedDirectory } from './shared-directory.ts';
export type * from './shared-directory.ts';
export { MemoryDirectoryBackend } from './directory-backend.ts';
export type * from './directory-backend.ts';
export { sameRef } from './types.ts';
export type * from './types.ts';
export type { ControlApi } from './control.ts';
export * from './ring.ts';
export { BlockPool, createBlockPool, poolFor, MIN_BLOCK_SIZE, MAX_BLOCK_SIZE } from './block-pool.ts';
export type { BlockPoolHandle, BlockPoolStats } from './block-pool.ts';
export { BlockBuffer, isBlockBytes, releaseBlockBytes, pinBlockBytes, forEachBlockPiece } from './block-bytes.ts';
export type { BlockBytes } from './block-bytes.ts';
export { CHAIN_FLAG_SYNC, CHAIN_FLAG_JOIN_ONLY } from './chain-layout.ts';
export type { ChainHandle } from './chain-layout.ts';
export { ChainWriter, PoolFullError } from './chain-writer.ts';
export { releaseHoldsOf } from './chain-release.ts';
export { ChainReader } from './chain-reader.ts';
export type { ChainReaderOptions, ChainRecord, ChainStart } from './chain-reader.ts';
