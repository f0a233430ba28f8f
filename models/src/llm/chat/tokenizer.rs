//! Text to token ids and back: from a `tokenizer.json` when one is given, else rebuilt from the
//! GGUF metadata (`tokenizer.ggml.*`), plus the special ids (BOS, end-of-generation) and the raw
//! bytes each token contributes, which streaming needs.
//!
//! Mirrors llama.cpp's `llama-vocab.cpp`: `llm_tokenizer_bpe` with the pre-tokenizer regexes of
//! `LLAMA_VOCAB_PRE_TYPE_*`, `llm_tokenizer_spm` (score-ordered merges, byte fallback,
//! `add_space_prefix`), and the end-of-generation list of `llama_vocab::impl::load`.

use std::collections::{HashMap, HashSet};

use candle_core::quantized::gguf_file::Value;
use tokenizers::decoders::DecoderWrapper;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::byte_level::ByteLevel;
use tokenizers::decoders::fuse::Fuse;
use tokenizers::decoders::sequence::Sequence as DecoderSequence;
use tokenizers::decoders::strip::Strip;
use tokenizers::models::bpe::{BPE, Vocab};
use tokenizers::normalizers::{NormalizerWrapper, Prepend, Replace, Sequence as NormSequence};
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::sequence::Sequence as PreSequence;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{AddedToken, SplitDelimiterBehavior};

use super::plain_text::StructuralTokens;
use crate::nn::gguf_metadata::{md_bool, md_str, md_usize};
use crate::{ModelError, Result};

/// llama.cpp `llama_token_type`: what a vocabulary entry is.
const TOKEN_TYPE_CONTROL: i32 = 3;
const TOKEN_TYPE_USER_DEFINED: i32 = 4;

/// Token texts llama.cpp treats as end of generation wherever they appear in a vocabulary.
const EOG_TEXTS: &[&str] = &[
    "<|eot_id|>",
    "<|im_end|>",
    "<|end|>",
    "<end_of_turn>",
    "<|endoftext|>",
    "<|eom_id|>",
    "<EOT>",
    "_<EOT>",
    "<|end_of_text|>",
    "<end_of_utterance>",
];

/// The GPT-2 pre-tokenizer regex (llama.cpp `LLAMA_VOCAB_PRE_TYPE_GPT2`).
const GPT2_SPLIT: &str = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
/// Llama 3 (`LLAMA_VOCAB_PRE_TYPE_LLAMA3`).
const LLAMA3_SPLIT: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen 2 (`LLAMA_VOCAB_PRE_TYPE_QWEN2`): as Llama 3 but one digit per piece.
const QWEN2_SPLIT: &str = r"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// How a token's vocabulary string maps to the bytes it stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ByteScheme {
    /// GPT-2 byte-to-unicode table (`Ġ` is a space).
    ByteLevel,
    /// SentencePiece: `▁` is a space, `<0xNN>` is one byte.
    SentencePiece,
}

/// A tokenizer with the facts generation needs.
pub struct Tokenizer {
    inner: tokenizers::Tokenizer,
    /// Bytes each id adds to the output text; empty for control tokens.
    token_bytes: Vec<Vec<u8>>,
    bos: Option<u32>,
    add_bos: bool,
    eog: HashSet<u32>,
    /// SentencePiece with `add_space_prefix` puts a space before the first word.
    strip_first_space: bool,
    /// Ids past the vocabulary that stand for characters only merges use, to their byte tokens.
    stand_ins: HashMap<u32, Vec<u32>>,
    /// Added-token texts that message content must not spell.
    structural: StructuralTokens,
}

impl Tokenizer {
    /// Builds the tokenizer from GGUF metadata, or from `tokenizer_json` when given (the special
    /// ids still come from the metadata).
    pub fn from_gguf(
        md: &HashMap<String, Value>,
        tokenizer_json: Option<&[u8]>,
    ) -> Result<Tokenizer> {
        let model = md_str(md, "tokenizer.ggml.model")?;
        let tokens = string_array(md, "tokenizer.ggml.tokens")?;
        let types: Vec<i32> = match md.get("tokenizer.ggml.token_type") {
            Some(Value::Array(a)) => a.iter().map(|v| v.to_i32().unwrap_or(1)).collect(),
            _ => vec![1; tokens.len()],
        };
        let scheme = match model {
            "gpt2" => ByteScheme::ByteLevel,
            "llama" => ByteScheme::SentencePiece,
            other => {
                return Err(ModelError::Tokenizer(format!(
                    "tokenizer model {other:?} is not supported (gpt2 and llama are)"
                )));
            }
        };
        let add_space_prefix = md_bool(md, "tokenizer.ggml.add_space_prefix")
            .unwrap_or(scheme == ByteScheme::SentencePiece);
        let (inner, stand_ins) = match tokenizer_json {
            Some(bytes) => (
                tokenizers::Tokenizer::from_bytes(bytes)
                    .map_err(|e| ModelError::Tokenizer(e.to_string()))?,
                HashMap::new(),
            ),
            None => match scheme {
                ByteScheme::ByteLevel => {
                    let pre = md_str(md, "tokenizer.ggml.pre").unwrap_or("default");
                    let merges = string_array(md, "tokenizer.ggml.merges")?;
                    (build_bpe(&tokens, &types, &merges, pre)?, HashMap::new())
                }
                ByteScheme::SentencePiece => {
                    let scores: Vec<f32> = match md.get("tokenizer.ggml.scores") {
                        Some(Value::Array(a)) => {
                            a.iter().map(|v| v.to_f32().unwrap_or(0.0)).collect()
                        }
                        _ => vec![0.0; tokens.len()],
                    };
                    build_spm(&tokens, &types, &scores, add_space_prefix)?
                }
            },
        };
        let token_bytes = tokens
            .iter()
            .zip(&types)
            .map(|(t, &ty)| match ty {
                TOKEN_TYPE_CONTROL => Vec::new(),
                TOKEN_TYPE_USER_DEFINED => t.as_bytes().to_vec(),
                _ => piece_bytes(t, scheme),
            })
            .collect();
        let id = |k: &str| md_usize(md, k).ok().map(|v| v as u32);
        let mut eog: HashSet<u32> = [
            "tokenizer.ggml.eos_token_id",
            "tokenizer.ggml.eot_token_id",
            "tokenizer.ggml.eom_token_id",
        ]
        .iter()
        .filter_map(|k| id(k))
        .collect();
        for (i, (t, &ty)) in tokens.iter().zip(&types).enumerate() {
            if (ty == TOKEN_TYPE_CONTROL || ty == TOKEN_TYPE_USER_DEFINED)
                && EOG_TEXTS.contains(&t.as_str())
            {
                eog.insert(i as u32);
            }
        }
        let structural = {
            let added = inner.get_added_tokens_decoder();
            StructuralTokens::new(added.values().map(|t| t.content.as_str()))
        };
        Ok(Tokenizer {
            structural,
            inner,
            token_bytes,
            bos: id("tokenizer.ggml.bos_token_id"),
            add_bos: md_bool(md, "tokenizer.ggml.add_bos_token")
                .unwrap_or(scheme == ByteScheme::SentencePiece),
            eog,
            strip_first_space: scheme == ByteScheme::SentencePiece && add_space_prefix,
            stand_ins,
        })
    }

    /// `text` as it must reach the template when it is message content: no added token's text
    /// left in it, so it tokenizes as the plain text it is.
    pub fn as_plain_text(&self, text: &str) -> String {
        self.structural.break_in(text)
    }

    /// Token ids of `text`, with special tokens written in it (`<|im_start|>`) parsed as such,
    /// and BOS first when `add_bos` and the model asks for it.
    pub fn encode(&self, text: &str, add_bos: bool) -> Result<Vec<u32>> {
        let enc = self
            .inner
            .encode_fast(text, false)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        let mut ids = Vec::with_capacity(enc.len() + 1);
        if add_bos && self.add_bos {
            ids.extend(self.bos);
        }
        for &id in enc.get_ids() {
            match self.stand_ins.get(&id) {
                Some(bytes) => ids.extend_from_slice(bytes),
                None => ids.push(id),
            }
        }
        Ok(ids)
    }

    /// Text of `ids` as a whole (control tokens omitted).
    pub fn decode(&self, ids: &[u32]) -> String {
        let bytes: Vec<u8> = ids
            .iter()
            .flat_map(|&id| self.token_bytes(id).iter().copied())
            .collect();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        if self.strip_first_space {
            text.strip_prefix(' ').map(str::to_string).unwrap_or(text)
        } else {
            text
        }
    }

    /// The raw bytes token `id` adds to the output; may be part of a UTF-8 character.
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.token_bytes.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Whether text starting a reply drops its first space (SentencePiece's word marker).
    pub fn strips_first_space(&self) -> bool {
        self.strip_first_space
    }

    pub fn is_eog(&self, id: u32) -> bool {
        self.eog.contains(&id)
    }

    pub fn eog_ids(&self) -> Vec<u32> {
        let mut v: Vec<u32> = self.eog.iter().copied().collect();
        v.sort_unstable();
        v
    }

    pub fn bos(&self) -> Option<u32> {
        self.bos
    }

    pub fn vocab_size(&self) -> usize {
        self.token_bytes.len()
    }

    /// The text of a vocabulary entry as stored (`<|im_end|>`, `Ġthe`).
    pub fn token_text(&self, id: u32) -> Option<String> {
        self.inner.id_to_token(id)
    }
}

fn string_array(md: &HashMap<String, Value>, k: &str) -> Result<Vec<String>> {
    match md.get(k) {
        Some(Value::Array(a)) => a
            .iter()
            .map(|v| v.to_string().cloned().map_err(ModelError::from))
            .collect(),
        _ => Err(ModelError::Tokenizer(format!("metadata {k} is missing"))),
    }
}

fn tok_err(e: impl std::fmt::Display) -> ModelError {
    ModelError::Tokenizer(e.to_string())
}

/// Control and user-defined tokens match as whole strings before any splitting.
fn added_tokens(tokens: &[String], types: &[i32]) -> Vec<AddedToken> {
    tokens
        .iter()
        .zip(types)
        .filter(|(_, ty)| matches!(**ty, TOKEN_TYPE_CONTROL | TOKEN_TYPE_USER_DEFINED))
        .map(|(t, _)| AddedToken::from(t.clone(), true).normalized(false))
        .collect()
}

/// The regexes llama.cpp applies in turn for `tokenizer.ggml.pre`.
fn pre_split_regexes(pre: &str) -> (Vec<&'static str>, bool) {
    match pre {
        "llama3" | "llama-v3" | "llama-bpe" | "falcon3" | "pixtral" => (vec![LLAMA3_SPLIT], true),
        "qwen2" | "deepseek-r1-qwen" | "megrez" => (vec![QWEN2_SPLIT], false),
        "smollm" | "starcoder" | "refact" | "command-r" | "codeshell" | "exaone" | "minerva-7b" => {
            (vec![r"\p{N}", GPT2_SPLIT], false)
        }
        "gpt-2" | "phi-2" | "jina-es" | "jina-de" | "gigachat" | "roberta-bpe" => {
            (vec![GPT2_SPLIT], false)
        }
        // llama.cpp's `LLAMA_VOCAB_PRE_TYPE_DEFAULT`.
        _ => (
            vec![
                r"[\p{P}\$\+<=>\^~\|]+",
                GPT2_SPLIT,
                r"\p{N}+",
                r"[0-9][0-9][0-9]",
            ],
            false,
        ),
    }
}

fn build_bpe(
    tokens: &[String],
    types: &[i32],
    merges: &[String],
    pre: &str,
) -> Result<tokenizers::Tokenizer> {
    let vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let merges = merges
        .iter()
        .filter_map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let (regexes, ignore_merges) = pre_split_regexes(pre);
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .ignore_merges(ignore_merges)
        .build()
        .map_err(tok_err)?;
    let mut pre_tokenizers: Vec<PreTokenizerWrapper> = Vec::new();
    for r in regexes {
        let split = Split::new(
            SplitPattern::Regex(r.to_string()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .map_err(tok_err)?;
        pre_tokenizers.push(split.into());
    }
    pre_tokenizers.push(ByteLevel::new(false, false, false).into());
    let mut tk = tokenizers::Tokenizer::new(bpe);
    tk.with_pre_tokenizer(Some(PreSequence::new(pre_tokenizers)));
    tk.with_decoder(Some(ByteLevel::new(false, false, false)));
    tk.add_special_tokens(added_tokens(tokens, types))
        .map_err(tok_err)?;
    Ok(tk)
}

/// SentencePiece as llama.cpp runs it: merge the adjacent pair whose concatenation is the
/// highest-scoring vocabulary entry. As BPE, each entry's splits into two entries are merges
/// ranked by the entry's score.
fn build_spm(
    tokens: &[String],
    types: &[i32],
    scores: &[f32],
    add_space_prefix: bool,
) -> Result<(tokenizers::Tokenizer, HashMap<u32, Vec<u32>>)> {
    let mut vocab: Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    // llama.cpp starts from characters and merges any pair whose concatenation is a piece, even
    // characters that are not pieces themselves ("日" + "本" -> "日本"). BPE needs both halves in
    // its vocabulary, so such characters get ids past the real ones; left unmerged they are
    // replaced by their UTF-8 byte tokens after encoding (see `Tokenizer::encode`).
    let mut stand_ins: HashMap<u32, Vec<u32>> = HashMap::new();
    let byte_ids: Vec<Option<u32>> = (0..=255u8)
        .map(|b| vocab.get(&format!("<0x{b:02X}>")).copied())
        .collect();
    let byte_id = |b: u8| byte_ids[b as usize];
    let mut ranked: Vec<(f32, u32, String, String)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if types.get(i).copied().unwrap_or(1) != 1 {
            continue;
        }
        for (split, _) in t.char_indices().skip(1) {
            let (a, b) = t.split_at(split);
            for half in [a, b] {
                if !vocab.contains_key(half) && half.chars().count() == 1 {
                    let id = (tokens.len() + stand_ins.len()) as u32;
                    let bytes = half.bytes().map(byte_id).collect::<Option<Vec<u32>>>();
                    if let Some(bytes) = bytes {
                        vocab.insert(half.to_string(), id);
                        stand_ins.insert(id, bytes);
                    }
                }
            }
            if vocab.contains_key(a) && vocab.contains_key(b) {
                ranked.push((
                    scores.get(i).copied().unwrap_or(0.0),
                    i as u32,
                    a.to_string(),
                    b.to_string(),
                ));
            }
        }
    }
    ranked.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let merges = ranked.into_iter().map(|(_, _, a, b)| (a, b)).collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .byte_fallback(true)
        .unk_token("<unk>".to_string())
        .fuse_unk(true)
        .build()
        .map_err(tok_err)?;
    let mut norms: Vec<NormalizerWrapper> = Vec::new();
    if add_space_prefix {
        norms.push(Prepend::new("▁".to_string()).into());
    }
    norms.push(Replace::new(" ", "▁").map_err(tok_err)?.into());
    let mut tk = tokenizers::Tokenizer::new(bpe);
    tk.with_normalizer(Some(NormSequence::new(norms)))
        .map_err(tok_err)?;
    let decoders: Vec<DecoderWrapper> = vec![
        Replace::new("▁", " ").map_err(tok_err)?.into(),
        ByteFallback::new().into(),
        Fuse::new().into(),
        Strip::new(' ', usize::from(add_space_prefix), 0).into(),
    ];
    tk.with_decoder(Some(DecoderSequence::new(decoders)));
    tk.add_special_tokens(added_tokens(tokens, types))
        .map_err(tok_err)?;
    Ok((tk, stand_ins))
}

/// The bytes a vocabulary string stands for.
fn piece_bytes(piece: &str, scheme: ByteScheme) -> Vec<u8> {
    match scheme {
        ByteScheme::ByteLevel => {
            let table = unicode_to_byte();
            piece
                .chars()
                .map(|c| table.get(&c).copied())
                .collect::<Option<Vec<u8>>>()
                // Not byte-level text (a user-defined token): its UTF-8 as is.
                .unwrap_or_else(|| piece.as_bytes().to_vec())
        }
        ByteScheme::SentencePiece => {
            if let Some(hex) = piece.strip_prefix("<0x").and_then(|h| h.strip_suffix('>'))
                && hex.len() == 2
                && let Ok(b) = u8::from_str_radix(hex, 16)
            {
                return vec![b];
            }
            piece.replace('▁', " ").into_bytes()
        }
    }
}

/// Inverse of GPT-2's `bytes_to_unicode`: printable bytes map to themselves, the rest to
/// U+0100 onwards.
fn unicode_to_byte() -> &'static HashMap<char, u8> {
    static TABLE: std::sync::OnceLock<HashMap<char, u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut map = HashMap::with_capacity(256);
        let mut n = 0u32;
        for b in 0..=255u8 {
            let printable = (b'!'..=b'~').contains(&b)
                || (0xA1..=0xAC).contains(&b)
                || (0xAE..=0xFF).contains(&b);
            let c = if printable {
                char::from(b)
            } else {
                n += 1;
                char::from_u32(255 + n).unwrap_or('\0')
            };
            map.insert(c, b);
        }
        map
    })
}
