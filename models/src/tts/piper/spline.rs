//! The inverse of a monotonic rational-quadratic spline with linear tails (Durkan et al. 2019,
//! `transforms.unconstrained_rational_quadratic_spline` with `inverse=True`, `tails="linear"`):
//! the transform each `ConvFlow` of the stochastic duration predictor undoes, one value at a time.

const MIN_BIN_WIDTH: f64 = 1e-3;
const MIN_BIN_HEIGHT: f64 = 1e-3;
const MIN_DERIVATIVE: f64 = 1e-3;

/// `softmax`, then each bin widened to at least `min` of the whole, then the cumulative knots
/// from `-bound` to `bound` (`cumwidths` / `cumheights`).
fn knots(unnormalized: &[f64], min: f64, bound: f64) -> Vec<f64> {
    let max = unnormalized
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = unnormalized.iter().map(|u| (u - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    let bins = unnormalized.len();
    let mut knots = Vec::with_capacity(bins + 1);
    knots.push(-bound);
    let mut cumulative = 0.0;
    for e in &exps {
        cumulative += min + (1.0 - min * bins as f64) * e / total;
        knots.push(2.0 * bound * cumulative - bound);
    }
    knots[bins] = bound;
    knots
}

fn softplus(x: f64) -> f64 {
    if x > 20.0 { x } else { x.exp().ln_1p() }
}

/// Maps `y` back through the spline whose `widths` and `heights` (`num_bins` each, already
/// divided by sqrt(filter_channels) as `ConvFlow` does) and inner `derivatives` (`num_bins - 1`)
/// are given; outside `[-bound, bound]` the map is the identity.
pub(crate) fn inverse(
    y: f64,
    widths: &[f64],
    heights: &[f64],
    derivatives: &[f64],
    bound: f64,
) -> f64 {
    if !(-bound..=bound).contains(&y) {
        return y;
    }
    let bins = widths.len();
    let cumwidths = knots(widths, MIN_BIN_WIDTH, bound);
    let cumheights = knots(heights, MIN_BIN_HEIGHT, bound);
    // The linear tails fix the outer derivatives to 1: softplus(constant) = 1 - min.
    let tail = ((1.0 - MIN_DERIVATIVE).exp() - 1.0).ln();
    let derivative = |k: usize| {
        let u = if k == 0 || k == bins {
            tail
        } else {
            derivatives[k - 1]
        };
        MIN_DERIVATIVE + softplus(u)
    };
    // `searchsorted` with the last knot nudged up by 1e-6.
    let bin = cumheights[..bins]
        .iter()
        .rposition(|&h| y >= h)
        .unwrap_or(0)
        .min(bins - 1);
    let x_k = cumwidths[bin];
    let width = cumwidths[bin + 1] - x_k;
    let y_k = cumheights[bin];
    let height = cumheights[bin + 1] - y_k;
    let delta = height / width;
    let (d_k, d_k1) = (derivative(bin), derivative(bin + 1));
    let shifted = y - y_k;
    let curvature = d_k + d_k1 - 2.0 * delta;
    let a = shifted * curvature + height * (delta - d_k);
    let b = height * d_k - shifted * curvature;
    let c = -delta * shifted;
    let discriminant = (b * b - 4.0 * a * c).max(0.0);
    let root = (2.0 * c) / (-b - discriminant.sqrt());
    root * width + x_k
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The forward spline (`inverse=False`), to check that `inverse` undoes it.
    fn forward(x: f64, widths: &[f64], heights: &[f64], derivatives: &[f64], bound: f64) -> f64 {
        let bins = widths.len();
        let cw = knots(widths, MIN_BIN_WIDTH, bound);
        let ch = knots(heights, MIN_BIN_HEIGHT, bound);
        let tail = ((1.0 - MIN_DERIVATIVE).exp() - 1.0).ln();
        let d = |k: usize| {
            MIN_DERIVATIVE
                + softplus(if k == 0 || k == bins {
                    tail
                } else {
                    derivatives[k - 1]
                })
        };
        let bin = cw[..bins].iter().rposition(|&w| x >= w).unwrap_or(0);
        let width = cw[bin + 1] - cw[bin];
        let height = ch[bin + 1] - ch[bin];
        let delta = height / width;
        let theta = (x - cw[bin]) / width;
        let tt = theta * (1.0 - theta);
        let num = height * (delta * theta * theta + d(bin) * tt);
        let den = delta + (d(bin) + d(bin + 1) - 2.0 * delta) * tt;
        ch[bin] + num / den
    }

    #[test]
    fn inverse_undoes_the_forward_spline_and_tails_are_identity() {
        let widths = [0.3, -1.0, 0.5, 2.0, 0.0, -0.4, 1.1, 0.2, -2.0, 0.7];
        let heights = [1.0, 0.1, -0.3, 0.4, -1.5, 0.9, 0.0, 0.6, 0.3, -0.2];
        let derivatives = [0.5, -0.5, 1.0, 0.0, 2.0, -1.0, 0.3, 0.8, -0.2];
        for i in 0..=40 {
            let x = -4.9 + 9.8 * f64::from(i) / 40.0;
            let y = forward(x, &widths, &heights, &derivatives, 5.0);
            let back = inverse(y, &widths, &heights, &derivatives, 5.0);
            assert!((back - x).abs() < 1e-9, "x {x} -> y {y} -> {back}");
        }
        assert_eq!(inverse(7.5, &widths, &heights, &derivatives, 5.0), 7.5);
        assert_eq!(inverse(-6.0, &widths, &heights, &derivatives, 5.0), -6.0);
    }
}
