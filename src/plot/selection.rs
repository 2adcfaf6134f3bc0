//! Box and lasso selections on the map, in map coordinates, so a selection
//! stays on the same points when the view is zoomed or panned. Shapes combine
//! in [`Selections`] (Shift adds, Alt takes away), which a link can carry.

/// A region of the map the user drew.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// Two opposite corners.
    Box { x0: f64, y0: f64, x1: f64, y1: f64 },
    /// A closed polygon through the points dragged over (closed implicitly).
    Lasso(Vec<(f64, f64)>),
}

impl Selection {
    /// Whether (x, y) lies inside. A lasso uses the even-odd rule; fewer than
    /// three vertices enclose nothing.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        match self {
            Selection::Box { x0, y0, x1, y1 } => {
                x0.min(*x1) <= x && x <= x0.max(*x1) && y0.min(*y1) <= y && y <= y0.max(*y1)
            }
            Selection::Lasso(points) => {
                if points.len() < 3 {
                    return false;
                }
                let mut inside = false;
                let mut j = points.len() - 1;
                for (i, &(xi, yi)) in points.iter().enumerate() {
                    let (xj, yj) = points[j];
                    if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                        inside = !inside;
                    }
                    j = i;
                }
                inside
            }
        }
    }

    /// Indices of the points of `coords` (x, y pairs) inside, in index order,
    /// among those `accept` lets through.
    pub fn select(&self, coords: &[f32], accept: impl Fn(usize) -> bool) -> Vec<usize> {
        coords
            .chunks_exact(2)
            .enumerate()
            .filter(|&(i, p)| accept(i) && self.contains(f64::from(p[0]), f64::from(p[1])))
            .map(|(i, _)| i)
            .collect()
    }

    /// The outline to draw, as a closed list of vertices.
    pub fn outline(&self) -> Vec<(f64, f64)> {
        match self {
            Selection::Box { x0, y0, x1, y1 } => {
                vec![(*x0, *y0), (*x1, *y0), (*x1, *y1), (*x0, *y1), (*x0, *y0)]
            }
            Selection::Lasso(points) => {
                let mut v = points.clone();
                if let Some(&first) = points.first() {
                    v.push(first);
                }
                v
            }
        }
    }
}

/// Most vertices a lasso keeps: enough for any hand-drawn outline, few
/// enough for a link.
pub const MAX_LASSO_VERTICES: usize = 48;

/// Most shapes a selection combines (a link must stay a link).
pub const MAX_SHAPES: usize = 8;

impl Selection {
    /// The same shape with at most [`MAX_LASSO_VERTICES`] vertices (evenly
    /// spaced along the drawn ones) and every coordinate rounded to f32, as a
    /// link carries it, so a shared selection holds exactly the same points.
    pub fn simplified(&self) -> Selection {
        let r = |v: f64| f64::from(v as f32);
        match self {
            Selection::Box { x0, y0, x1, y1 } => Selection::Box {
                x0: r(*x0),
                y0: r(*y0),
                x1: r(*x1),
                y1: r(*y1),
            },
            Selection::Lasso(points) => {
                let n = points.len();
                let keep = n.min(MAX_LASSO_VERTICES);
                Selection::Lasso(
                    (0..keep)
                        .map(|k| points[k * n / keep])
                        .map(|(x, y)| (r(x), r(y)))
                        .collect(),
                )
            }
        }
    }

    fn write(&self, out: &mut String) {
        let numbers: Vec<String> = match self {
            Selection::Box { x0, y0, x1, y1 } => {
                out.push_str("b:");
                [x0, y0, x1, y1]
                    .iter()
                    .map(|v| (**v as f32).to_string())
                    .collect()
            }
            Selection::Lasso(points) => {
                out.push_str("l:");
                points
                    .iter()
                    .flat_map(|&(x, y)| [(x as f32).to_string(), (y as f32).to_string()])
                    .collect()
            }
        };
        out.push_str(&numbers.join(","));
    }

    fn read(text: &str) -> Result<Selection, String> {
        let (kind, body) = text.split_once(':').ok_or_else(|| {
            format!("'{text}' is not a box (b:x0,y0,x1,y1) or a lasso (l:x,y,...)")
        })?;
        let numbers = finite_f32s(body)
            .ok_or_else(|| format!("'{body}' holds something that is not a finite number"))?;
        match (kind, numbers.as_slice()) {
            ("b", &[x0, y0, x1, y1]) => Ok(Selection::Box { x0, y0, x1, y1 }),
            ("l", n) if n.len() % 2 == 0 && (6..=2 * MAX_LASSO_VERTICES).contains(&n.len()) => Ok(
                Selection::Lasso(n.chunks_exact(2).map(|p| (p[0], p[1])).collect()),
            ),
            ("b", _) => Err("a box needs four numbers: b:x0,y0,x1,y1".into()),
            ("l", _) => Err(format!(
                "a lasso needs 3 to {MAX_LASSO_VERTICES} points: l:x,y,x,y,x,y,..."
            )),
            _ => Err(format!("'{kind}' is neither b (a box) nor l (a lasso)")),
        }
    }
}

/// Comma-separated numbers read as links carry them (finite f32, so what is
/// read is written back the same), or `None` if one is not.
pub fn finite_f32s(text: &str) -> Option<Vec<f64>> {
    text.split(',')
        .map(|p| {
            p.trim()
                .parse::<f32>()
                .ok()
                .filter(|v| v.is_finite())
                .map(f64::from)
        })
        .collect()
}

/// How a new shape combines with the selection so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SelectionOp {
    /// A plain drag: the shape becomes the selection.
    Replace,
    /// Shift: add what the shape holds.
    Add,
    /// Alt: take away what the shape holds.
    Remove,
}

/// Shapes added and taken away in turn: a point is selected if the last
/// shape that holds it added it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Selections {
    parts: Vec<(bool, Selection)>,
}

impl Selections {
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Combines `shape` (simplified as links carry it) with the selection.
    /// Past [`MAX_SHAPES`] the oldest shapes are merged away by keeping the
    /// newest ones.
    pub fn apply(&mut self, op: SelectionOp, shape: &Selection) {
        let shape = shape.simplified();
        match op {
            SelectionOp::Replace => self.parts = vec![(true, shape)],
            SelectionOp::Add => self.parts.push((true, shape)),
            SelectionOp::Remove if !self.parts.is_empty() => self.parts.push((false, shape)),
            SelectionOp::Remove => {}
        }
        if self.parts.len() > MAX_SHAPES {
            self.parts.remove(0);
        }
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        self.parts
            .iter()
            .rev()
            .find(|(_, s)| s.contains(x, y))
            .is_some_and(|(added, _)| *added)
    }

    /// Indices of the points of `coords` selected, among those `accept` lets through.
    pub fn select(&self, coords: &[f32], accept: impl Fn(usize) -> bool) -> Vec<usize> {
        if self.parts.is_empty() {
            return Vec::new();
        }
        coords
            .chunks_exact(2)
            .enumerate()
            .filter(|&(i, p)| accept(i) && self.contains(f64::from(p[0]), f64::from(p[1])))
            .map(|(i, _)| i)
            .collect()
    }

    /// The shapes, each with whether it adds (true) or takes away.
    pub fn shapes(&self) -> impl Iterator<Item = (bool, &Selection)> {
        self.parts.iter().map(|(a, s)| (*a, s))
    }

    /// As a link writes it: shapes separated by ';', one taking away led by '-'.
    pub fn to_link(&self) -> String {
        let mut out = String::new();
        for (i, (added, shape)) in self.parts.iter().enumerate() {
            if i > 0 {
                out.push(';');
            }
            if !added {
                out.push('-');
            }
            shape.write(&mut out);
        }
        out
    }

    /// Reads [`Selections::to_link`]'s text.
    pub fn from_link(text: &str) -> Result<Selections, String> {
        let mut parts = Vec::new();
        for piece in text.split(';').filter(|p| !p.trim().is_empty()) {
            let (added, body) = match piece.trim().strip_prefix('-') {
                Some(rest) => (false, rest),
                None => (true, piece.trim()),
            };
            parts.push((added, Selection::read(body)?));
        }
        if parts.len() > MAX_SHAPES {
            return Err(format!("at most {MAX_SHAPES} shapes are kept"));
        }
        Ok(Selections { parts })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_add_and_take_away_in_turn_and_links_hold_them_exactly() {
        let square = |x0: f64, x1: f64| Selection::Box {
            x0,
            y0: x0,
            x1,
            y1: x1,
        };
        let mut s = Selections::default();
        s.apply(SelectionOp::Remove, &square(4.0, 6.0));
        assert!(s.is_empty(), "taking away from nothing leaves nothing");
        s.apply(SelectionOp::Replace, &square(0.0, 10.0));
        s.apply(SelectionOp::Remove, &square(4.0, 6.0));
        assert!(s.contains(1.0, 1.0) && !s.contains(5.0, 5.0));
        s.apply(SelectionOp::Add, &square(4.9, 5.1));
        assert!(s.contains(5.0, 5.0) && !s.contains(4.5, 4.5));
        let circle: Vec<(f64, f64)> = (0..500)
            .map(|i| {
                let t = f64::from(i) / 500.0 * std::f64::consts::TAU;
                (20.0 + 3.0 * t.cos(), 20.0 + 3.0 * t.sin() + 1e-9)
            })
            .collect();
        s.apply(SelectionOp::Add, &Selection::Lasso(circle));
        let link = s.to_link();
        assert!(link.len() < 1200, "{}", link.len());
        let back = Selections::from_link(&link).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.to_link(), link);
        assert!(back.contains(20.0, 20.0) && !back.contains(24.0, 20.0));
        for bad in ["b:1,2,3", "l:1,2,3,4", "x:1,2", "b:1,2,3,inf", "b1,2,3,4"] {
            assert!(Selections::from_link(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn boxes_in_any_corner_order() {
        let b = Selection::Box {
            x0: 2.0,
            y0: 3.0,
            x1: -1.0,
            y1: 0.0,
        };
        assert!(b.contains(0.0, 1.0));
        assert!(b.contains(2.0, 3.0));
        assert!(!b.contains(2.1, 1.0));
        let coords = [0.0f32, 1.0, 5.0, 5.0, 1.0, 2.0, f32::NAN, 1.0];
        assert_eq!(b.select(&coords, |_| true), [0, 2]);
        assert_eq!(b.select(&coords, |i| i != 0), [2]);
    }

    #[test]
    fn lasso_uses_even_odd_inside() {
        // An L-shaped lasso: the notch at (3, 3) is outside.
        let l = Selection::Lasso(vec![
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 2.0),
            (2.0, 2.0),
            (2.0, 4.0),
            (0.0, 4.0),
        ]);
        assert!(l.contains(1.0, 1.0));
        assert!(l.contains(1.0, 3.0));
        assert!(l.contains(3.0, 1.0));
        assert!(!l.contains(3.0, 3.0));
        assert!(!l.contains(-1.0, 1.0));
        assert!(!Selection::Lasso(vec![(0.0, 0.0), (1.0, 1.0)]).contains(0.5, 0.5));
        assert_eq!(l.outline().len(), 7);
    }
}
