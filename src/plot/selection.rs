//! Box and lasso selections on the map, in map coordinates, so a selection
//! stays on the same points when the view is zoomed or panned.

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

#[cfg(test)]
mod tests {
    use super::*;

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
