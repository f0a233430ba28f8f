//! A loaded chat model: decoder weights, tokenizer and chat template, read from one GGUF file
//! (whole, or as the chunks a wasm worker holds).

use std::io::{Read, Seek};

use super::arch::{ChunkReader, Config, Decoder};
use super::chat::{ChatTemplate, Message, Tokenizer};
use crate::Result;
use crate::nn::gguf_metadata::{md_str, md_usize};

/// Everything needed to run one chat model; immutable, so one load can serve many sessions.
pub struct LlmModel {
    pub decoder: Decoder,
    pub tokenizer: Tokenizer,
    pub template: ChatTemplate,
    /// `general.name`, for display.
    pub name: String,
}

impl LlmModel {
    /// Loads from anything seekable (a file natively).
    pub fn from_reader<R: Read + Seek>(
        reader: &mut R,
        tokenizer_json: Option<&[u8]>,
    ) -> Result<LlmModel> {
        LlmModel::load(reader, tokenizer_json, false)
    }

    /// As `from_path`, with every weight matrix widened to f32 (tests against f32 references).
    pub fn from_path_dequantized(path: &std::path::Path) -> Result<LlmModel> {
        let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
        LlmModel::load(&mut file, None, true)
    }

    fn load<R: Read + Seek>(
        reader: &mut R,
        tokenizer_json: Option<&[u8]>,
        dequantize: bool,
    ) -> Result<LlmModel> {
        let ct = crate::nn::gguf_read::read_content(reader)?;
        let cfg = Config::from_gguf(&ct.metadata)?;
        cfg.check_layers(&ct.tensor_infos)?;
        let tokenizer = Tokenizer::from_gguf(&ct.metadata, tokenizer_json)?;
        let text_of =
            |id: Option<u32>| id.and_then(|i| tokenizer.token_text(i)).unwrap_or_default();
        let eos_id = md_usize(&ct.metadata, "tokenizer.ggml.eos_token_id")
            .ok()
            .map(|v| v as u32);
        let template = ChatTemplate::new(
            md_str(&ct.metadata, "tokenizer.chat_template").ok(),
            &text_of(tokenizer.bos()),
            &text_of(eos_id),
        );
        let name = md_str(&ct.metadata, "general.name")
            .unwrap_or("")
            .to_string();
        let decoder = Decoder::load(&ct, reader, cfg, dequantize)?;
        Ok(LlmModel {
            decoder,
            tokenizer,
            template,
            name,
        })
    }

    /// Loads from byte chunks that together form the GGUF file (the chunks can be dropped after).
    pub fn from_chunks(chunks: &[&[u8]], tokenizer_json: Option<&[u8]>) -> Result<LlmModel> {
        LlmModel::from_reader(
            &mut ChunkReader::new(chunks.iter().copied()),
            tokenizer_json,
        )
    }

    /// Loads a GGUF file from disk (native).
    pub fn from_path(path: &std::path::Path, tokenizer_json: Option<&[u8]>) -> Result<LlmModel> {
        let mut file = std::io::BufReader::new(std::fs::File::open(path)?);
        LlmModel::from_reader(&mut file, tokenizer_json)
    }

    pub fn config(&self) -> &Config {
        self.decoder.config()
    }

    pub fn tokenizer(&self) -> &Tokenizer {
        &self.tokenizer
    }

    /// Prompt tokens of raw text, with BOS if the model's metadata asks for it.
    pub fn encode_prompt(&self, text: &str) -> Result<Vec<u32>> {
        self.tokenizer.encode(text, true)
    }

    /// Prompt tokens of a conversation rendered through the chat template. BOS is added only
    /// when the template did not already write it.
    pub fn encode_chat(
        &self,
        messages: &[Message],
        tools: &[serde_json::Value],
    ) -> Result<Vec<u32>> {
        let messages: Vec<Message> = messages
            .iter()
            .map(|m| Message {
                content: self.tokenizer.as_plain_text(answer_only(m)),
                ..m.clone()
            })
            .collect();
        let text = self.template.render(&messages, tools, true)?;
        let mut ids = self.tokenizer.encode(&text, true)?;
        if let (Some(bos), [a, b, ..]) = (self.tokenizer.bos(), ids.as_slice())
            && *a == bos
            && *b == bos
        {
            ids.remove(0);
        }
        Ok(ids)
    }
}

/// What of a message goes to the template: a past answer without its reasoning. Templates that
/// drop reasoning (Qwen 3) find it by `</think>`, which message content may no longer spell.
fn answer_only(m: &Message) -> &str {
    match m.content.rfind("</think>") {
        Some(end) if m.role == "assistant" => m.content[end + "</think>".len()..].trim_start(),
        _ => &m.content,
    }
}
