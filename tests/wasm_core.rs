//! The core as the page runs it: compiled to wasm32 and run in headless
//! Chromium by wasm-bindgen-test (`cargo test --target wasm32-unknown-unknown
//! --test wasm_core`, with chromedriver on PATH). Each test checks a result
//! that must not depend on the platform: the same counts, explanations and
//! samples as natively, and the worker pipeline's answers.
#![cfg(target_arch = "wasm32")]

use crystal_atlas::Composition;
use crystal_atlas::count::count_space;
use crystal_atlas::data::{KnownSet, KnownSource, OxidationSet};
use crystal_atlas::explain::{Reason, explain};
use crystal_atlas::label::Labeller;
use crystal_atlas::pipeline::{ChemSettings, KnownChoice, OxSource, Request, Response, Runner};
use crystal_atlas::plot::{Bounds, MapScene, MapStyle, RgbaCanvas, Viewport, draw_points};
use crystal_atlas::sample::{SampleSize, sample};
use crystal_atlas::view_state::ViewState;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn smact14_with(known: &KnownSet) -> Labeller<'_> {
    Labeller {
        ox: OxidationSet::Smact14.states(),
        threshold: 8,
        options: Default::default(),
        known,
    }
}

#[wasm_bindgen_test]
fn explains_zn2o_as_the_paper_does() {
    let known = KnownSet::empty();
    let e = explain(&Composition::parse("Zn2O").unwrap(), &smact14_with(&known));
    assert!(e.allowed);
    let Reason::Allowed { assignments } = &e.reason else {
        panic!("{e:?}")
    };
    assert_eq!(assignments[0].written(), "Zn(+1)x2 + O(-2)");
    assert!(!explain(&Composition::parse("ZnO3").unwrap(), &smact14_with(&known)).allowed);
}

#[wasm_bindgen_test]
fn table_2_binaries_count_13464_allowed() {
    let mp = KnownSource::MaterialsProject
        .embedded()
        .expect("MP is compiled into the page");
    let counts = count_space(
        2,
        OxidationSet::Smact14.states(),
        8,
        &Default::default(),
        mp,
        &mut |_| true,
    )
    .unwrap();
    assert_eq!((counts.unique, counts.allowed), (225_879, 13_464));
    assert_eq!(counts.standard + counts.missing, counts.allowed);
}

#[wasm_bindgen_test]
fn same_seed_same_sample() {
    let mp = KnownSource::MaterialsProject.embedded().unwrap();
    let labeller = smact14_with(mp);
    let a = sample(3, SampleSize::PerCategory(50), 42, &labeller).unwrap();
    let b = sample(3, SampleSize::PerCategory(50), 42, &labeller).unwrap();
    let c = sample(3, SampleSize::PerCategory(50), 43, &labeller).unwrap();
    assert_eq!(a, b);
    assert_ne!(a.compositions, c.compositions);
    assert_eq!(a.compositions.len(), 200);
    for (comp, cat) in a.compositions.iter().zip(&a.categories) {
        assert_eq!(labeller.category(comp), *cat);
    }
}

#[wasm_bindgen_test]
fn the_worker_pipeline_answers_in_wasm() {
    let mut runner = Runner::new();
    let chem = ChemSettings {
        ox: OxSource::Builtin {
            name: "smact14".into(),
        },
        threshold: 8,
        known: KnownChoice::Builtin { name: "mp".into() },
        filter: Default::default(),
    };
    let mut out = Vec::new();
    runner.handle(
        Request::System {
            id: 1,
            chem: chem.clone(),
            system: "Li-Zn-O".into(),
            uploads: Vec::new(),
        },
        None,
        &mut |r, _| out.push(r),
    );
    let [Response::System { rows, .. }] = &out[..] else {
        panic!("{out:?}")
    };
    assert!(
        rows.iter()
            .any(|r| r.formula == "LiZnO2" && r.category.name() == "standard")
    );
    // OQMD is fetched by the page, not compiled into its wasm.
    let oqmd = ChemSettings {
        known: KnownChoice::Builtin {
            name: "oqmd".into(),
        },
        ..chem
    };
    let request = Request::Counts {
        id: 2,
        chem: oqmd,
        order: 2,
        uploads: Vec::new(),
    };
    assert_eq!(runner.missing_assets(&request), ["data/known/oqmd.bin"]);
}

#[wasm_bindgen_test]
fn links_and_drawing_work_the_same_in_the_browser() {
    let (state, errors) = ViewState::from_fragment("#n=3&red=tsne&ms=99");
    assert_eq!((state.order, state.max_stoich, errors.len()), (3, 8, 1));
    let (back, none) = ViewState::from_fragment(&state.to_fragment());
    assert!(none.is_empty());
    assert_eq!(back, state);

    let coords = [0.0f32, 0.0, 1.0, 1.0];
    let colours = [[0, 47, 255, 255], [255, 18, 1, 255]];
    let view = Viewport::fit(Bounds::of(&coords).unwrap(), 50, 50, 10.0);
    let scene = MapScene {
        coords: &coords,
        colours: &colours,
        order: &[0, 1],
        highlighted: &[],
        focus: None,
        hover: None,
        outlines: &[],
    };
    let mut pixels = vec![0u8; 50 * 50 * 4];
    let mut canvas = RgbaCanvas::new(&mut pixels, 50, 50).unwrap();
    draw_points(&mut canvas, &scene, &view, &MapStyle::default()).unwrap();
    let (x, y) = view.to_pixel(1.0, 1.0);
    let i = (y.round() as usize * 50 + x.round() as usize) * 4;
    assert_eq!(&pixels[i..i + 4], [255, 18, 1, 255]);
}
