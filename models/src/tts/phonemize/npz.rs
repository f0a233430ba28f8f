//! Float arrays out of a numpy `.npz` held in memory (a zip of `.npy` files), for g2p_en's
//! checkpoint: little-endian f32, C order.

use std::io::{Cursor, Read};

use crate::{ModelError, Result};

/// A C-order f32 array and its shape.
pub struct Array {
    pub shape: Vec<usize>,
    pub data: Vec<f32>,
}

fn bad(why: String) -> ModelError {
    ModelError::BadModel(format!("g2p_en.npz: {why}"))
}

/// The array `name` (without `.npy`), checked to have `shape`.
pub fn read(bytes: &[u8], name: &str, shape: &[usize]) -> Result<Array> {
    let mut archive =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| bad(format!("not an npz: {e}")))?;
    let mut member = archive
        .by_name(&format!("{name}.npy"))
        .map_err(|_| bad(format!("no array {name}")))?;
    let mut npy = Vec::new();
    member.read_to_end(&mut npy)?;
    let array = parse_npy(&npy).map_err(|why| bad(format!("{name}: {why}")))?;
    if array.shape != shape {
        return Err(bad(format!(
            "{name} has shape {:?}, expected {shape:?}",
            array.shape
        )));
    }
    Ok(array)
}

fn parse_npy(npy: &[u8]) -> std::result::Result<Array, String> {
    if !npy.starts_with(b"\x93NUMPY") || npy.len() < 10 {
        return Err("not a .npy array".into());
    }
    let (header_len, header_at) = match npy[6] {
        1 => (usize::from(u16::from_le_bytes([npy[8], npy[9]])), 10),
        _ if npy.len() >= 12 => (
            u32::from_le_bytes([npy[8], npy[9], npy[10], npy[11]]) as usize,
            12,
        ),
        _ => return Err("truncated header".into()),
    };
    let header = npy
        .get(header_at..header_at + header_len)
        .ok_or("truncated header")?;
    let header = String::from_utf8_lossy(header);
    if !header.contains("'descr': '<f4'") {
        return Err(format!("not little-endian f32: {header}"));
    }
    if header.contains("'fortran_order': True") {
        return Err("Fortran order".into());
    }
    let shape_text = header
        .split("'shape': (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .ok_or("no shape")?;
    let shape = shape_text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<usize>().map_err(|e| format!("shape {s:?}: {e}")))
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let count: usize = shape.iter().product();
    let body = &npy[header_at + header_len..];
    if body.len() != count * 4 {
        return Err(format!("{} bytes for {count} floats", body.len()));
    }
    let data = body
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    Ok(Array { shape, data })
}
