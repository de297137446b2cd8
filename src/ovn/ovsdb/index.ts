// The OVSDB client's public surface: import from 'src/ovn/ovsdb' rather than its inner files.
export { OvsdbClient, type OvsdbClientOptions, type MonitorSpec, type MonitorHandle, type MonitorTableRequest, type OvsdbClientEvents, type ReconnectOptions } from './client';
export { OvsdbError, OvsdbConnectionError, OvsdbProtocolError, OvsdbTimeoutError, OvsdbSchemaError } from './errors';
export { Operations, type Operation, type Condition, type Mutation, type TransactResult, type OperationResult, type OvsdbRow, type TableMap, type GenericRow, type GenericTables, type RowInput } from './operations';
export { namedUuid, NamedUuid, decodeValue, encodeValue, applyDiff, type Atom, type ColumnValue, type InputValue } from './value-codec';
export { TableCache, type RowChange, type ChangeKind, sameRow, sameValue } from './table-cache';
export { parseSchema, columnOf, tableOf, type DatabaseSchema, type TableSchema, type ColumnSchema, type ColumnType } from './schema';
export { parseRemote, type Remote, type TlsMaterial, type TransportOptions } from './transport';
export { JsonStreamScanner } from './json-stream';
export type { JsonValue } from './json-value';
export * from './models/nb';
export * from './models/sb';
export * from './models/vswitch';
