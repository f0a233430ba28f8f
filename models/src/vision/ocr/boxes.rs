//! From the detector's probability map to text boxes, as PaddleOCR's `DBPostProcess` does it:
//! binarize, take each 8-connected region, fit its minimum-area rotated rectangle (rotating
//! calipers over the convex hull), score it by the mean probability inside, expand it
//! ("unclip": PaddleOCR offsets the polygon by `area · ratio / perimeter` with round joins,
//! which for a rectangle is the same rectangle grown by that distance on every side), and
//! order the boxes in reading order.

/// A point in pixels.
pub type Point = [f32; 2];

/// Settings of the box search (PaddleOCR's `DBPostProcess` names).
#[derive(Debug, Clone, Copy)]
pub struct BoxParams {
    /// `thresh`: probability above which a pixel is text.
    pub thresh: f32,
    /// `box_thresh`: mean probability a box needs.
    pub box_thresh: f32,
    /// `unclip_ratio`: how far a box grows (the network predicts shrunk text kernels).
    pub unclip_ratio: f32,
    /// `max_candidates`: regions looked at, at most.
    pub max_candidates: usize,
}

impl Default for BoxParams {
    fn default() -> Self {
        BoxParams {
            thresh: 0.3,
            box_thresh: 0.6,
            unclip_ratio: 1.5,
            max_candidates: 1000,
        }
    }
}

/// A box smaller than this on its short side is noise (`min_size`).
const MIN_SIZE: f32 = 3.0;

/// A rotated rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub center: Point,
    /// Along `axis`, and across it.
    pub size: [f32; 2],
    /// Unit vector of the first side.
    pub axis: Point,
}

impl Rect {
    /// The corners, top-left first and clockwise (top-left, top-right, bottom-right,
    /// bottom-left), as PaddleOCR's `get_mini_boxes` orders them.
    pub fn corners(&self) -> [Point; 4] {
        let [ux, uy] = self.axis;
        let (hw, hh) = (self.size[0] / 2.0, self.size[1] / 2.0);
        let [cx, cy] = self.center;
        let mut points = [
            [cx - ux * hw + uy * hh, cy - uy * hw - ux * hh],
            [cx + ux * hw + uy * hh, cy + uy * hw - ux * hh],
            [cx + ux * hw - uy * hh, cy + uy * hw + ux * hh],
            [cx - ux * hw - uy * hh, cy - uy * hw + ux * hh],
        ];
        points.sort_by(|a, b| a[0].total_cmp(&b[0]));
        let (tl, bl) = if points[0][1] <= points[1][1] {
            (points[0], points[1])
        } else {
            (points[1], points[0])
        };
        let (tr, br) = if points[2][1] <= points[3][1] {
            (points[2], points[3])
        } else {
            (points[3], points[2])
        };
        [tl, tr, br, bl]
    }

    fn short_side(&self) -> f32 {
        self.size[0].min(self.size[1])
    }

    /// The rectangle grown by `distance` on every side.
    fn grown(&self, distance: f32) -> Rect {
        Rect {
            size: [self.size[0] + 2.0 * distance, self.size[1] + 2.0 * distance],
            ..*self
        }
    }
}

/// A text box found in the map, in map pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub corners: [Point; 4],
    /// Mean probability inside the box before it was grown.
    pub score: f32,
}

/// The text boxes in a `width` x `height` probability map (row-major).
pub fn find_boxes(map: &[f32], width: usize, height: usize, params: BoxParams) -> Vec<Found> {
    let mut found = Vec::new();
    for region in regions(map, width, height, params.thresh)
        .into_iter()
        .take(params.max_candidates)
    {
        let hull = convex_hull(&region);
        let Some(rect) = min_area_rect(&hull) else {
            continue;
        };
        if rect.short_side() < MIN_SIZE {
            continue;
        }
        let corners = rect.corners();
        let score = mean_inside(map, width, height, &corners);
        if score < params.box_thresh {
            continue;
        }
        let area = rect.size[0] * rect.size[1];
        let perimeter = 2.0 * (rect.size[0] + rect.size[1]);
        let grown = rect.grown(area * params.unclip_ratio / perimeter);
        if grown.short_side() < MIN_SIZE + 2.0 {
            continue;
        }
        found.push(Found {
            corners: grown.corners(),
            score,
        });
    }
    found
}

/// The pixels of each 8-connected region above `thresh`, as integer points, in scan order of
/// their first pixel.
fn regions(map: &[f32], width: usize, height: usize, thresh: f32) -> Vec<Vec<[i32; 2]>> {
    let mut seen = vec![false; map.len()];
    let mut out = Vec::new();
    let mut stack = Vec::new();
    for start in 0..map.len() {
        if seen[start] || map[start] <= thresh {
            continue;
        }
        seen[start] = true;
        stack.push(start);
        let mut region = Vec::new();
        while let Some(i) = stack.pop() {
            let (x, y) = ((i % width) as i32, (i / width) as i32);
            region.push([x, y]);
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= width as i32 || ny >= height as i32 {
                        continue;
                    }
                    let j = ny as usize * width + nx as usize;
                    if !seen[j] && map[j] > thresh {
                        seen[j] = true;
                        stack.push(j);
                    }
                }
            }
        }
        out.push(region);
    }
    out
}

/// Andrew's monotone chain; counter-clockwise in image coordinates, no repeated points.
fn convex_hull(points: &[[i32; 2]]) -> Vec<Point> {
    let mut p: Vec<[i64; 2]> = points.iter().map(|&[x, y]| [x as i64, y as i64]).collect();
    p.sort_unstable();
    p.dedup();
    if p.len() < 3 {
        return p.iter().map(|&[x, y]| [x as f32, y as f32]).collect();
    }
    let cross = |o: [i64; 2], a: [i64; 2], b: [i64; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[i64; 2]> = Vec::with_capacity(2 * p.len());
    for &pt in p.iter().chain(p.iter().rev().skip(1)) {
        while hull.len() >= 2 && cross(hull[hull.len() - 2], hull[hull.len() - 1], pt) <= 0 {
            hull.pop();
        }
        hull.push(pt);
    }
    hull.pop();
    hull.iter().map(|&[x, y]| [x as f32, y as f32]).collect()
}

/// The smallest-area rectangle around a convex polygon: one of its sides lies on a hull edge.
fn min_area_rect(hull: &[Point]) -> Option<Rect> {
    match hull.len() {
        0 => return None,
        1 => {
            return Some(Rect {
                center: hull[0],
                size: [0.0, 0.0],
                axis: [1.0, 0.0],
            });
        }
        _ => {}
    }
    let mut best: Option<(f32, Rect)> = None;
    for i in 0..hull.len() {
        let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        if len == 0.0 {
            continue;
        }
        let u = [dx / len, dy / len];
        let (mut lo_u, mut hi_u, mut lo_v, mut hi_v) = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in hull {
            let pu = p[0] * u[0] + p[1] * u[1];
            let pv = -p[0] * u[1] + p[1] * u[0];
            lo_u = lo_u.min(pu);
            hi_u = hi_u.max(pu);
            lo_v = lo_v.min(pv);
            hi_v = hi_v.max(pv);
        }
        let area = (hi_u - lo_u) * (hi_v - lo_v);
        if best.as_ref().is_none_or(|(a, _)| area < *a) {
            let (cu, cv) = ((lo_u + hi_u) / 2.0, (lo_v + hi_v) / 2.0);
            best = Some((
                area,
                Rect {
                    center: [cu * u[0] - cv * u[1], cu * u[1] + cv * u[0]],
                    size: [hi_u - lo_u, hi_v - lo_v],
                    axis: u,
                },
            ));
        }
    }
    best.map(|(_, rect)| rect)
}

/// The mean of `map` over the pixels whose centres lie in the convex quadrilateral `corners`
/// (PaddleOCR's `box_score_fast` fills the polygon on the box's bounding rectangle).
fn mean_inside(map: &[f32], width: usize, height: usize, corners: &[Point; 4]) -> f32 {
    let xs = corners.map(|p| p[0]);
    let ys = corners.map(|p| p[1]);
    let clamp = |v: f32, hi: usize| (v.max(0.0) as usize).min(hi - 1);
    let x0 = clamp(xs.iter().copied().fold(f32::MAX, f32::min).floor(), width);
    let x1 = clamp(xs.iter().copied().fold(f32::MIN, f32::max).ceil(), width);
    let y0 = clamp(ys.iter().copied().fold(f32::MAX, f32::min).floor(), height);
    let y1 = clamp(ys.iter().copied().fold(f32::MIN, f32::max).ceil(), height);
    let (mut sum, mut count) = (0f64, 0usize);
    for y in y0..=y1 {
        for x in x0..=x1 {
            if inside(corners, [x as f32, y as f32]) {
                sum += map[y * width + x] as f64;
                count += 1;
            }
        }
    }
    if count == 0 {
        0.0
    } else {
        (sum / count as f64) as f32
    }
}

/// Whether `p` is inside (or on) the convex quadrilateral `q`.
fn inside(q: &[Point; 4], p: Point) -> bool {
    let mut sign = 0f32;
    for i in 0..4 {
        let (a, b) = (q[i], q[(i + 1) % 4]);
        let c = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
        if c.abs() < 1e-3 {
            continue;
        }
        if sign == 0.0 {
            sign = c.signum();
        } else if c.signum() != sign {
            return false;
        }
    }
    true
}

/// Reading order for boxes given by their corners: rows top to bottom (a box joins a row when
/// its centre is within half the smaller height of the row's), left to right within a row.
pub fn reading_order(boxes: &[[Point; 4]]) -> Vec<usize> {
    let bounds = |c: &[Point; 4]| {
        let ys = c.map(|p| p[1]);
        let xs = c.map(|p| p[0]);
        let (top, bottom) = (
            ys.iter().copied().fold(f32::MAX, f32::min),
            ys.iter().copied().fold(f32::MIN, f32::max),
        );
        let left = xs.iter().copied().fold(f32::MAX, f32::min);
        ((top + bottom) / 2.0, bottom - top, left)
    };
    let mut order: Vec<usize> = (0..boxes.len()).collect();
    order.sort_by(|&a, &b| {
        let (ca, _, la) = bounds(&boxes[a]);
        let (cb, _, lb) = bounds(&boxes[b]);
        ca.total_cmp(&cb).then(la.total_cmp(&lb))
    });
    let mut rows: Vec<(f32, f32, Vec<usize>)> = Vec::new();
    for i in order {
        let (cy, h, _) = bounds(&boxes[i]);
        match rows.last_mut() {
            Some((rc, rh, members)) if (cy - *rc).abs() <= 0.5 * h.min(*rh) => members.push(i),
            _ => rows.push((cy, h, vec![i])),
        }
    }
    rows.into_iter()
        .flat_map(|(_, _, mut members)| {
            members.sort_by(|&a, &b| bounds(&boxes[a]).2.total_cmp(&bounds(&boxes[b]).2));
            members
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map_with(width: usize, height: usize, blocks: &[(usize, usize, usize, usize)]) -> Vec<f32> {
        let mut map = vec![0f32; width * height];
        for &(x0, y0, x1, y1) in blocks {
            for y in y0..y1 {
                for x in x0..x1 {
                    map[y * width + x] = 0.9;
                }
            }
        }
        map
    }

    #[test]
    fn an_axis_aligned_block_becomes_its_grown_rectangle() {
        let map = map_with(100, 40, &[(10, 10, 60, 20)]);
        let found = find_boxes(&map, 100, 40, BoxParams::default());
        assert_eq!(found.len(), 1);
        let [tl, tr, br, bl] = found[0].corners;
        // Pixel centres 10..=59 x 10..=19: a 49 x 9 rectangle, grown by 49·9·1.5/116 = 5.70.
        let d = 49.0 * 9.0 * 1.5 / 116.0;
        for (got, want) in [
            (tl, [10.0 - d, 10.0 - d]),
            (tr, [59.0 + d, 10.0 - d]),
            (br, [59.0 + d, 19.0 + d]),
            (bl, [10.0 - d, 19.0 + d]),
        ] {
            assert!(
                (got[0] - want[0]).abs() < 1e-3 && (got[1] - want[1]).abs() < 1e-3,
                "{got:?} vs {want:?}"
            );
        }
        assert!((found[0].score - 0.9).abs() < 1e-6);
    }

    #[test]
    fn a_slanted_region_gets_a_rotated_box() {
        // A diagonal band: its minimum-area box is tilted, not the bounding box.
        let mut map = vec![0f32; 80 * 80];
        for t in 0..60 {
            for w in 0..8 {
                map[(10 + t + w) * 80 + 10 + t] = 0.95;
            }
        }
        let found = find_boxes(&map, 80, 80, BoxParams::default());
        assert_eq!(found.len(), 1);
        let [tl, tr, ..] = found[0].corners;
        let slope = (tr[1] - tl[1]) / (tr[0] - tl[0]);
        assert!((slope - 1.0).abs() < 0.05, "slope {slope}");
    }

    #[test]
    fn faint_and_tiny_regions_are_dropped() {
        let mut map = map_with(60, 30, &[(5, 5, 7, 7)]);
        for v in &mut map[20 * 60..25 * 60] {
            *v = 0.5; // above thresh, below box_thresh
        }
        assert!(find_boxes(&map, 60, 30, BoxParams::default()).is_empty());
    }

    #[test]
    fn boxes_read_in_rows_then_left_to_right() {
        let rect = |x: f32, y: f32| [[x, y], [x + 30.0, y], [x + 30.0, y + 10.0], [x, y + 10.0]];
        // Second row's left box sits a little higher than its right one; still one row.
        let boxes = [
            rect(50.0, 42.0),
            rect(10.0, 40.0),
            rect(60.0, 5.0),
            rect(5.0, 7.0),
        ];
        assert_eq!(reading_order(&boxes), vec![3, 2, 1, 0]);
    }
}
