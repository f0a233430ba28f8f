//! g2p_en's grapheme-to-phoneme model for words in no dictionary (g2p_en 2.1.0, `G2p.predict`
//! in g2p_en/g2p.py): a GRU encoder over the letters, a GRU decoder that emits ARPAbet greedily,
//! at most 20 phonemes. Hidden size 256, embeddings 256; 0.83 M parameters, plain Rust (a word
//! is a few dozen 768 x 256 products).

use super::npz;
use crate::Result;

const HIDDEN: usize = 256;
const EMBED: usize = 256;
const GATES: usize = 3 * HIDDEN;
/// `<pad> <unk> </s>` then a-z.
const GRAPHEMES: usize = 29;
const UNKNOWN_GRAPHEME: usize = 1;
const END_OF_WORD: usize = 2;
const MAX_PHONEMES: usize = 20;
const START: usize = 2;
const STOP: usize = 3;

/// g2p_en's output symbols, in its order (`<pad> <unk> <s> </s>` then ARPAbet with stress).
pub const PHONEMES: [&str; 74] = [
    "<pad>", "<unk>", "<s>", "</s>", "AA0", "AA1", "AA2", "AE0", "AE1", "AE2", "AH0", "AH1", "AH2",
    "AO0", "AO1", "AO2", "AW0", "AW1", "AW2", "AY0", "AY1", "AY2", "B", "CH", "D", "DH", "EH0",
    "EH1", "EH2", "ER0", "ER1", "ER2", "EY0", "EY1", "EY2", "F", "G", "HH", "IH0", "IH1", "IH2",
    "IY0", "IY1", "IY2", "JH", "K", "L", "M", "N", "NG", "OW0", "OW1", "OW2", "OY0", "OY1", "OY2",
    "P", "R", "S", "SH", "T", "TH", "UH0", "UH1", "UH2", "UW", "UW0", "UW1", "UW2", "V", "W", "Y",
    "Z", "ZH",
];

/// One GRU's weights, PyTorch layout: gates r, z, n stacked in rows.
struct Gru {
    w_ih: Vec<f32>,
    w_hh: Vec<f32>,
    b_ih: Vec<f32>,
    b_hh: Vec<f32>,
}

fn matvec(w: &[f32], x: &[f32], bias: &[f32], out: &mut [f32]) {
    let cols = x.len();
    for (row, (o, b)) in out.iter_mut().zip(bias).enumerate() {
        let weights = &w[row * cols..(row + 1) * cols];
        *o = b + weights.iter().zip(x).map(|(w, x)| w * x).sum::<f32>();
    }
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

impl Gru {
    fn load(bytes: &[u8], prefix: &str) -> Result<Self> {
        let read = |name: &str, shape: &[usize]| -> Result<Vec<f32>> {
            Ok(npz::read(bytes, &format!("{prefix}_{name}"), shape)?.data)
        };
        Ok(Self {
            w_ih: read("w_ih", &[GATES, EMBED])?,
            w_hh: read("w_hh", &[GATES, HIDDEN])?,
            b_ih: read("b_ih", &[GATES])?,
            b_hh: read("b_hh", &[GATES])?,
        })
    }

    /// g2p_en's `grucell`: h' = (1 - z) n + z h.
    fn step(&self, x: &[f32], h: &mut [f32]) {
        let mut gi = vec![0.0; GATES];
        let mut gh = vec![0.0; GATES];
        matvec(&self.w_ih, x, &self.b_ih, &mut gi);
        matvec(&self.w_hh, h, &self.b_hh, &mut gh);
        for k in 0..HIDDEN {
            let r = sigmoid(gi[k] + gh[k]);
            let z = sigmoid(gi[HIDDEN + k] + gh[HIDDEN + k]);
            let n = (gi[2 * HIDDEN + k] + r * gh[2 * HIDDEN + k]).tanh();
            h[k] = (1.0 - z) * n + z * h[k];
        }
    }
}

pub struct OovModel {
    enc_emb: Vec<f32>,
    encoder: Gru,
    dec_emb: Vec<f32>,
    decoder: Gru,
    fc_w: Vec<f32>,
    fc_b: Vec<f32>,
}

impl OovModel {
    /// From g2p_en's `checkpoint20.npz`.
    pub fn from_npz(bytes: &[u8]) -> Result<Self> {
        let phonemes = PHONEMES.len();
        Ok(Self {
            enc_emb: npz::read(bytes, "enc_emb", &[GRAPHEMES, EMBED])?.data,
            encoder: Gru::load(bytes, "enc")?,
            dec_emb: npz::read(bytes, "dec_emb", &[phonemes, EMBED])?.data,
            decoder: Gru::load(bytes, "dec")?,
            fc_w: npz::read(bytes, "fc_w", &[phonemes, HIDDEN])?.data,
            fc_b: npz::read(bytes, "fc_b", &[phonemes])?.data,
        })
    }

    /// ARPAbet for a word; letters outside a-z count as g2p_en's `<unk>`.
    pub fn predict(&self, word: &str) -> Vec<&'static str> {
        let mut h = vec![0.0; HIDDEN];
        let letters = word.chars().map(|c| {
            if c.is_ascii_lowercase() {
                3 + (c as usize - 'a' as usize)
            } else {
                UNKNOWN_GRAPHEME
            }
        });
        for id in letters.chain([END_OF_WORD]) {
            self.encoder
                .step(&self.enc_emb[id * EMBED..(id + 1) * EMBED], &mut h);
        }
        let mut previous = START;
        let mut out = Vec::new();
        let mut logits = vec![0.0; PHONEMES.len()];
        for _ in 0..MAX_PHONEMES {
            self.decoder.step(
                &self.dec_emb[previous * EMBED..(previous + 1) * EMBED],
                &mut h,
            );
            matvec(&self.fc_w, &h, &self.fc_b, &mut logits);
            // numpy's argmax: the first of equal maxima.
            let best = logits
                .iter()
                .enumerate()
                .fold(0, |best, (i, &v)| if v > logits[best] { i } else { best });
            if best == STOP {
                break;
            }
            out.push(PHONEMES[best]);
            previous = best;
        }
        out
    }
}
