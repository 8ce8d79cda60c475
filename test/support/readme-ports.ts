/**
 * The README as a test, part 3: "a machine where port 3000 is taken" (issue 27
 * item 5). The README test runs every block with PORT (and the stand-in's
 * JUNCTION_STANDIN_PORT) set to other ports while something else holds the
 * defaults; a block that hard-codes a default reaches that something, which
 * answers no request and notes who connected.
 *
 * Other programs on the machine may reach a default port too (another
 * `npm start`, a test of another layer running beside this one): on Linux each
 * connection is traced to its process (/proc), and only the ones this test's
 * own shells made count. Where /proc is missing, every connection counts.
 */
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { freePort } from './npm-start';
import type { Block } from './readme-blocks';

/** Who connected: the process's id and command line, and whether it descends from this test process. */
export interface Connection {
  pid: number | null;
  command: string;
  fromThisTest: boolean;
}

/** A program in the way on a port: every connection is cut at once (curl exits non-zero, fetch throws) and noted. */
export interface PortOccupant {
  port: number;
  /** False when another program held the port already: it is taken either way, but connections are not seen. */
  ours: boolean;
  /** Connections made by this test's own processes (every connection where /proc cannot tell). */
  connectionsFromThisTest(): Connection[];
  close(): Promise<void>;
}

/** Takes `port` on 127.0.0.1, where `npm start` and the stand-in listen, unless something holds it already. */
export async function occupyPort(port: number): Promise<PortOccupant> {
  const connections: Connection[] = [];
  const server: Server = createServer((socket) => {
    // Traced before the cut: the client still holds its end of the connection.
    connections.push(connectionFrom(socket.remotePort));
    socket.destroy();
  });
  const ours = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  return {
    port,
    ours,
    connectionsFromThisTest: () => connections.filter((connection) => connection.fromThisTest),
    close: () => new Promise<void>((resolve) => (ours ? server.close(() => resolve()) : resolve())),
  };
}

/** The process at the other end of a loopback connection from `remotePort`, from /proc (Linux). */
function connectionFrom(remotePort: number | undefined): Connection {
  try {
    const pid = remotePort === undefined ? null : ownerOfLocalPort(remotePort);
    if (pid === null) return { pid: null, command: 'unknown', fromThisTest: true };
    return { pid, command: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(), fromThisTest: descendsFrom(pid, process.pid) };
  } catch {
    return { pid: null, command: 'unknown (no /proc)', fromThisTest: true };
  }
}

/** The pid holding the TCP socket whose local port is `port`, or null. */
function ownerOfLocalPort(port: number): number | null {
  const hex = `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  const inodes = ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((file) => readFileSync(file, 'utf8').split('\n').slice(1))
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields[1]?.endsWith(hex))
    .map((fields) => `socket:[${fields[9]}]`);
  if (inodes.length === 0) return null;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      for (const fd of readdirSync(`/proc/${entry}/fd`)) if (inodes.includes(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
    } catch {
      // A process that ended meanwhile, or another user's: not the one.
    }
  }
  return null;
}

/** Whether `ancestor` is `pid` or one of its ancestors (parent ids from /proc/<pid>/stat). */
function descendsFrom(pid: number, ancestor: number): boolean {
  for (let current = pid; current > 1; ) {
    if (current === ancestor) return true;
    // The command name (field 2) may hold spaces and parentheses: the parent id follows its last ')'.
    const stat = readFileSync(`/proc/${current}/stat`, 'utf8');
    current = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return false;
}

/** A free port other than `avoid` (the defaults the test keeps taken). */
export async function freePortOtherThan(avoid: readonly number[]): Promise<number> {
  for (;;) {
    const port = await freePort();
    if (!avoid.includes(port)) return port;
  }
}

/**
 * Commands of runnable blocks that name a loopback port in digits
 * (`127.0.0.1:3000`, `localhost:4010`), as `file:line: command`: each should
 * read it from a variable with the default beside it (`${PORT:-3000}`).
 */
export function hardCodedPorts(blocks: readonly Block[]): string[] {
  return blocks
    .filter((block) => block.skip === null)
    .flatMap((block) => block.commands.filter((command) => /\b(?:127\.0\.0\.1|localhost):\d/.test(command.shell)).map((command) => `${block.file}:${command.line}: ${command.shell}`));
}
