//! Where GGUF bytes come from: a file natively, or the chunks a wasm worker received (weights
//! arrive from IndexedDB in pieces, and one ArrayBuffer near 2 GB breaks, so they are never joined).

use std::io::{self, Read, Seek, SeekFrom};

/// A `Read + Seek` view over a list of byte chunks, as if they were one file.
pub struct ChunkReader<'a> {
    chunks: Vec<&'a [u8]>,
    /// `starts[i]` is the offset of `chunks[i]` in the whole.
    starts: Vec<u64>,
    len: u64,
    pos: u64,
}

impl<'a> ChunkReader<'a> {
    pub fn new(chunks: impl IntoIterator<Item = &'a [u8]>) -> ChunkReader<'a> {
        let chunks: Vec<&[u8]> = chunks.into_iter().filter(|c| !c.is_empty()).collect();
        let mut starts = Vec::with_capacity(chunks.len());
        let mut len = 0u64;
        for c in &chunks {
            starts.push(len);
            len += c.len() as u64;
        }
        ChunkReader {
            chunks,
            starts,
            len,
            pos: 0,
        }
    }

    /// Total length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

impl Read for ChunkReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos >= self.len || buf.is_empty() {
            return Ok(0);
        }
        // The chunk holding `pos`: the last one starting at or before it.
        let i = self.starts.partition_point(|&s| s <= self.pos) - 1;
        let within = (self.pos - self.starts[i]) as usize;
        let chunk = &self.chunks[i][within..];
        let n = chunk.len().min(buf.len());
        buf[..n].copy_from_slice(&chunk[..n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for ChunkReader<'_> {
    fn seek(&mut self, from: SeekFrom) -> io::Result<u64> {
        let target = match from {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        match target {
            Some(p) => {
                self.pos = p;
                Ok(p)
            }
            None => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the weights",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_across_chunk_boundaries_and_seeks() {
        let a = [0u8, 1, 2];
        let b = [3u8, 4];
        let c = [5u8, 6, 7, 8];
        let mut r = ChunkReader::new([&a[..], &[][..], &b[..], &c[..]]);
        assert_eq!(r.len(), 9);
        let mut all = Vec::new();
        r.read_to_end(&mut all).expect("read");
        assert_eq!(all, (0..9).collect::<Vec<u8>>());
        r.seek(SeekFrom::Start(2)).expect("seek");
        let mut buf = [0u8; 4];
        r.read_exact(&mut buf).expect("read");
        assert_eq!(buf, [2, 3, 4, 5]);
        r.seek(SeekFrom::End(-1)).expect("seek");
        let mut one = [0u8; 1];
        r.read_exact(&mut one).expect("read");
        assert_eq!(one, [8]);
        assert!(r.seek(SeekFrom::Current(-100)).is_err());
    }
}
