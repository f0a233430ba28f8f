//! SHA-256 of files and of bytes as they are written, in the lowercase hex catalogs use.

use std::fs::File;
use std::io::{self, Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

pub fn hex(digest: impl AsRef<[u8]>) -> String {
    digest
        .as_ref()
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// The SHA-256 and size of a file.
pub fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; 1 << 20];
    let mut size = 0;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok((hex(hasher.finalize()), size));
        }
        hasher.update(&buffer[..n]);
        size += n as u64;
    }
}

/// A writer that hashes and counts what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> HashingWriter<W> {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            size: 0,
        }
    }

    /// The hash and size of everything written since the last call.
    pub fn take(&mut self) -> (String, u64) {
        let hasher = std::mem::take(&mut self.hasher);
        (hex(hasher.finalize()), std::mem::take(&mut self.size))
    }

    pub fn into_inner(self) -> W {
        self.inner
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha256_bytes(bytes: &[u8]) -> String {
        hex(Sha256::digest(bytes))
    }

    #[test]
    fn hashes_what_is_written() {
        let mut writer = HashingWriter::new(Vec::new());
        writer.write_all(b"abc").expect("writes");
        let (sha, size) = writer.take();
        assert_eq!(
            sha,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!((size, sha256_bytes(b"abc")), (3, sha));
        writer.write_all(b"").expect("writes");
        assert_eq!(writer.take().0, sha256_bytes(b""));
        assert_eq!(writer.into_inner(), b"abc");
    }
}
