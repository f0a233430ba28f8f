//! `decoder` (`istftnet.py` `Decoder` and `Generator`): aligned features, F0 and energy to 24 kHz
//! audio. AdaIN residual blocks at the frame rate, then two transposed-convolution upsamplers
//! (x10, x6) with Snake `AdaINResBlock1`s, each fed the STFT of the harmonic source, then
//! `conv_post` to a magnitude/phase spectrogram and the inverse STFT (n_fft 20, hop 5).

use candle_core::Tensor;

use super::layers::{AdaIn1d, AdainResBlk1d, Conv1d, ConvTranspose1d, leaky_relu};
use super::onnx::KokoroWeights;
use super::source::{harmonic_source, istft, stft};
use crate::{Result, profile};

const N_FFT: usize = 20;
const HOP: usize = 5;
const SAMPLE_RATE: f32 = 24_000.0;
/// `upsample_rates` (10, 6) times the iSTFT hop: audio samples per F0 value.
const F0_UPSAMPLE: usize = 300;

/// `AdaINResBlock1`: three (AdaIN, Snake, dilated conv, AdaIN, Snake, conv) residual pairs.
struct AdaInResBlock1 {
    pairs: Vec<ResPair>,
}

struct ResPair {
    adain1: AdaIn1d,
    adain2: AdaIn1d,
    alpha1: Vec<f32>,
    alpha2: Vec<f32>,
    conv1: Conv1d,
    conv2: Conv1d,
}

/// `snake(adain(x, s))` in two passes over `[1, C, T]`: each channel's mean and variance, then
/// `y = (1 + gamma) (x - mean) / sqrt(var + eps) + beta` and Snake `y + sin(alpha y)^2 / alpha`.
/// As separate tensor ops these were seven passes and a fifth of the decoder's time.
fn adain_snake(x: &Tensor, gamma: &Tensor, beta: &Tensor, alpha: &[f32]) -> Result<Tensor> {
    let _span = profile::span("kokoro_adain_snake");
    let (_, channels, len) = x.dims3()?;
    let gamma: Vec<f32> = gamma.flatten_all()?.to_vec1()?;
    let beta: Vec<f32> = beta.flatten_all()?.to_vec1()?;
    let mut values: Vec<f32> = x.flatten_all()?.to_vec1()?;
    for (c, row) in values.chunks_exact_mut(len).enumerate().take(channels) {
        let mean = row.iter().map(|&v| f64::from(v)).sum::<f64>() / len as f64;
        let var = row
            .iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / len as f64;
        let scale = (f64::from(gamma[c]) / (var + 1e-5).sqrt()) as f32;
        let (mean, shift, a) = (mean as f32, beta[c], alpha[c]);
        let inv_a = 1.0 / a;
        for v in row.iter_mut() {
            let y = (*v - mean) * scale + shift;
            let s = (a * y).sin();
            *v = y + s * s * inv_a;
        }
    }
    Ok(Tensor::from_vec(values, (1, channels, len), x.device())?)
}

impl AdaInResBlock1 {
    fn load(w: &KokoroWeights, path: &str) -> Result<Self> {
        let mut pairs = Vec::new();
        for (j, dilation) in [1, 3, 5].into_iter().enumerate() {
            pairs.push(ResPair {
                adain1: AdaIn1d::load(w, &format!("{path}.adain1.{j}"))?,
                adain2: AdaIn1d::load(w, &format!("{path}.adain2.{j}"))?,
                alpha1: w
                    .get(&format!("{path}.alpha1.{j}"))?
                    .flatten_all()?
                    .to_vec1()?,
                alpha2: w
                    .get(&format!("{path}.alpha2.{j}"))?
                    .flatten_all()?
                    .to_vec1()?,
                conv1: Conv1d::same(w, &format!("{path}.convs1.{j}"), dilation)?,
                conv2: Conv1d::same(w, &format!("{path}.convs2.{j}"), 1)?,
            });
        }
        Ok(Self { pairs })
    }

    fn forward(&self, x: &Tensor, style: &Tensor) -> Result<Tensor> {
        let mut x = x.clone();
        for p in &self.pairs {
            let (g1, b1) = p.adain1.modulation(style)?;
            let xt = p.conv1.forward(&adain_snake(&x, &g1, &b1, &p.alpha1)?)?;
            let (g2, b2) = p.adain2.modulation(style)?;
            let xt = p.conv2.forward(&adain_snake(&xt, &g2, &b2, &p.alpha2)?)?;
            x = (xt + x)?;
        }
        Ok(x)
    }
}

struct Generator {
    l_linear_weight: Vec<f32>,
    l_linear_bias: f32,
    noise_convs: Vec<Conv1d>,
    noise_res: Vec<AdaInResBlock1>,
    ups: Vec<ConvTranspose1d>,
    resblocks: Vec<AdaInResBlock1>,
    conv_post: Conv1d,
    inverse_basis: Vec<f32>,
    window_sum: Vec<f32>,
}

pub(crate) struct Decoder {
    f0_conv: Conv1d,
    n_conv: Conv1d,
    encode: AdainResBlk1d,
    decode: Vec<AdainResBlk1d>,
    asr_res: Conv1d,
    generator: Generator,
}

impl Decoder {
    pub fn load(w: &KokoroWeights, dim_in: usize) -> Result<Self> {
        let g = "decoder.generator";
        let generator = Generator {
            l_linear_weight: w
                .get(&format!("{g}.m_source.l_linear.weight"))?
                .flatten_all()?
                .to_vec1()?,
            l_linear_bias: w
                .get(&format!("{g}.m_source.l_linear.bias"))?
                .flatten_all()?
                .to_vec1::<f32>()?[0],
            noise_convs: vec![
                // stride_f0 = 6: kernel 12, padding (6 + 1) / 2.
                Conv1d::load(w, &format!("{g}.noise_convs.0"), 3, 6, 1)?,
                Conv1d::load(w, &format!("{g}.noise_convs.1"), 0, 1, 1)?,
            ],
            noise_res: vec![
                AdaInResBlock1::load(w, &format!("{g}.noise_res.0"))?,
                AdaInResBlock1::load(w, &format!("{g}.noise_res.1"))?,
            ],
            ups: vec![
                ConvTranspose1d::load(w, &format!("{g}.ups.0"), 5, 10)?,
                ConvTranspose1d::load(w, &format!("{g}.ups.1"), 3, 6)?,
            ],
            resblocks: (0..6)
                .map(|i| AdaInResBlock1::load(w, &format!("{g}.resblocks.{i}")))
                .collect::<Result<_>>()?,
            conv_post: Conv1d::load(w, &format!("{g}.conv_post"), 3, 1, 1)?,
            inverse_basis: w
                .get(&format!("{g}.stft.istft.stft.inverse_basis"))?
                .flatten_all()?
                .to_vec1()?,
            window_sum: w
                .get(&format!("{g}.stft.istft.stft.window_sum"))?
                .flatten_all()?
                .to_vec1()?,
        };
        Ok(Self {
            f0_conv: Conv1d::load(w, "decoder.F0_conv", 1, 2, 1)?,
            n_conv: Conv1d::load(w, "decoder.N_conv", 1, 2, 1)?,
            encode: AdainResBlk1d::load(w, "decoder.encode", dim_in + 2, 1024, false)?,
            decode: vec![
                AdainResBlk1d::load(w, "decoder.decode.0", 1024 + 2 + 64, 1024, false)?,
                AdainResBlk1d::load(w, "decoder.decode.1", 1024 + 2 + 64, 1024, false)?,
                AdainResBlk1d::load(w, "decoder.decode.2", 1024 + 2 + 64, 1024, false)?,
                AdainResBlk1d::load(w, "decoder.decode.3", 1024 + 2 + 64, 512, true)?,
            ],
            asr_res: Conv1d::load(w, "decoder.asr_res.0", 0, 1, 1)?,
            generator,
        })
    }

    /// `asr [512, F]`, `f0 [2F]`, `n [2F]`, style `[1, 128]` -> PCM, `600 F` samples.
    pub fn forward(
        &self,
        asr: &Tensor,
        f0: &Tensor,
        n: &Tensor,
        style: &Tensor,
    ) -> Result<Vec<f32>> {
        let asr = asr.unsqueeze(0)?;
        let f0_down = self.f0_conv.forward(&f0.reshape((1, 1, ()))?)?;
        let n_down = self.n_conv.forward(&n.reshape((1, 1, ()))?)?;
        let mut x = self
            .encode
            .forward(&Tensor::cat(&[&asr, &f0_down, &n_down], 1)?, style)?;
        let asr_res = self.asr_res.forward(&asr)?;
        for block in &self.decode {
            // Every block but the one after the upsampler sees the residual features again;
            // here the upsampler is the last block, so all four do.
            x = Tensor::cat(&[&x, &asr_res, &f0_down, &n_down], 1)?;
            x = block.forward(&x, style)?;
        }
        self.generator.forward(&x, style, &f0.to_vec1()?)
    }
}

impl Generator {
    fn forward(&self, x: &Tensor, style: &Tensor, f0: &[f32]) -> Result<Vec<f32>> {
        let device = x.device();
        let source_span = profile::span("kokoro_source_stft");
        let source = harmonic_source(
            f0,
            F0_UPSAMPLE,
            SAMPLE_RATE,
            &self.l_linear_weight,
            self.l_linear_bias,
        );
        let (mag, phase, frames) = stft(&source, N_FFT, HOP);
        let bins = N_FFT / 2 + 1;
        let har = Tensor::from_vec([mag, phase].concat(), (1, 2 * bins, frames), device)?;
        drop(source_span);
        let mut x = x.clone();
        for i in 0..self.ups.len() {
            x = leaky_relu(&x, 0.1)?;
            let x_source = self.noise_res[i].forward(&self.noise_convs[i].forward(&har)?, style)?;
            x = self.ups[i].forward(&x)?;
            if i == self.ups.len() - 1 {
                // reflection_pad (1, 0)
                let t = x.dim(2)?;
                x = Tensor::cat(&[&x.narrow(2, 1, 1)?, &x], 2)?;
                debug_assert_eq!(x.dim(2)?, t + 1);
            }
            x = (x + x_source)?;
            let mut sum: Option<Tensor> = None;
            for j in 0..3 {
                let y = self.resblocks[i * 3 + j].forward(&x, style)?;
                sum = Some(match sum {
                    Some(s) => (s + y)?,
                    None => y,
                });
            }
            x = match sum {
                Some(s) => (s / 3.0)?,
                None => x,
            };
        }
        // `F.leaky_relu` at its default slope.
        let x = self.conv_post.forward(&leaky_relu(&x, 0.01)?)?.squeeze(0)?;
        let spec = x.narrow(0, 0, bins)?.exp()?;
        let phase = x.narrow(0, bins, bins)?.sin()?;
        let frames = spec.dim(1)?;
        let _span = profile::span("kokoro_istft");
        Ok(istft(
            &spec.flatten_all()?.to_vec1()?,
            &phase.flatten_all()?.to_vec1()?,
            frames,
            &self.inverse_basis,
            &self.window_sum,
            N_FFT,
            HOP,
        ))
    }
}
