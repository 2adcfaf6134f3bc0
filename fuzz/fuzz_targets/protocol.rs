//! The numbers that cross the page's worker boundary: requests and responses
//! (src/pipeline/protocol.rs) with arbitrary integers and floats in every
//! numeric field go through JSON and through JavaScript's numbers (every
//! number an f64, as the page's serde-wasm-bindgen and JSON.parse see them),
//! and either come back exactly, bit for bit, or are refused by `validate`.
#![no_main]

use crystal_atlas::explain::{Assignment, Explanation, Ion, Reason, SpeciesAmount};
use crystal_atlas::label::Category;
use crystal_atlas::pipeline::js_safe::MAX_SAFE_INTEGER;
use crystal_atlas::pipeline::{
    ChemSettings, EmbedSettings, KnownChoice, OxSource, ReducerParams, Request, Response,
    SampleSettings,
};
use libfuzzer_sys::arbitrary::{Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Number, Value};

/// Integers near the edges of what JavaScript holds, or anything.
fn int(u: &mut Unstructured) -> Result<u64> {
    const EDGES: [u64; 7] = [
        0,
        1,
        MAX_SAFE_INTEGER,
        MAX_SAFE_INTEGER + 1,
        MAX_SAFE_INTEGER + 2,
        u32::MAX as u64,
        u64::MAX,
    ];
    Ok(match u.int_in_range(0..=3)? {
        0 => *u.choose(&EDGES)?,
        1 => u.int_in_range(0..=100)?,
        _ => u.arbitrary()?,
    })
}

fn size(u: &mut Unstructured) -> Result<usize> {
    Ok(int(u)? as usize)
}

fn signed(u: &mut Unstructured) -> Result<i64> {
    let v = int(u)?;
    Ok(if u.arbitrary()? {
        (v as i64).wrapping_neg()
    } else {
        v as i64
    })
}

/// Any bit pattern: NaN, infinities, subnormals and -0 included.
fn float(u: &mut Unstructured) -> Result<f64> {
    Ok(match u.int_in_range(0..=2)? {
        0 => f64::from(u.int_in_range(-1000i32..=1000)?) / 8.0,
        1 => f64::from(f32::from_bits(u.arbitrary()?)),
        _ => f64::from_bits(u.arbitrary()?),
    })
}

fn float32(u: &mut Unstructured) -> Result<f32> {
    Ok(if u.arbitrary()? {
        f32::from_bits(u.arbitrary()?)
    } else {
        float(u)? as f32
    })
}

fn text(u: &mut Unstructured) -> Result<String> {
    u.arbitrary()
}

fn chem(u: &mut Unstructured) -> Result<ChemSettings> {
    Ok(ChemSettings {
        ox: if u.arbitrary()? {
            OxSource::Builtin { name: text(u)? }
        } else {
            OxSource::Uploaded {
                name: text(u)?,
                text: text(u)?,
            }
        },
        threshold: u.arbitrary()?,
        known: match u.int_in_range(0..=2)? {
            0 => KnownChoice::Empty,
            1 => KnownChoice::Builtin { name: text(u)? },
            _ => KnownChoice::Uploaded {
                name: text(u)?,
                text: text(u)?,
            },
        },
    })
}

fn sample(u: &mut Unstructured) -> Result<SampleSettings> {
    Ok(SampleSettings {
        chem: chem(u)?,
        order: size(u)?,
        per_category: size(u)?,
        seed: int(u)?,
    })
}

fn reducer(u: &mut Unstructured) -> Result<ReducerParams> {
    Ok(match u.int_in_range(0..=2)? {
        0 => ReducerParams::Pca,
        1 => ReducerParams::Tsne {
            perplexity: float32(u)?,
            seed: int(u)?,
        },
        _ => ReducerParams::Umap {
            n_neighbors: size(u)?,
            min_dist: float32(u)?,
            seed: int(u)?,
        },
    })
}

fn category(u: &mut Unstructured) -> Result<Category> {
    Ok(*u.choose(&Category::ALL)?)
}

fn request(u: &mut Unstructured) -> Result<Request> {
    let id = u.arbitrary()?;
    Ok(match u.int_in_range(0..=6)? {
        0 => Request::Counts {
            id,
            chem: chem(u)?,
            order: size(u)?,
        },
        1 => Request::Frequencies {
            id,
            chem: chem(u)?,
            order: size(u)?,
        },
        2 => Request::Explain {
            id,
            chem: chem(u)?,
            formula: text(u)?,
        },
        3 => Request::System {
            id,
            chem: chem(u)?,
            system: text(u)?,
        },
        4 => Request::Embed {
            id,
            settings: EmbedSettings {
                sample: sample(u)?,
                embedding: text(u)?,
                pooling: text(u)?,
            },
        },
        5 => Request::Reduce {
            id,
            params: reducer(u)?,
            rows: size(u)?,
            cols: size(u)?,
        },
        _ => Request::Grid {
            id,
            sample: sample(u)?,
            pooling: text(u)?,
            embeddings: u.arbitrary()?,
            reducers: (0..u.int_in_range(0..=3)?)
                .map(|_| reducer(u))
                .collect::<Result<_>>()?,
        },
    })
}

fn assignment(u: &mut Unstructured) -> Result<Assignment> {
    Ok(Assignment {
        species: (0..u.int_in_range(0..=2)?)
            .map(|_| {
                Ok(SpeciesAmount {
                    element: text(u)?,
                    oxidation_state: u.arbitrary()?,
                    amount: u.arbitrary()?,
                })
            })
            .collect::<Result<_>>()?,
        charge: signed(u)?,
    })
}

fn ion(u: &mut Unstructured) -> Result<Ion> {
    Ok(Ion {
        element: text(u)?,
        oxidation_state: u.arbitrary()?,
        pauling_eneg: if u.arbitrary()? { Some(float(u)?) } else { None },
    })
}

fn response(u: &mut Unstructured) -> Result<Response> {
    let id = u.arbitrary()?;
    Ok(match u.int_in_range(0..=7)? {
        0 => Response::Progress {
            id,
            stage: text(u)?,
            fraction: float(u)?,
        },
        1 => Response::Counts {
            id,
            counts: crystal_atlas::count::Counts {
                order: size(u)?,
                unique: int(u)?,
                allowed: int(u)?,
                standard: int(u)?,
                missing: int(u)?,
                interesting: int(u)?,
                unlikely: int(u)?,
            },
        },
        2 => Response::Frequencies {
            id,
            order: size(u)?,
            counts: (0..u.int_in_range(0..=3)?)
                .map(|_| int(u))
                .collect::<Result<_>>()?,
        },
        3 => Response::Explanation {
            id,
            explanation: Box::new(Explanation {
                formula: text(u)?,
                order: size(u)?,
                category: category(u)?,
                allowed: u.arbitrary()?,
                known: u.arbitrary()?,
                oxidation_states_set: text(u)?,
                threshold: u.arbitrary()?,
                reason: if u.arbitrary()? {
                    Reason::NotNeutral {
                        nearest: assignment(u)?,
                    }
                } else {
                    Reason::ElectronegativityViolation {
                        assignment: assignment(u)?,
                        cation: ion(u)?,
                        anion: ion(u)?,
                        neutral_assignments: size(u)?,
                    }
                },
                summary: text(u)?,
            }),
        },
        4 => Response::Sample {
            id,
            formulas: u.arbitrary()?,
            categories: (0..u.int_in_range(0..=3)?)
                .map(|_| category(u))
                .collect::<Result<_>>()?,
            shortfalls: (0..u.int_in_range(0..=2)?)
                .map(|_| Ok((category(u)?, size(u)?)))
                .collect::<Result<_>>()?,
        },
        5 => Response::Embedded {
            id,
            kept: u.arbitrary()?,
            cols: size(u)?,
            non_finite: size(u)?,
        },
        6 => Response::Layout {
            id,
            method: text(u)?,
            stage: text(u)?,
            done: size(u)?,
            total: size(u)?,
            last: u.arbitrary()?,
        },
        _ => Response::GridPanel {
            id,
            embedding: text(u)?,
            params: reducer(u)?,
            kept: u.arbitrary()?,
            non_finite: size(u)?,
        },
    })
}

/// The JSON as JavaScript holds it: every number an f64, a whole one within
/// 2^53 read back as an integer (as serde-wasm-bindgen does), -0 kept.
fn through_javascript(v: Value) -> Value {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().expect("serde_json numbers convert to f64");
            // -0 is a number of its own in JavaScript too (and reads back into a float field as -0.0).
            if x.fract() == 0.0 && x.abs() <= MAX_SAFE_INTEGER as f64 && !(x == 0.0 && x.is_sign_negative()) {
                Value::Number(Number::from(x as i64))
            } else {
                Number::from_f64(x).map_or(Value::Null, Value::Number)
            }
        }
        Value::Array(a) => Value::Array(a.into_iter().map(through_javascript).collect()),
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| (k, through_javascript(v)))
                .collect(),
        ),
        other => other,
    }
}

/// A message that validates comes back bit for bit, through JSON text and
/// through JavaScript's numbers; one that does not is refused before sending.
fn check<T>(message: &T, valid: bool)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(message).expect("messages serialise");
    let parsed: std::result::Result<T, _> = serde_json::from_str(&json);
    if !valid {
        return;
    }
    let back = parsed.unwrap_or_else(|e| panic!("{json}: {e}"));
    assert_eq!(&back, message, "{json}");
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    let value: Value = serde_json::from_str(&json).unwrap();
    let from_js: T = serde_json::from_value(through_javascript(value))
        .unwrap_or_else(|e| panic!("{json} through JavaScript: {e}"));
    assert_eq!(
        serde_json::to_string(&from_js).unwrap(),
        json,
        "through JavaScript"
    );
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    if let Ok(r) = request(&mut u) {
        check(&r, r.validate().is_ok());
    }
    if let Ok(r) = response(&mut u) {
        check(&r, r.validate().is_ok());
    }
});
