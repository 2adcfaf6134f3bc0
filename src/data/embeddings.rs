//! Element embeddings: one vector per element, as ElementEmbeddings 0.8.0 loads
//! them (`Embedding.load_data(name).embeddings`, restricted to H..Lr), packed
//! by `scripts/import-data` into `data/embeddings/<name>.bin` ("CAE1" format,
//! described in `scripts/import_data.py`).
//!
//! The paper's six embeddings are compiled into every build. The other
//! fourteen are compiled into native builds only, so the page's wasm stays
//! small; the page fetches their `.bin` files and decodes them with
//! [`ElementEmbedding::from_bytes`], which checks every byte and returns a
//! typed error, never a panic, on a truncated or corrupt file.
//!
//! Vectors and their sources are ElementEmbeddings' (A. Onwuli et al.,
//! "Element similarity in high-dimensional materials representations",
//! Digital Discovery 2, 1558 (2023); MIT licence); each entry of
//! [`EMBEDDINGS`] credits the work its vectors come from.

use std::fmt;
use std::sync::OnceLock;

use crate::chem::Element;
use crate::data::elements::ELEMENT_COUNT;

/// What the atlas knows about one of ElementEmbeddings' element embeddings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddingInfo {
    /// ElementEmbeddings' `str_name`, also the `.bin` file's stem.
    pub name: &'static str,
    /// Length of each element's vector.
    pub dim: usize,
    /// One of the six embeddings of Park et al. (2024), compiled into every build.
    pub in_paper: bool,
    pub description: &'static str,
    /// The work the vectors come from.
    pub citation: &'static str,
    /// The file in ElementEmbeddings 0.8.0's `data/element_representations/`.
    pub source_file: &'static str,
}

const fn info(
    name: &'static str,
    dim: usize,
    in_paper: bool,
    description: &'static str,
    citation: &'static str,
    source_file: &'static str,
) -> EmbeddingInfo {
    EmbeddingInfo {
        name,
        dim,
        in_paper,
        description,
        citation,
        source_file,
    }
}

/// Every element embedding of ElementEmbeddings 0.8.0: the paper's six first
/// (in the paper's order), then the others by name.
pub const EMBEDDINGS: [EmbeddingInfo; 20] = [
    info(
        "magpie",
        22,
        true,
        "22 tabulated element properties of the Magpie framework (Mendeleev number, melting point, valence shells, OQMD ground-state volume and band gap, ...)",
        "L. Ward, A. Agrawal, A. Choudhary, C. Wolverton, npj Comput. Mater. 2 (2016)",
        "magpie.csv",
    ),
    info(
        "mat2vec",
        200,
        true,
        "word2vec embeddings learned from the text of materials-science abstracts",
        "V. Tshitoyan et al., Nature 571, 95-98 (2019)",
        "mat2vec.csv",
    ),
    info(
        "megnet16",
        16,
        true,
        "element embeddings learned by a MEGNet graph network trained on formation energies",
        "C. Chen, W. Ye, Y. Zuo, C. Zheng, S. P. Ong, Chem. Mater. 31, 3564-3572 (2019)",
        "megnet16.json",
    ),
    info(
        "oliynyk",
        44,
        true,
        "44 tabulated element properties (radii, electronegativities, valence, thermal data) used to predict Heusler compounds",
        "A. O. Oliynyk et al., Chem. Mater. 28, 7324-7331 (2016)",
        "oliynyk_preprocessed.csv",
    ),
    info(
        "skipatom",
        200,
        true,
        "SkipAtom embeddings learned from which atoms neighbour which in Materials Project structures (induced variant)",
        "L. M. Antunes, R. Grau-Crespo, K. T. Butler, npj Comput. Mater. 8 (2022)",
        "skipatom_20201009_induced.csv",
    ),
    info(
        "random_200",
        200,
        true,
        "standard normal random vectors (numpy default_rng seed 42): a baseline with no chemistry in it",
        "ElementEmbeddings (A. Onwuli et al., Digital Discovery 2, 1558 (2023))",
        "random_200_new.csv",
    ),
    info(
        "atomic",
        118,
        false,
        "one-hot atomic number",
        "ElementEmbeddings (A. Onwuli et al., Digital Discovery 2, 1558 (2023))",
        "atomic.json",
    ),
    info(
        "cgnf",
        90,
        false,
        "node embeddings of a pre-trained crystal graph network (composition graph neural fingerprint)",
        "J. Jang et al., Matter 7, 2294-2312 (2024)",
        "cgnf.json",
    ),
    info(
        "chemeleon",
        512,
        false,
        "node features of the Chemeleon-DNG generative model, averaged over MP-20 structures",
        "H. Park, A. O. Onwuli, A. Walsh, Nat. Commun. 16, 4869 (2025)",
        "chemeleon.csv",
    ),
    info(
        "chgnet",
        64,
        false,
        "node features of the CHGNet interatomic potential, averaged over MP-20 structures",
        "B. Deng et al., Nat. Mach. Intell. 5, 1031-1041 (2023)",
        "chgnet.csv",
    ),
    info(
        "crystallm",
        512,
        false,
        "atom token embeddings of the CrystaLLM crystal-structure language model",
        "L. M. Antunes, K. T. Butler, R. Grau-Crespo, arXiv:2307.04340 (2023)",
        "crystallm_v24c.dim512_atom_vectors.csv",
    ),
    info(
        "mace_mp0",
        128,
        false,
        "invariant descriptors of the MACE-MP-0 medium potential, averaged over MP-20 structures",
        "I. Batatia et al., arXiv:2401.00096 (2024)",
        "mace_mp0.csv",
    ),
    info(
        "magpie_sc",
        22,
        false,
        "magpie, scaled (ElMD's magpie_sc)",
        "L. Ward, A. Agrawal, A. Choudhary, C. Wolverton, npj Comput. Mater. 2 (2016)",
        "magpie_sc.json",
    ),
    info(
        "matscholar",
        200,
        false,
        "word embeddings of the Matscholar text-mining pipeline",
        "L. Weston et al., J. Chem. Inf. Model. 59, 3692-3702 (2019)",
        "matscholar-embedding.json",
    ),
    info(
        "matscibert",
        768,
        false,
        "token embeddings of MatSciBERT, a BERT model of materials-science text",
        "T. Gupta, M. Zaki, N. M. A. Krishnan, Mausam, npj Comput. Mater. 8, 102 (2022)",
        "matscibert.csv",
    ),
    info(
        "mod_petti",
        103,
        false,
        "one-hot position on the modified Pettifor scale",
        "H. Glawe, A. Sanna, E. K. U. Gross, M. A. L. Marques, New J. Phys. 18, 093011 (2016)",
        "mod_petti.json",
    ),
    info(
        "oliynyk_sc",
        44,
        false,
        "oliynyk, scaled (ElMD's oliynyk_sc)",
        "A. O. Oliynyk et al., Chem. Mater. 28, 7324-7331 (2016)",
        "oliynyk_sc.json",
    ),
    info(
        "orb_v2",
        256,
        false,
        "node features of the ORB-v2 potential, averaged over MP-20 structures",
        "M. Neumann et al., arXiv:2410.22570 (2024)",
        "orb_v2.csv",
    ),
    info(
        "sevennet",
        128,
        false,
        "scalar node features of the SevenNet (7net-0) potential, averaged over MP-20 structures",
        "Y. Park, J. Kim, S. Hwang, S. Han, arXiv:2402.03789 (2024)",
        "sevennet.csv",
    ),
    info(
        "xenonpy",
        58,
        false,
        "58 tabulated element features of XenonPy",
        "C. Liu et al., Adv. Mater. 33, 2102507 (2021); M. Kusaba, C. Liu, R. Yoshida, Comput. Mater. Sci. 211, 111496 (2022)",
        "xenonpy_element_features.csv",
    ),
];

impl EmbeddingInfo {
    pub fn from_name(name: &str) -> Option<&'static EmbeddingInfo> {
        EMBEDDINGS.iter().find(|e| e.name == name)
    }

    /// The packed `.bin` file, when compiled into this build: the paper's six
    /// everywhere, all twenty natively.
    pub fn embedded_bytes(&self) -> Option<&'static [u8]> {
        macro_rules! bin {
            ($name:literal) => {
                include_bytes!(concat!("../../data/embeddings/", $name, ".bin")).as_slice()
            };
        }
        let bytes: &'static [u8] = match self.name {
            "magpie" => bin!("magpie"),
            "mat2vec" => bin!("mat2vec"),
            "megnet16" => bin!("megnet16"),
            "oliynyk" => bin!("oliynyk"),
            "skipatom" => bin!("skipatom"),
            "random_200" => bin!("random_200"),
            #[cfg(not(target_arch = "wasm32"))]
            "atomic" => bin!("atomic"),
            #[cfg(not(target_arch = "wasm32"))]
            "cgnf" => bin!("cgnf"),
            #[cfg(not(target_arch = "wasm32"))]
            "chemeleon" => bin!("chemeleon"),
            #[cfg(not(target_arch = "wasm32"))]
            "chgnet" => bin!("chgnet"),
            #[cfg(not(target_arch = "wasm32"))]
            "crystallm" => bin!("crystallm"),
            #[cfg(not(target_arch = "wasm32"))]
            "mace_mp0" => bin!("mace_mp0"),
            #[cfg(not(target_arch = "wasm32"))]
            "magpie_sc" => bin!("magpie_sc"),
            #[cfg(not(target_arch = "wasm32"))]
            "matscholar" => bin!("matscholar"),
            #[cfg(not(target_arch = "wasm32"))]
            "matscibert" => bin!("matscibert"),
            #[cfg(not(target_arch = "wasm32"))]
            "mod_petti" => bin!("mod_petti"),
            #[cfg(not(target_arch = "wasm32"))]
            "oliynyk_sc" => bin!("oliynyk_sc"),
            #[cfg(not(target_arch = "wasm32"))]
            "orb_v2" => bin!("orb_v2"),
            #[cfg(not(target_arch = "wasm32"))]
            "sevennet" => bin!("sevennet"),
            #[cfg(not(target_arch = "wasm32"))]
            "xenonpy" => bin!("xenonpy"),
            _ => return None,
        };
        Some(bytes)
    }

    /// The decoded embedding, when compiled into this build; decoded once.
    pub fn embedded(&'static self) -> Option<&'static ElementEmbedding> {
        static DECODED: [OnceLock<Option<ElementEmbedding>>; EMBEDDINGS.len()] =
            [const { OnceLock::new() }; EMBEDDINGS.len()];
        let i = EMBEDDINGS.iter().position(|e| e.name == self.name)?;
        DECODED[i]
            .get_or_init(|| {
                self.embedded_bytes().map(|b| {
                    ElementEmbedding::from_bytes(self.name, b).expect("embedded embedding decodes")
                })
            })
            .as_ref()
    }
}

/// Why an embedding file does not decode. Messages name the file's problem;
/// the fix is always to re-fetch or regenerate it with `scripts/import-data`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EmbeddingFileError {
    /// The file does not start with "CAE1".
    NotAnEmbeddingFile,
    /// The header names a value width other than 4 (float32) or 8 (float64).
    BadValueWidth(u8),
    /// The header says vectors have no components or no element is covered.
    Empty,
    /// The file is shorter or longer than its header says.
    WrongLength { expected: usize, found: usize },
    /// An atomic number outside H..Lr, or atomic numbers not strictly increasing.
    BadElementList { position: usize, z: u8 },
    /// A NaN or infinite component.
    NonFinite { z: u8, component: usize },
    /// A known embedding's file whose vectors have the wrong length.
    WrongDimension {
        name: String,
        expected: usize,
        found: usize,
    },
}

impl fmt::Display for EmbeddingFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use EmbeddingFileError::*;
        match self {
            NotAnEmbeddingFile => write!(
                f,
                "not an element-embedding file (it should start with \"CAE1\")"
            ),
            BadValueWidth(w) => write!(
                f,
                "value width {w} in the header; only 4 (float32) and 8 (float64) exist"
            ),
            Empty => write!(
                f,
                "the header declares an empty embedding (no components or no elements)"
            ),
            WrongLength { expected, found } => {
                write!(
                    f,
                    "the file is {found} bytes but its header describes {expected}; it is truncated or corrupt"
                )
            }
            BadElementList { position, z } => write!(
                f,
                "element {position} of the file has atomic number {z}; they must increase strictly within 1..={ELEMENT_COUNT}"
            ),
            NonFinite { z, component } => write!(
                f,
                "component {component} of element Z = {z} is not a finite number"
            ),
            WrongDimension {
                name,
                expected,
                found,
            } => {
                write!(
                    f,
                    "{name} vectors have {expected} components but this file's have {found}"
                )
            }
        }
    }
}

impl std::error::Error for EmbeddingFileError {}

/// One vector per covered element, stored in float64 (as ElementEmbeddings
/// computes), looked up by atomic number in constant time.
#[derive(Debug, Clone, PartialEq)]
pub struct ElementEmbedding {
    name: String,
    dim: usize,
    /// Row of each element (index `Z - 1`) in `vectors`, if covered.
    rows: [Option<u16>; ELEMENT_COUNT],
    /// Covered elements' vectors, row-major, in increasing Z.
    vectors: Vec<f64>,
}

const HEADER_BYTES: usize = 10;

impl ElementEmbedding {
    /// Decodes a `.bin` file written by `scripts/import-data`. If `name` is one
    /// of [`EMBEDDINGS`], the vectors must have that embedding's length.
    pub fn from_bytes(name: &str, bytes: &[u8]) -> Result<ElementEmbedding, EmbeddingFileError> {
        use EmbeddingFileError::*;
        let header = bytes
            .get(..HEADER_BYTES)
            .filter(|h| h.starts_with(b"CAE1"))
            .ok_or(NotAnEmbeddingFile)?;
        let width = header[4];
        if width != 4 && width != 8 {
            return Err(BadValueWidth(width));
        }
        let dim = usize::from(u16::from_le_bytes([header[6], header[7]]));
        let n = usize::from(u16::from_le_bytes([header[8], header[9]]));
        if dim == 0 || n == 0 {
            return Err(Empty);
        }
        let expected = HEADER_BYTES + n + n * dim * usize::from(width);
        if bytes.len() != expected {
            return Err(WrongLength {
                expected,
                found: bytes.len(),
            });
        }
        if let Some(known) = EmbeddingInfo::from_name(name).filter(|k| k.dim != dim) {
            return Err(WrongDimension {
                name: name.to_string(),
                expected: known.dim,
                found: dim,
            });
        }
        let zs = &bytes[HEADER_BYTES..HEADER_BYTES + n];
        let mut rows = [None; ELEMENT_COUNT];
        let mut previous = 0u8;
        for (position, &z) in zs.iter().enumerate() {
            if z <= previous || usize::from(z) > ELEMENT_COUNT {
                return Err(BadElementList {
                    position: position + 1,
                    z,
                });
            }
            rows[usize::from(z) - 1] = Some(position as u16);
            previous = z;
        }
        let body = &bytes[HEADER_BYTES + n..];
        let vectors: Vec<f64> = if width == 4 {
            body.chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))))
                .collect()
        } else {
            body.chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect()
        };
        if let Some(i) = vectors.iter().position(|v| !v.is_finite()) {
            return Err(NonFinite {
                z: zs[i / dim],
                component: i % dim,
            });
        }
        Ok(ElementEmbedding {
            name: name.to_string(),
            dim,
            rows,
            vectors,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Length of each element's vector.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The element's vector, or `None` if the embedding does not cover it.
    pub fn vector(&self, element: Element) -> Option<&[f64]> {
        self.rows[element.index()].map(|r| {
            let start = usize::from(r) * self.dim;
            &self.vectors[start..start + self.dim]
        })
    }

    pub fn covers(&self, element: Element) -> bool {
        self.rows[element.index()].is_some()
    }

    /// The covered elements, in increasing Z.
    pub fn elements(&self) -> impl Iterator<Item = Element> + '_ {
        Element::all().filter(|&e| self.covers(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn el(symbol: &str) -> Element {
        Element::from_symbol(symbol).unwrap()
    }

    #[test]
    fn every_native_embedding_decodes_as_import_data_counted_it() {
        let counts: serde_json::Value =
            serde_json::from_str(include_str!("../../data/counts.json")).unwrap();
        for info in &EMBEDDINGS {
            let e = info
                .embedded()
                .unwrap_or_else(|| panic!("{} is embedded natively", info.name));
            let c = &counts["embeddings"][info.name];
            assert_eq!(
                e.dim(),
                c["dim"].as_u64().unwrap() as usize,
                "{}",
                info.name
            );
            assert_eq!(
                e.elements().count(),
                c["elements"].as_u64().unwrap() as usize,
                "{}",
                info.name
            );
            assert_eq!(
                info.embedded_bytes().unwrap().len(),
                c["bytes"].as_u64().unwrap() as usize
            );
        }
        let paper: Vec<&str> = EMBEDDINGS
            .iter()
            .filter(|e| e.in_paper)
            .map(|e| e.name)
            .collect();
        assert_eq!(
            paper,
            [
                "magpie",
                "mat2vec",
                "megnet16",
                "oliynyk",
                "skipatom",
                "random_200"
            ]
        );
    }

    #[test]
    fn vectors_are_elementembeddings_values() {
        // ElementEmbeddings 0.8.0 magpie.csv, row O: Number 8, MendeleevNumber 87, AtomicWeight 15.9994.
        let magpie = EmbeddingInfo::from_name("magpie")
            .unwrap()
            .embedded()
            .unwrap();
        assert_eq!(&magpie.vector(el("O")).unwrap()[..3], &[8.0, 87.0, 15.9994]);
        // Magpie has no vector for Cf (the reference's 615 left-out rows hold such elements).
        assert!(!magpie.covers(el("Cf")));
        assert!(magpie.vector(el("Cf")).is_none());
        // atomic: one-hot atomic number.
        let atomic = EmbeddingInfo::from_name("atomic")
            .unwrap()
            .embedded()
            .unwrap();
        let fe = atomic.vector(el("Fe")).unwrap();
        assert_eq!(fe[25], 1.0);
        assert_eq!(fe.iter().sum::<f64>(), 1.0);
    }

    fn packed(width: u8, dim: u16, zs: &[u8], values: &[f64]) -> Vec<u8> {
        let mut b = b"CAE1".to_vec();
        b.extend([width, 0]);
        b.extend(dim.to_le_bytes());
        b.extend((zs.len() as u16).to_le_bytes());
        b.extend(zs);
        for &v in values {
            if width == 4 {
                b.extend((v as f32).to_le_bytes());
            } else {
                b.extend(v.to_le_bytes());
            }
        }
        b
    }

    #[test]
    fn small_files_decode_in_both_widths() {
        for width in [4, 8] {
            let e = ElementEmbedding::from_bytes(
                "mine",
                &packed(width, 2, &[1, 8], &[0.5, -1.0, 2.0, 3.0]),
            )
            .unwrap();
            assert_eq!(e.name(), "mine");
            assert_eq!(e.vector(el("O")), Some(&[2.0, 3.0][..]));
            assert_eq!(
                e.elements().map(|e| e.symbol()).collect::<Vec<_>>(),
                ["H", "O"]
            );
        }
    }

    #[test]
    fn corrupt_files_are_typed_errors() {
        use EmbeddingFileError::*;
        let err = |b: &[u8]| ElementEmbedding::from_bytes("mine", b).unwrap_err();
        let good = packed(4, 2, &[1, 8], &[0.5, -1.0, 2.0, 3.0]);
        assert_eq!(err(b""), NotAnEmbeddingFile);
        assert_eq!(err(b"CAK1\x04\x00\x02\x00\x02\x00"), NotAnEmbeddingFile);
        assert_eq!(
            err(&good[..good.len() - 1]),
            WrongLength {
                expected: good.len(),
                found: good.len() - 1
            }
        );
        assert_eq!(err(&good[..9]), NotAnEmbeddingFile);
        assert_eq!(err(&packed(2, 2, &[1], &[])), BadValueWidth(2));
        assert_eq!(err(&packed(4, 0, &[1], &[])), Empty);
        assert_eq!(
            err(&packed(4, 1, &[8, 1], &[1.0, 2.0])),
            BadElementList { position: 2, z: 1 }
        );
        assert_eq!(
            err(&packed(4, 1, &[104], &[1.0])),
            BadElementList {
                position: 1,
                z: 104
            }
        );
        assert_eq!(
            err(&packed(8, 2, &[1, 8], &[0.5, -1.0, f64::NAN, 3.0])),
            NonFinite { z: 8, component: 0 }
        );
        let e = ElementEmbedding::from_bytes("mat2vec", &good).unwrap_err();
        assert_eq!(
            e.to_string(),
            "mat2vec vectors have 200 components but this file's have 2"
        );
        // A real file cut short anywhere fails cleanly.
        let real = EmbeddingInfo::from_name("megnet16")
            .unwrap()
            .embedded_bytes()
            .unwrap();
        for cut in [0, 5, 10, 50, real.len() - 1] {
            assert!(ElementEmbedding::from_bytes("megnet16", &real[..cut]).is_err());
        }
    }
}
