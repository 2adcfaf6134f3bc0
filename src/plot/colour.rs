//! Colours of the map: the paper's category colours (or a colour-blind-safe
//! set), the anion classes of Fig. 5, and a sequential scale for element
//! properties.

use crate::anion::AnionClass;
use crate::chem::{Composition, Element};
use crate::label::Category;

/// An sRGB colour.
pub type Rgb = [u8; 3];

/// Which category colours to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Palette {
    /// The paper's blue, red, green and grey (SPEC section 4).
    #[default]
    Paper,
    /// Okabe-Ito colours, told apart with the common colour-vision deficiencies.
    ColourBlindSafe,
}

impl Palette {
    pub fn name(self) -> &'static str {
        match self {
            Palette::Paper => "paper",
            Palette::ColourBlindSafe => "cb",
        }
    }

    pub fn from_name(name: &str) -> Option<Palette> {
        [Palette::Paper, Palette::ColourBlindSafe]
            .into_iter()
            .find(|p| p.name() == name)
    }

    pub fn category(self, category: Category) -> Rgb {
        match self {
            Palette::Paper => category.paper_colour(),
            Palette::ColourBlindSafe => category.colour_blind_safe_colour(),
        }
    }
}

/// Colours of the anion classes, distinguishable without full colour vision
/// (Okabe-Ito blue, bluish green, orange; Tol's red; grey).
pub fn anion_colour(class: AnionClass) -> Rgb {
    match class {
        AnionClass::Pnictide => [0x00, 0x72, 0xB2],
        AnionClass::Halide => [0x00, 0x9E, 0x73],
        AnionClass::Chalcogenide => [0xE6, 0x9F, 0x00],
        AnionClass::Oxide => [0xCC, 0x33, 0x11],
        AnionClass::Other => [0xBB, 0xBB, 0xBB],
    }
}

/// Colour of a point whose property is unknown (an element without data).
pub const NO_DATA: Rgb = [0xE4, 0xE4, 0xE4];

/// Viridis sampled at nine evenly spaced stops (matplotlib's values, rounded):
/// perceptually uniform and readable in greyscale and with colour-vision deficiencies.
const VIRIDIS: [Rgb; 9] = [
    [68, 1, 84],
    [71, 44, 122],
    [59, 81, 139],
    [44, 113, 142],
    [33, 144, 141],
    [39, 173, 129],
    [92, 200, 99],
    [170, 220, 50],
    [253, 231, 37],
];

/// The sequential scale at `t` in 0..=1 (clamped; NaN gives [`NO_DATA`]).
pub fn sequential(t: f64) -> Rgb {
    if t.is_nan() {
        return NO_DATA;
    }
    let x = t.clamp(0.0, 1.0) * (VIRIDIS.len() - 1) as f64;
    let i = (x.floor() as usize).min(VIRIDIS.len() - 2);
    let f = x - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    std::array::from_fn(|k| {
        (f64::from(a[k]) + f * (f64::from(b[k]) - f64::from(a[k]))).round() as u8
    })
}

/// The sequential scale as a CSS gradient, for its key in the page.
pub fn sequential_css_gradient() -> String {
    let stops: Vec<String> = (0..VIRIDIS.len())
        .map(|i| hex(sequential(i as f64 / (VIRIDIS.len() - 1) as f64)))
        .collect();
    format!("linear-gradient(to right, {})", stops.join(", "))
}

/// `#rrggbb`, for CSS and SVG.
pub fn hex(c: Rgb) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

/// A column of the element table (`data/elements.csv`) a map can be coloured by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementProperty {
    Pauling,
    Mass,
    CovalentRadius,
    ElectronAffinity,
    IonisationPotential,
    Polarisability,
    /// Crustal abundance, shown on a log scale (it spans 12 orders of magnitude).
    Abundance,
}

impl ElementProperty {
    pub const ALL: [ElementProperty; 7] = [
        ElementProperty::Pauling,
        ElementProperty::Mass,
        ElementProperty::CovalentRadius,
        ElementProperty::ElectronAffinity,
        ElementProperty::IonisationPotential,
        ElementProperty::Polarisability,
        ElementProperty::Abundance,
    ];

    /// The column name in `data/elements.csv`, used in links.
    pub fn name(self) -> &'static str {
        match self {
            ElementProperty::Pauling => "pauling",
            ElementProperty::Mass => "mass",
            ElementProperty::CovalentRadius => "r_cov",
            ElementProperty::ElectronAffinity => "e_affinity",
            ElementProperty::IonisationPotential => "ion_pot",
            ElementProperty::Polarisability => "dipol",
            ElementProperty::Abundance => "abundance",
        }
    }

    pub fn from_name(name: &str) -> Option<ElementProperty> {
        ElementProperty::ALL.into_iter().find(|p| p.name() == name)
    }

    /// For people: "mean Pauling electronegativity".
    pub fn title(self) -> &'static str {
        match self {
            ElementProperty::Pauling => "mean Pauling electronegativity",
            ElementProperty::Mass => "mean atomic mass (u)",
            ElementProperty::CovalentRadius => "mean covalent radius (Å)",
            ElementProperty::ElectronAffinity => "mean electron affinity (eV)",
            ElementProperty::IonisationPotential => "mean first ionisation energy (eV)",
            ElementProperty::Polarisability => "mean dipole polarisability (a.u.)",
            ElementProperty::Abundance => "mean log10 crustal abundance (ppm)",
        }
    }

    /// The element's value on the scale the map uses.
    pub fn of_element(self, e: Element) -> Option<f64> {
        let d = e.data();
        match self {
            ElementProperty::Pauling => d.pauling_eneg,
            ElementProperty::Mass => Some(d.mass),
            ElementProperty::CovalentRadius => d.covalent_radius,
            ElementProperty::ElectronAffinity => d.electron_affinity,
            ElementProperty::IonisationPotential => d.ionisation_potential,
            ElementProperty::Polarisability => d.dipole_polarisability,
            ElementProperty::Abundance => d.crustal_abundance.filter(|&a| a > 0.0).map(f64::log10),
        }
    }

    /// Mean over the composition weighted by atomic fraction, as the
    /// compositional embeddings pool element vectors (paper eq. 2); `None`
    /// when an element has no value.
    pub fn of_composition(self, c: &Composition) -> Option<f64> {
        c.parts()
            .iter()
            .zip(c.fractions())
            .map(|(&(e, _), f)| self.of_element(e).map(|v| v * f))
            .sum()
    }
}

/// What the points' colours show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColourBy {
    /// The four categories (standard, missing, interesting, unlikely).
    #[default]
    Category,
    /// Fig. 5's anion classes.
    Anion,
    /// An element property, averaged over the composition.
    Property(ElementProperty),
}

impl ColourBy {
    /// Name in links: "category", "anion" or "prop:NAME".
    pub fn name(self) -> String {
        match self {
            ColourBy::Category => "category".into(),
            ColourBy::Anion => "anion".into(),
            ColourBy::Property(p) => format!("prop:{}", p.name()),
        }
    }

    pub fn from_name(name: &str) -> Option<ColourBy> {
        match name {
            "category" => Some(ColourBy::Category),
            "anion" => Some(ColourBy::Anion),
            _ => name
                .strip_prefix("prop:")
                .and_then(ElementProperty::from_name)
                .map(ColourBy::Property),
        }
    }
}

/// Linear map of values onto 0..=1 between the smallest and largest finite
/// value seen (a constant maps to 0.5).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    pub fn of(values: impl IntoIterator<Item = f64>) -> Option<Range> {
        values
            .into_iter()
            .filter(|v| v.is_finite())
            .fold(None, |r: Option<Range>, v| {
                Some(r.map_or(Range { min: v, max: v }, |r| Range {
                    min: r.min.min(v),
                    max: r.max.max(v),
                }))
            })
    }

    pub fn unit(&self, v: f64) -> f64 {
        if self.max > self.min {
            (v - self.min) / (self.max - self.min)
        } else {
            0.5
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palettes_give_four_distinct_category_colours() {
        for p in [Palette::Paper, Palette::ColourBlindSafe] {
            let colours: Vec<Rgb> = Category::ALL.iter().map(|&c| p.category(c)).collect();
            for i in 0..4 {
                for j in i + 1..4 {
                    assert_ne!(colours[i], colours[j]);
                }
            }
            assert_eq!(Palette::from_name(p.name()), Some(p));
        }
        assert_eq!(hex(Palette::Paper.category(Category::Standard)), "#002fff");
    }

    #[test]
    fn sequential_scale_runs_dark_to_light_and_clamps() {
        assert_eq!(sequential(0.0), VIRIDIS[0]);
        assert_eq!(sequential(1.0), VIRIDIS[8]);
        assert_eq!(sequential(-3.0), VIRIDIS[0]);
        assert_eq!(sequential(7.0), VIRIDIS[8]);
        assert_eq!(sequential(0.5), VIRIDIS[4]);
        assert_eq!(sequential(f64::NAN), NO_DATA);
        assert!(sequential_css_gradient().starts_with("linear-gradient(to right, #440154, "));
        let lightness = |c: Rgb| c.iter().map(|&v| u32::from(v)).sum::<u32>();
        let steps: Vec<u32> = (0..=20)
            .map(|i| lightness(sequential(f64::from(i) / 20.0)))
            .collect();
        assert!(
            steps.windows(2).all(|w| w[0] <= w[1]),
            "lightness rises: {steps:?}"
        );
    }

    #[test]
    fn composition_properties_are_fraction_weighted_means() {
        let zno2 = Composition::parse("ZnO2").unwrap();
        let mean = ElementProperty::Pauling.of_composition(&zno2).unwrap();
        assert!((mean - (1.65 + 2.0 * 3.44) / 3.0).abs() < 1e-12);
        // Helium has no electronegativity, so the mean is undefined.
        assert_eq!(
            ElementProperty::Pauling.of_composition(&Composition::parse("HeO").unwrap()),
            None
        );
        for p in ElementProperty::ALL {
            assert_eq!(ElementProperty::from_name(p.name()), Some(p));
            assert_eq!(
                ColourBy::from_name(&ColourBy::Property(p).name()),
                Some(ColourBy::Property(p))
            );
        }
        assert_eq!(ColourBy::from_name("anion"), Some(ColourBy::Anion));
        assert_eq!(ColourBy::from_name("prop:nope"), None);
        let r = Range::of([3.0, f64::NAN, 1.0, 2.0]).unwrap();
        assert_eq!((r.min, r.max, r.unit(2.0)), (1.0, 3.0, 0.5));
        assert_eq!(Range::of([2.0, 2.0]).unwrap().unit(2.0), 0.5);
        assert!(Range::of([f64::NAN]).is_none());
    }
}
