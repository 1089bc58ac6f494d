// Reading a package file a person chose (a USB drive, a download folder). Only a regular file of a
// sane size is read: a device such as /dev/zero would eat all memory and a FIFO would block forever.
// The file is opened without blocking and checked on the open descriptor, so it cannot be swapped
// between the check and the read.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { PackageError } from '../../errors.ts';

export interface PackageFile {
  fd: number;
  /** Bytes in the file when it was opened. */
  size: number;
  /** Exactly `length` bytes at `offset`; a file that shrank while being read is reported as unreadable. */
  read(offset: number, length: number): Buffer;
  close(): void;
}

export function openPackageFile(path: string, maxBytes: number): PackageFile {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | (constants.O_NOCTTY ?? 0));
  } catch (error) {
    throw new PackageError('FILE_UNREADABLE', `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new PackageError('PACKAGE_NOT_A_FILE', `${path} is ${stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a pipe' : stat.isCharacterDevice() || stat.isBlockDevice() ? 'a device' : 'not a regular file'}`);
    if (stat.size > maxBytes) throw new PackageError('PACKAGE_TOO_LARGE', `${path} is ${stat.size} bytes; at most ${maxBytes}`);
    const size = stat.size;
    return {
      fd,
      size,
      read(offset, length) {
        const buffer = Buffer.allocUnsafe(length);
        let done = 0;
        while (done < length) {
          let n: number;
          try {
            n = readSync(fd, buffer, done, length - done, offset + done);
          } catch (error) {
            throw new PackageError('FILE_UNREADABLE', `${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
          }
          if (n === 0) throw new PackageError('FILE_UNREADABLE', `${path} became shorter while it was read`);
          done += n;
        }
        return buffer;
      },
      close: () => closeSync(fd),
    };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The whole file, read through the checks above. */
export function readPackageFile(path: string, maxBytes: number): Buffer {
  const file = openPackageFile(path, maxBytes);
  try {
    return file.read(0, file.size);
  } finally {
    file.close();
  }
}
