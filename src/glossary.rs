//! The words the page uses, each explained in a sentence or two for a
//! first-year student, with where to read more. The page's glossary panel
//! shows them; the settings form and the details card link to them.

/// A word and what it means.
#[derive(Debug, Clone, Copy)]
pub struct Term {
    pub term: &'static str,
    /// An id for links to it ("#glossary-charge-neutrality").
    pub anchor: &'static str,
    pub definition: &'static str,
}

const fn term(term: &'static str, anchor: &'static str, definition: &'static str) -> Term {
    Term {
        term,
        anchor,
        definition,
    }
}

/// The page's words, in the order a lesson meets them.
pub const GLOSSARY: &[Term] = &[
    term(
        "composition",
        "composition",
        "Which elements a compound contains and in what ratio, such as ZnO (one zinc to one oxygen) or \
         Li2ZnSn3O8. The map deals in compositions only, not crystal structures.",
    ),
    term(
        "binary, ternary, quaternary",
        "order",
        "Compositions of 2, 3 or 4 different elements. With 103 elements and up to 8 atoms of each, \
         there are 225,879 binaries, 77.6 million ternaries and 16.9 billion quaternaries.",
    ),
    term(
        "stoichiometric factor",
        "stoichiometric-factor",
        "The number of atoms of an element in the formula unit: in Li6ZnO4 it is 6 for Li, 1 for Zn and \
         4 for O. The paper allows up to 8.",
    ),
    term(
        "oxidation state",
        "oxidation-state",
        "The charge an atom is counted as carrying in a compound: +2 for zinc in ZnO, -2 for oxygen. Most \
         elements have a few usual ones; iron has +2 and +3.",
    ),
    term(
        "oxidation-state set",
        "oxidation-state-set",
        "The list of charges each element may take. smact14 is the list the paper used; icsd16 and icsd24 \
         keep states seen in known crystals (the Inorganic Crystal Structure Database); pymatgen_sp is \
         pymatgen's list of common states; wiki is Wikipedia's longer list, which includes 0.",
    ),
    term(
        "charge neutrality",
        "charge-neutrality",
        "A compound has no overall charge: each element's charge times its number of atoms must add up to \
         zero. Zn2O passes with Zn(+1) x 2 + O(-2) = 0.",
    ),
    term(
        "electronegativity",
        "electronegativity",
        "How strongly an atom pulls electrons towards itself, on Pauling's scale from about 0.7 \
         (caesium) to 4.0 (fluorine).",
    ),
    term(
        "electronegativity balance",
        "electronegativity-balance",
        "In a sensible ionic picture the positive ions (cations) are less electronegative than the \
         negative ions (anions): every cation must sit left of every anion on the electronegativity scale.",
    ),
    term(
        "SMACT",
        "smact",
        "Semiconducting Materials from Analogy and Chemical Theory, the Python package whose two tests \
         (charge neutrality and electronegativity balance) decide whether a composition is allowed. \
         The page reproduces its smact_filter exactly.",
    ),
    term(
        "allowed, forbidden",
        "allowed",
        "Allowed: at least one choice of oxidation states passes both of SMACT's tests. Forbidden: none \
         does. SMACT gives all atoms of one element the same charge unless mixed valence is switched on.",
    ),
    term(
        "mixed valence",
        "mixed-valence",
        "Atoms of the same element with different charges in one compound, as in Fe3O4 = Fe(+2) + \
         Fe(+3) x 2 + O(-2) x 4. The paper's filter does not consider it; SMACT's smact_validity can.",
    ),
    term(
        "known",
        "known",
        "Found in a database of materials that have been made or computed: the Materials Project (the \
         paper's choice), OQMD or AFLOW.",
    ),
    term(
        "standard",
        "standard",
        "Allowed and known: the chemical rules and the database agree.",
    ),
    term(
        "missing",
        "missing",
        "Allowed but not known: a candidate for a material nobody has reported yet.",
    ),
    term(
        "interesting",
        "interesting",
        "Forbidden yet known: a real compound the simple rules cannot explain, such as metals and \
         compounds with unusual bonding.",
    ),
    term(
        "unlikely",
        "unlikely",
        "Forbidden and not known: most of chemical space.",
    ),
    term(
        "element embedding",
        "element-embedding",
        "A list of numbers describing an element, learned from text (mat2vec), from crystal structures \
         (skipatom, megnet16) or taken from measured properties (magpie, oliynyk); random_200 is random \
         numbers, for comparison.",
    ),
    term(
        "pooling",
        "pooling",
        "Combining the element lists of a composition into one list. The paper's eq. 2 takes the mean \
         weighted by atom fraction: ZnO2 is one third zinc and two thirds oxygen.",
    ),
    term(
        "reducer",
        "reducer",
        "A method that draws long lists of numbers as points on a flat map so that similar compositions \
         sit close together (dimensionality reduction): PCA, t-SNE or UMAP.",
    ),
    term(
        "PCA",
        "pca",
        "Principal component analysis: looks at the data along the two directions in which it spreads \
         most. Fast and faithful to large distances; clusters may overlap.",
    ),
    term(
        "t-SNE",
        "tsne",
        "t-distributed stochastic neighbour embedding: places points so that each keeps its near \
         neighbours near. Clusters are clear; distances between clusters mean little.",
    ),
    term(
        "UMAP",
        "umap",
        "Uniform manifold approximation and projection: builds a graph of each point's nearest \
         neighbours and lays it out in 2-D. Like t-SNE, but faster and keeping more of the overall shape.",
    ),
    term(
        "n_neighbors",
        "n-neighbors",
        "UMAP's number of nearest neighbours per point: small values show local detail, large values \
         the overall shape.",
    ),
    term(
        "min_dist",
        "min-dist",
        "UMAP's least distance between points on the map: 0 packs clusters tightly, larger values spread \
         them out.",
    ),
    term(
        "perplexity",
        "perplexity",
        "t-SNE's effective number of neighbours each point pays attention to; 5 to 50 is usual.",
    ),
    term(
        "seed",
        "seed",
        "A number that fixes the random choices (the sample, the reducers' starting points), so the \
         same seed gives the same map on any computer.",
    ),
    term(
        "anion class",
        "anion-class",
        "The most electronegative element of a composition names its class: oxide (O), halide (F, Cl, Br, \
         I, At), chalcogenide (S, Se, Te, Po), pnictide (N, P, As, Sb, Bi). Everything else is 'other': \
         hydrides, carbides, borides and compositions of metals only, which make up most of the binary \
         space.",
    ),
    term(
        "chemical system",
        "chemical-system",
        "A set of elements such as Li-Zn-Sn-O and every composition made from some of them: the \
         paper's Table 1 lists one.",
    ),
];

/// Where to read more.
pub const READING: &[(&str, &str)] = &[
    (
        "H. Park, A. Onwuli, K. T. Butler and A. Walsh, Mapping inorganic crystal chemical space, Faraday Discussions (2024)",
        "https://doi.org/10.1039/d4fd00063c",
    ),
    (
        "SMACT: Semiconducting Materials from Analogy and Chemical Theory",
        "https://github.com/WMD-group/SMACT",
    ),
    (
        "ElementEmbeddings: element and compositional embeddings",
        "https://github.com/WMD-group/ElementEmbeddings",
    ),
    (
        "L. McInnes, J. Healy and J. Melville, UMAP (2018)",
        "https://arxiv.org/abs/1802.03426",
    ),
    (
        "L. van der Maaten and G. Hinton, Visualizing data using t-SNE (2008)",
        "https://www.jmlr.org/papers/v9/vandermaaten08a.html",
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_a_sentence_with_a_unique_anchor() {
        for t in GLOSSARY {
            assert!(t.definition.ends_with('.'), "{}", t.term);
            assert!(
                t.anchor.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{}",
                t.anchor
            );
            assert_eq!(GLOSSARY.iter().filter(|u| u.anchor == t.anchor).count(), 1);
        }
    }

    #[test]
    fn the_glossary_defines_every_category_and_oxidation_state_set() {
        let text: String = GLOSSARY.iter().map(|t| t.definition).collect();
        for c in crate::label::Category::ALL {
            assert!(GLOSSARY.iter().any(|t| t.term == c.name()), "{c}");
        }
        for s in crate::data::OxidationSet::ALL {
            assert!(text.contains(s.name()), "{}", s.name());
        }
        for class in crate::anion::AnionClass::ALL {
            assert!(text.contains(class.name()), "{}", class.name());
        }
    }
}
