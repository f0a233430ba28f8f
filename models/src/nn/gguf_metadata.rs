//! Typed reads of a GGUF file's metadata (llama.cpp's `llama_model_loader::get_key`): counts
//! whatever integer type the converter wrote them in, floats widened or narrowed to f32.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::Value;

use crate::{ModelError, Result};

/// A string value, or a `BadModel` error naming the key.
pub(crate) fn md_str<'a>(md: &'a HashMap<String, Value>, k: &str) -> Result<&'a str> {
    match md.get(k) {
        Some(Value::String(s)) => Ok(s),
        _ => Err(ModelError::BadModel(format!("metadata {k} is missing"))),
    }
}

/// A non-negative integer of any width, or a `BadModel` error naming the key.
pub(crate) fn md_usize(md: &HashMap<String, Value>, k: &str) -> Result<usize> {
    let v = md
        .get(k)
        .ok_or_else(|| ModelError::BadModel(format!("metadata {k} is missing")))?;
    let n = match v {
        Value::U8(x) => *x as u64,
        Value::U16(x) => *x as u64,
        Value::U32(x) => *x as u64,
        Value::U64(x) => *x,
        Value::I8(x) if *x >= 0 => *x as u64,
        Value::I16(x) if *x >= 0 => *x as u64,
        Value::I32(x) if *x >= 0 => *x as u64,
        Value::I64(x) if *x >= 0 => *x as u64,
        _ => return Err(ModelError::BadModel(format!("metadata {k} is not a count"))),
    };
    Ok(n as usize)
}

/// [`md_usize`], or `default` when the key is missing or not a count.
pub(crate) fn md_usize_or(md: &HashMap<String, Value>, k: &str, default: usize) -> usize {
    md_usize(md, k).unwrap_or(default)
}

/// A float, or a 32-bit unsigned integer read as one.
pub(crate) fn md_f32(md: &HashMap<String, Value>, k: &str) -> Option<f32> {
    match md.get(k)? {
        Value::F32(x) => Some(*x),
        Value::F64(x) => Some(*x as f32),
        other => other.to_u32().ok().map(|x| x as f32),
    }
}

/// A bool, or an integer read as one (non-zero is true).
pub(crate) fn md_bool(md: &HashMap<String, Value>, k: &str) -> Option<bool> {
    match md.get(k)? {
        Value::Bool(b) => Some(*b),
        other => other.to_u8().ok().map(|x| x != 0),
    }
}
