/** The producer's public API. See docs/producer.md. */
export { Producer } from './producer.ts'
export type { ProducerOptions, ResolvedProducerOptions, Acks } from './options.ts'
export type { ProducerRecord, Bytes } from './record.ts'
export type { RecordMetadata } from './batch.ts'
export { defaultPartitioner, roundRobinPartitioner, keyedRoundRobinPartitioner, type Partitioner, type PartitionerInput, type PartitionFunction } from './partitioner.ts'
export { murmur2, toPositive, keyPartition } from './murmur2.ts'
export { ProducerClosedError, BufferFullError, RecordTooLargeError, UncertainDeliveryError, SendBatchError } from './errors.ts'
