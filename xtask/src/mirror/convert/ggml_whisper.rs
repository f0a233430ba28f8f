//! Writes a Whisper model in whisper.cpp's own `ggml` file layout, from the Hugging Face
//! safetensors layout the mirror holds, so the whisper.cpp WASM build can run the very weights
//! Lantern runs (for `cargo xtask bench stt`). The layout follows whisper.cpp's
//! `models/convert-h5-to-ggml.py` (read, not copied): a magic and eleven i32 hyper-parameters,
//! the mel filters as f32, the byte-level vocabulary, then each tensor as (n_dims, name length,
//! ftype, dims innermost first, name, data), 2-D and larger in f16, the rest in f32.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;

use anyhow::{Context, bail};
use serde_json::Value;

/// `ggml` in ASCII, as whisper.cpp reads it (little-endian u32).
const MAGIC: u32 = 0x6767_6d6c;
/// STFT bins of Whisper's 400-point FFT: the filters' second dimension.
const N_FREQS: usize = 201;

/// Converts `model_dir` (config.json, tokenizer.json, model.safetensors) with the mel filters in
/// `mel_filters_npz` into `out`. Weights go in f16, as in whisper.cpp's own files: its convolution
/// kernel asserts f16 weights, so an all-f32 file does not run.
pub fn convert(model_dir: &Path, mel_filters_npz: &Path, out: &Path) -> anyhow::Result<()> {
    let config: Value = serde_json::from_slice(&std::fs::read(model_dir.join("config.json"))?)?;
    let int = |key: &str| -> anyhow::Result<i32> {
        let value = config[key]
            .as_i64()
            .with_context(|| format!("config.json has no integer {key}"))?;
        Ok(i32::try_from(value)?)
    };
    let n_mels = int("num_mel_bins")?;
    let mut file = Vec::new();
    for value in [
        MAGIC as i32,
        int("vocab_size")?,
        int("max_source_positions")?,
        int("d_model")?,
        int("encoder_attention_heads")?,
        int("encoder_layers")?,
        int("max_target_positions")?,
        int("d_model")?,
        int("decoder_attention_heads")?,
        int("decoder_layers")?,
        n_mels,
        1, // f16 weights
    ] {
        file.extend(value.to_le_bytes());
    }
    let filters = mel_filters(mel_filters_npz, n_mels as usize)?;
    file.extend((n_mels).to_le_bytes());
    file.extend((N_FREQS as i32).to_le_bytes());
    for x in filters {
        file.extend(x.to_le_bytes());
    }
    write_vocabulary(&mut file, &model_dir.join("tokenizer.json"))?;
    let weights = std::fs::read(model_dir.join("model.safetensors"))?;
    let tensors = safetensors::SafeTensors::deserialize(&weights)?;
    let mut names: Vec<String> = tensors.names().into_iter().map(str::to_string).collect();
    names.sort();
    for name in names {
        // Tied to the token embedding; whisper.cpp has no separate output projection.
        if name == "proj_out.weight" {
            continue;
        }
        let view = tensors.tensor(&name)?;
        let values = as_f32(&view)?;
        let ggml_name = ggml_name(&name)?;
        let mut shape: Vec<usize> = view.shape().iter().copied().filter(|&d| d != 1).collect();
        if ggml_name == "encoder.conv1.bias" || ggml_name == "encoder.conv2.bias" {
            shape.push(1);
        }
        let small = shape.len() < 2
            || ggml_name.ends_with("conv1.bias")
            || ggml_name.ends_with("conv2.bias")
            || ggml_name.ends_with("positional_embedding");
        let ftype: i32 = if small { 0 } else { 1 };
        file.extend((shape.len() as i32).to_le_bytes());
        file.extend((ggml_name.len() as i32).to_le_bytes());
        file.extend(ftype.to_le_bytes());
        for dim in shape.iter().rev() {
            file.extend((*dim as i32).to_le_bytes());
        }
        file.extend(ggml_name.as_bytes());
        for x in values {
            if small {
                file.extend(x.to_le_bytes());
            } else {
                file.extend(f32_to_f16(x).to_le_bytes());
            }
        }
    }
    let partial = out.with_extension("partial");
    std::fs::File::create(&partial)?.write_all(&file)?;
    std::fs::rename(&partial, out)?;
    Ok(())
}

/// HF tensor names to whisper.cpp's (openai-whisper's own names).
fn ggml_name(hf: &str) -> anyhow::Result<String> {
    let parts: Vec<&str> = hf.strip_prefix("model.").unwrap_or(hf).split('.').collect();
    if parts.get(1) == Some(&"layers") && parts.len() >= 5 {
        let side = parts[0];
        let inner = parts[3..parts.len() - 1].join(".");
        let mapped = match inner.as_str() {
            "self_attn.k_proj" => "attn.key",
            "self_attn.q_proj" => "attn.query",
            "self_attn.v_proj" => "attn.value",
            "self_attn.out_proj" => "attn.out",
            "self_attn_layer_norm" => "attn_ln",
            "encoder_attn.k_proj" => "cross_attn.key",
            "encoder_attn.q_proj" => "cross_attn.query",
            "encoder_attn.v_proj" => "cross_attn.value",
            "encoder_attn.out_proj" => "cross_attn.out",
            "encoder_attn_layer_norm" => "cross_attn_ln",
            "fc1" => "mlp.0",
            "fc2" => "mlp.2",
            "final_layer_norm" => "mlp_ln",
            other => bail!("no whisper.cpp name for layer part {other:?} ({hf})"),
        };
        let last = parts[parts.len() - 1];
        return Ok(format!("{side}.blocks.{}.{mapped}.{last}", parts[2]));
    }
    let joined = parts.join(".");
    Ok(match joined.as_str() {
        "encoder.layer_norm.bias" => "encoder.ln_post.bias".into(),
        "encoder.layer_norm.weight" => "encoder.ln_post.weight".into(),
        "encoder.embed_positions.weight" => "encoder.positional_embedding".into(),
        "decoder.layer_norm.bias" => "decoder.ln.bias".into(),
        "decoder.layer_norm.weight" => "decoder.ln.weight".into(),
        "decoder.embed_positions.weight" => "decoder.positional_embedding".into(),
        "decoder.embed_tokens.weight" => "decoder.token_embedding.weight".into(),
        _ => joined,
    })
}

/// The tokenizer's BPE vocabulary by id, each token as its bytes (GPT-2's byte-to-unicode map
/// undone), as `(len: i32, bytes)` after a count.
fn write_vocabulary(file: &mut Vec<u8>, tokenizer: &Path) -> anyhow::Result<()> {
    let json: Value = serde_json::from_slice(&std::fs::read(tokenizer)?)?;
    let vocab = json["model"]["vocab"]
        .as_object()
        .context("tokenizer.json has no BPE vocabulary")?;
    let by_id: BTreeMap<u64, &str> = vocab
        .iter()
        .filter_map(|(token, id)| Some((id.as_u64()?, token.as_str())))
        .collect();
    let decode = byte_decoder();
    file.extend((by_id.len() as i32).to_le_bytes());
    for token in by_id.values() {
        let bytes: Vec<u8> = token
            .chars()
            .map(|c| decode.get(&c).copied())
            .collect::<Option<_>>()
            .with_context(|| format!("token {token:?} is not byte-level BPE"))?;
        file.extend((bytes.len() as i32).to_le_bytes());
        file.extend(bytes);
    }
    Ok(())
}

/// GPT-2's `bytes_to_unicode`, reversed: printable bytes stand for themselves, the others were
/// moved to code points from 256 on, in byte order.
fn byte_decoder() -> std::collections::HashMap<char, u8> {
    let printable = |b: u8| (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
    let mut map = std::collections::HashMap::new();
    let mut moved = 0u32;
    for b in 0..=255u8 {
        let c = if printable(b) {
            char::from(b)
        } else {
            moved += 1;
            char::from_u32(255 + moved).unwrap_or('\u{0}')
        };
        map.insert(c, b);
    }
    map
}

/// `mel_{n_mels}` from openai-whisper's `mel_filters.npz` (a zip of `.npy` arrays).
fn mel_filters(npz: &Path, n_mels: usize) -> anyhow::Result<Vec<f32>> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(npz)?)?;
    let mut npy = Vec::new();
    archive
        .by_name(&format!("mel_{n_mels}.npy"))?
        .read_to_end(&mut npy)?;
    if npy.get(..6) != Some(b"\x93NUMPY".as_slice()) {
        bail!("mel_{n_mels}.npy is not a numpy array");
    }
    let (header_len, start) = match npy[6] {
        1 => (u16::from_le_bytes([npy[8], npy[9]]) as usize, 10),
        _ => (
            u32::from_le_bytes([npy[8], npy[9], npy[10], npy[11]]) as usize,
            12,
        ),
    };
    let header = String::from_utf8_lossy(&npy[start..start + header_len]);
    if !header.contains("'<f4'") || header.contains("'fortran_order': True") {
        bail!("mel_{n_mels}.npy is not little-endian f32 in C order: {header}");
    }
    let data = &npy[start + header_len..];
    if data.len() != n_mels * N_FREQS * 4 {
        bail!(
            "mel_{n_mels}.npy holds {} bytes, expected {n_mels} x {N_FREQS} f32",
            data.len()
        );
    }
    Ok(data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

fn as_f32(view: &safetensors::tensor::TensorView) -> anyhow::Result<Vec<f32>> {
    let data = view.data();
    Ok(match view.dtype() {
        safetensors::Dtype::F32 => data
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        safetensors::Dtype::F16 => data
            .chunks_exact(2)
            .map(|b| f16_to_f32(u16::from_le_bytes([b[0], b[1]])))
            .collect(),
        other => bail!("tensor dtype {other:?} is not converted"),
    })
}

fn f16_to_f32(h: u16) -> f32 {
    let sign = u32::from(h >> 15) << 31;
    let exp = u32::from((h >> 10) & 0x1f);
    let frac = u32::from(h & 0x3ff);
    let bits = match (exp, frac) {
        (0, 0) => sign,
        (0, _) => {
            // Subnormal: normalise.
            let mut e = 127 - 15 + 1;
            let mut f = frac;
            while f & 0x400 == 0 {
                f <<= 1;
                e -= 1;
            }
            sign | (e << 23) | ((f & 0x3ff) << 13)
        }
        (0x1f, _) => sign | 0x7f80_0000 | (frac << 13),
        _ => sign | ((exp + 127 - 15) << 23) | (frac << 13),
    };
    f32::from_bits(bits)
}

/// Round to nearest even; the f16 weights round-trip exactly.
fn f32_to_f16(x: f32) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 16) & 0x8000) as u16;
    let exp = ((bits >> 23) & 0xff) as i32;
    let frac = bits & 0x7f_ffff;
    if exp == 0xff {
        return sign | 0x7c00 | if frac != 0 { 0x200 } else { 0 };
    }
    let e = exp - 127 + 15;
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    if e <= 0 {
        if e < -10 {
            return sign;
        }
        let m = frac | 0x80_0000;
        let shift = (14 - e) as u32;
        let half = 1 << (shift - 1);
        let rounded = (m + half - 1 + ((m >> shift) & 1)) >> shift;
        return sign | rounded as u16;
    }
    let rounded = frac + 0xfff + ((frac >> 13) & 1);
    let (e, rounded) = if rounded & 0x80_0000 != 0 {
        (e + 1, 0)
    } else {
        (e, rounded)
    };
    if e >= 0x1f {
        return sign | 0x7c00;
    }
    sign | ((e as u16) << 10) | (rounded >> 13) as u16
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_floats_round_trip() {
        for h in (0u16..=0xffff).filter(|h| (h >> 10) & 0x1f != 0x1f) {
            assert_eq!(f32_to_f16(f16_to_f32(h)), h, "{h:#06x}");
        }
        assert_eq!(f32_to_f16(1.0), 0x3c00);
        assert_eq!(f32_to_f16(-2.5), 0xc100);
    }

    #[test]
    fn names_follow_openai_whisper() {
        let cases = [
            (
                "model.encoder.layers.3.self_attn.k_proj.weight",
                "encoder.blocks.3.attn.key.weight",
            ),
            (
                "model.decoder.layers.0.encoder_attn.v_proj.bias",
                "decoder.blocks.0.cross_attn.value.bias",
            ),
            (
                "model.decoder.layers.1.fc2.weight",
                "decoder.blocks.1.mlp.2.weight",
            ),
            ("model.encoder.layer_norm.weight", "encoder.ln_post.weight"),
            (
                "model.decoder.embed_tokens.weight",
                "decoder.token_embedding.weight",
            ),
            ("model.encoder.conv1.weight", "encoder.conv1.weight"),
        ];
        for (hf, ggml) in cases {
            assert_eq!(ggml_name(hf).unwrap(), ggml);
        }
    }

    /// The mirror's tiny.en, converted and read back the way whisper.cpp's loader reads it.
    #[test]
    fn converts_the_mirrors_tiny_en_into_a_file_whisper_cpp_can_walk() {
        let mirror = crate::mirror::mirror_dir();
        let out = crate::cmd::root().join("target/ggml-test-tiny.en.bin");
        convert(
            &mirror.join("whisper-tiny.en"),
            &mirror.join("whisper-assets/mel_filters.npz"),
            &out,
        )
        .expect("converts (run `cargo xtask fetch-models` first)");
        let bytes = std::fs::read(&out).unwrap();
        std::fs::remove_file(&out).unwrap();
        let mut at = 0;
        let i32_at = |at: &mut usize| {
            let v = i32::from_le_bytes(bytes[*at..*at + 4].try_into().unwrap());
            *at += 4;
            v
        };
        let header: Vec<i32> = (0..12).map(|_| i32_at(&mut at)).collect();
        assert_eq!(
            header,
            [MAGIC as i32, 51864, 1500, 384, 6, 4, 448, 384, 6, 4, 80, 1]
        );
        assert_eq!((i32_at(&mut at), i32_at(&mut at)), (80, 201));
        at += 80 * 201 * 4;
        let n_vocab = i32_at(&mut at);
        assert_eq!(n_vocab, 50257);
        let mut tokens = Vec::new();
        for _ in 0..n_vocab {
            let len = i32_at(&mut at) as usize;
            tokens.push(bytes[at..at + len].to_vec());
            at += len;
        }
        assert_eq!(tokens[0], b"!");
        assert_eq!(tokens[50256], b"<|endoftext|>");
        let mut names = Vec::new();
        while at < bytes.len() {
            let (n_dims, name_len, ftype) = (i32_at(&mut at), i32_at(&mut at), i32_at(&mut at));
            let dims: Vec<usize> = (0..n_dims).map(|_| i32_at(&mut at) as usize).collect();
            let name = String::from_utf8(bytes[at..at + name_len as usize].to_vec()).unwrap();
            at += name_len as usize;
            let size = if ftype == 1 { 2 } else { 4 };
            at += dims.iter().product::<usize>() * size;
            if name == "encoder.conv1.weight" {
                assert_eq!((dims.clone(), ftype), (vec![3, 80, 384], 1));
            }
            if name == "decoder.positional_embedding" {
                assert_eq!((dims.clone(), ftype), (vec![384, 448], 0));
            }
            names.push(name);
        }
        assert_eq!(at, bytes.len(), "the last tensor ends the file");
        // 4 encoder + 4 decoder blocks, 15 and 24 tensors each, plus 11 outside the blocks.
        assert_eq!(names.len(), 4 * 15 + 4 * 24 + 11);
        assert!(names.contains(&"decoder.blocks.3.cross_attn.key.weight".to_string()));
        assert!(!names.iter().any(|n| n.contains("k_proj.bias")));
    }

    #[test]
    fn the_byte_decoder_covers_every_byte_once() {
        let decoder = byte_decoder();
        assert_eq!(decoder.len(), 256);
        assert_eq!(decoder[&'Ġ'], b' ');
        assert_eq!(decoder[&'a'], b'a');
    }
}
