/**
 * A TCP relay on loopback that records the first bytes each way of every connection it carries: put between a
 * client and bitloom, it shows what actually crossed the wire (e.g. that a stream was encrypted).
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/** The bytes one relayed connection carried, each direction capped at `recordBytes`. */
export interface RelayedConnection {
  fromClient: Buffer;
  fromServer: Buffer;
}

export interface RecordingProxy {
  readonly port: number;
  readonly connections: RelayedConnection[];
  close(): Promise<void>;
}

/** Relays 127.0.0.1:<port> to 127.0.0.1:`targetPort`. */
export async function startRecordingProxy(
  targetPort: number,
  recordBytes = 64 * 1024,
): Promise<RecordingProxy> {
  const connections: RelayedConnection[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const record: RelayedConnection = { fromClient: Buffer.alloc(0), fromServer: Buffer.alloc(0) };
    connections.push(record);
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      if (record.fromClient.length < recordBytes)
        record.fromClient = Buffer.concat([record.fromClient, chunk]);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (record.fromServer.length < recordBytes)
        record.fromServer = Buffer.concat([record.fromServer, chunk]);
    });
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('proxy has no port');
  return {
    port: address.port,
    connections,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
