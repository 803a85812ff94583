/**
 * Reading the files a person names on the command line (-f, --offsets @file, --ca-file). Only
 * regular files are read: a FIFO or a device (/dev/zero) never ends, and reading one would block
 * the command past its --timeout, since a synchronous read cannot be interrupted.
 */
import { readFileSync, statSync, type Stats } from 'node:fs'
import { InvalidArgumentError } from '../resilience/errors.ts'

/** The text of `path`; `what` names the option in errors (`-f`, `--ca-file`). */
export function readUserFile (path: string, what: string): string {
  try {
    const info = statSync(path)
    if (!info.isFile()) throw new InvalidArgumentError(`${what}: ${path} is not a regular file (${kindOf(info)}); only regular files are read`)
    return readFileSync(path, 'utf8')
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw error
    throw new InvalidArgumentError(`${what}: cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
}

function kindOf (info: Stats): string {
  if (info.isDirectory()) return 'a directory'
  if (info.isFIFO()) return 'a FIFO'
  if (info.isSocket()) return 'a socket'
  return 'a device'
}

/** Reads a `--ca-file` PEM; an unreadable file is a clear error naming it. */
export function readCaFile (path: string): string {
  return readUserFile(path, '--ca-file')
}
