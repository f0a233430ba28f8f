//! Reading a GGUF's header safely: a file from anywhere (a custom catalog, a user's import) is
//! checked before Candle's reader sees it and before anything is sized from it. Candle 0.11
//! bounds counts and string lengths, but divides by `general.alignment` unchecked (0 panics) and
//! multiplies tensor dimensions unchecked; a wasm worker aborts on a panic, so both are refused
//! here with a message the UI can show.

use std::io::{Read, Seek, SeekFrom};

use candle_core::quantized::gguf_file::{self, Content};

use crate::{ModelError, Result};

/// llama.cpp's `GGUF_DEFAULT_ALIGNMENT`.
const DEFAULT_ALIGNMENT: u64 = 32;
/// Nested arrays deeper than this are not a model (Candle stops at the same depth).
const MAX_DEPTH: usize = 4;

/// Candle's `Content::read`, after checking what it trusts, and with every tensor's byte range
/// checked against the file afterwards.
pub(crate) fn read_content<R: Read + Seek>(reader: &mut R) -> Result<Content> {
    let start = reader.stream_position()?;
    let file_len = reader.seek(SeekFrom::End(0))?;
    reader.seek(SeekFrom::Start(start))?;
    let alignment = scan_alignment(reader, file_len)?;
    reader.seek(SeekFrom::Start(start))?;
    let content = gguf_file::Content::read(reader)?;
    check_tensors(&content, alignment, file_len)?;
    Ok(content)
}

fn bad(msg: impl Into<String>) -> ModelError {
    ModelError::BadModel(format!("not a valid GGUF file: {}", msg.into()))
}

/// Walks the header's key-value pairs without keeping them, for `general.alignment`, which must
/// be a power of two (as llama.cpp's `gguf_init_from_file` requires).
fn scan_alignment<R: Read + Seek>(r: &mut R, file_len: u64) -> Result<u64> {
    let mut h = Header { r, file_len };
    let magic = h.u32()?;
    if magic != 0x4655_4747 {
        return Err(bad("it does not start with the GGUF magic"));
    }
    let version = h.u32()?;
    if !(1..=3).contains(&version) {
        return Err(bad(format!("unknown GGUF version {version}")));
    }
    let wide = version >= 2;
    let _tensor_count = h.len(wide)?;
    let kv_count = h.len(wide)?;
    let mut alignment = DEFAULT_ALIGNMENT;
    for _ in 0..kv_count {
        let key = h.string(wide)?;
        let ty = h.u32()?;
        if key == b"general.alignment" {
            alignment = match ty {
                0 | 1 => h.fixed(1)?,
                2 | 3 => h.fixed(2)?,
                4 | 5 => h.fixed(4)?,
                _ => return Err(bad("general.alignment is not an integer")),
            };
            if alignment == 0 || !alignment.is_power_of_two() || alignment >= 1 << 31 {
                return Err(bad(format!(
                    "general.alignment is {alignment}; it must be a power of two"
                )));
            }
        } else {
            h.skip_value(ty, wide, 0)?;
        }
    }
    Ok(alignment)
}

/// Every tensor's element count, byte size and range fit in the file, computed without overflow.
fn check_tensors(content: &Content, alignment: u64, file_len: u64) -> Result<()> {
    for (name, info) in &content.tensor_infos {
        let elems = info
            .shape
            .dims()
            .iter()
            .try_fold(1u64, |n, &d| n.checked_mul(d as u64))
            .ok_or_else(|| bad(format!("tensor {name}'s dimensions overflow")))?;
        let block = info.ggml_dtype.block_size() as u64;
        if elems % block != 0 {
            return Err(bad(format!(
                "tensor {name} has {elems} elements, not a whole number of {block}-element blocks"
            )));
        }
        let size = (elems / block)
            .checked_mul(info.ggml_dtype.type_size() as u64)
            .ok_or_else(|| bad(format!("tensor {name}'s size overflows")))?;
        if info.offset % alignment != 0 {
            return Err(bad(format!(
                "tensor {name} starts at {}, not a multiple of the alignment {alignment}",
                info.offset
            )));
        }
        let end = content
            .tensor_data_offset
            .checked_add(info.offset)
            .and_then(|s| s.checked_add(size));
        if end.is_none_or(|e| e > file_len) {
            return Err(bad(format!(
                "tensor {name} ({size} bytes at {}) runs past the end of the file ({file_len} bytes): is the download complete?",
                info.offset
            )));
        }
    }
    Ok(())
}

/// A bounds-checked cursor over the header: every length is checked against what is left of
/// the file before anything is read or skipped.
struct Header<'a, R> {
    r: &'a mut R,
    file_len: u64,
}

impl<R: Read + Seek> Header<'_, R> {
    fn remaining(&mut self) -> Result<u64> {
        Ok(self.file_len.saturating_sub(self.r.stream_position()?))
    }

    fn u32(&mut self) -> Result<u32> {
        let mut b = [0u8; 4];
        self.r
            .read_exact(&mut b)
            .map_err(|_| bad("the header ends early"))?;
        Ok(u32::from_le_bytes(b))
    }

    /// A little-endian unsigned integer of `n` bytes (1, 2, 4 or 8).
    fn fixed(&mut self, n: usize) -> Result<u64> {
        let mut b = [0u8; 8];
        self.r
            .read_exact(&mut b[..n])
            .map_err(|_| bad("the header ends early"))?;
        Ok(u64::from_le_bytes(b))
    }

    /// A count or string length: u32 in GGUF v1, u64 after.
    fn len(&mut self, wide: bool) -> Result<u64> {
        self.fixed(if wide { 8 } else { 4 })
    }

    /// Reads past `n` bytes through the reader's own buffer (seeking would drop it per string).
    fn skip(&mut self, n: u64) -> Result<()> {
        if n > self.remaining()? {
            return Err(bad("a header value runs past the end of the file"));
        }
        let copied = std::io::copy(&mut self.r.by_ref().take(n), &mut std::io::sink())?;
        if copied != n {
            return Err(bad("the header ends early"));
        }
        Ok(())
    }

    fn string(&mut self, wide: bool) -> Result<Vec<u8>> {
        let n = self.len(wide)?;
        if n > self.remaining()? || n > 1 << 20 {
            return Err(bad(format!("a key of {n} bytes")));
        }
        let mut v = vec![0u8; n as usize];
        self.r
            .read_exact(&mut v)
            .map_err(|_| bad("the header ends early"))?;
        Ok(v)
    }

    fn skip_value(&mut self, ty: u32, wide: bool, depth: usize) -> Result<()> {
        match ty {
            0 | 1 | 7 => self.skip(1),
            2 | 3 => self.skip(2),
            4..=6 => self.skip(4),
            10..=12 => self.skip(8),
            8 => {
                let n = self.len(wide)?;
                self.skip(n)
            }
            9 => {
                if depth >= MAX_DEPTH {
                    return Err(bad("arrays nested too deep"));
                }
                let elem = self.u32()?;
                let n = self.len(wide)?;
                match fixed_size(elem) {
                    Some(size) => self.skip(
                        n.checked_mul(size)
                            .ok_or_else(|| bad("an array's size overflows"))?,
                    ),
                    None => {
                        // Each element takes at least a byte: a count beyond the file is a lie.
                        if n > self.remaining()? {
                            return Err(bad(format!("an array of {n} elements")));
                        }
                        for _ in 0..n {
                            self.skip_value(elem, wide, depth + 1)?;
                        }
                        Ok(())
                    }
                }
            }
            other => Err(bad(format!("unknown value type {other}"))),
        }
    }
}

/// Bytes per element of a fixed-size GGUF value type.
fn fixed_size(ty: u32) -> Option<u64> {
    match ty {
        0 | 1 | 7 => Some(1),
        2 | 3 => Some(2),
        4..=6 => Some(4),
        10..=12 => Some(8),
        _ => None,
    }
}

#[cfg(test)]
#[path = "gguf_read_tests.rs"]
mod tests;
