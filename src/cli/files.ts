/**
 * Reading the files a person names on the command line (-f, --offsets @file, --ca-file). Only
 * regular files are read: a FIFO or a device (/dev/zero) never ends, and reading one would block
 * the command past its --timeout, since a synchronous read cannot be interrupted.
 */
import { X509Certificate } from 'node:crypto'
import { readFileSync, statSync, type Stats } from 'node:fs'
import { InvalidArgumentError } from '../resilience/errors.ts'

/** The text of `path`; `what` names the option in errors (`-f`, `--ca-file`). */
export function readUserFile (path: string, what: string): string {
  checkUserFile(path, what)
  try {
    return readFileSync(path, 'utf8')
  } catch (error) {
    throw new InvalidArgumentError(`${what}: cannot read ${path}: ${(error as Error).message}`, { cause: error })
  }
}

/** Refuses, naming `what`, a path that is not a regular file (for files that are streamed, not read whole). */
export function checkUserFile (path: string, what: string): void {
  try {
    const info = statSync(path)
    if (!info.isFile()) throw new InvalidArgumentError(`${what}: ${path} is not a regular file (${kindOf(info)}); only regular files are read`)
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

/**
 * Reads a `--ca-file`: PEM certificates, each of which must parse. Anything else is refused here,
 * naming the file; TLS would otherwise ignore it and fail later as "self-signed certificate".
 */
export function readCaFile (path: string, what = '--ca-file'): string {
  const text = readUserFile(path, what)
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []
  if (blocks.length === 0) throw new InvalidArgumentError(`${what}: ${path} holds no PEM certificate (expected -----BEGIN CERTIFICATE----- blocks)`)
  for (const [i, block] of blocks.entries()) {
    try {
      new X509Certificate(block) // eslint-disable-line no-new -- parsing is the check
    } catch (error) {
      throw new InvalidArgumentError(`${what}: certificate ${i + 1} in ${path} cannot be read: ${(error as Error).message}`, { cause: error })
    }
  }
  return text
}
