//! Flows of issue 12 in the page, driven input by input with real workers
//! (the harness of `tests.rs`): formulas placed on the map shown without
//! recomputing it, the link that places them again, re-placing after the
//! settings change, exports with provenance, neighbours of the composition
//! in focus, the selection's summary and density contours.

use std::rc::Rc;

use ndarray::{Array2, ArrayView2};

use super::tests::Page;
use super::*;
use crate::chem::Composition;
use crate::data::embeddings::{ElementEmbedding, EmbeddingInfo};
use crate::embed::{PoolingStat, embed_batch, feature_vector};
use crate::plot::Selection;
use crate::reduce::Silent;

fn table(name: &str) -> &'static ElementEmbedding {
    EmbeddingInfo::from_name(name)
        .and_then(|i| i.embedded())
        .unwrap()
}

fn formula(s: &str) -> Composition {
    Composition::parse(s).unwrap()
}

/// The matrix the shown map was made from, as the page holds it.
fn fitted_rows(page: &Page) -> (Rc<LayoutData>, Array2<f32>) {
    let layout = page.session.shown_layout().unwrap().clone();
    let embedded = page
        .session
        .caches
        .embedded(&stages::embed_key(&layout.embed))
        .unwrap();
    let data = ArrayView2::from_shape((layout.kept.len(), embedded.cols), &embedded.matrix)
        .unwrap()
        .to_owned();
    (layout, data)
}

/// Where the map's own method puts `formulas` (mean-pooled `embedding`) on
/// the map shown, computed here from the page's matrix and layout:
/// `reduce::fitted`, which is tested against umap-learn's, openTSNE's and
/// scikit-learn's `transform`.
fn reference_placement(page: &Page, embedding: &str, formulas: &[&str]) -> Array2<f32> {
    let (layout, data) = fitted_rows(page);
    let coords = Array2::from_shape_vec((layout.kept.len(), 2), layout.coords.clone()).unwrap();
    let map = layout.params.fitted_map(data.view(), coords).unwrap();
    let new: Vec<Composition> = formulas.iter().map(|f| formula(f)).collect();
    let rows = embed_batch(&new, table(embedding), &[PoolingStat::Mean], false).matrix;
    map.transform(rows.view(), &mut Silent).unwrap()
}

fn marks(page: &Page) -> Vec<(f32, f32)> {
    page.session
        .map_model()
        .placed
        .iter()
        .map(|m| (m.x, m.y))
        .collect()
}

#[test]
fn a_typed_formula_lands_on_the_umap_map_without_recomputing_it() {
    let mut page = Page::open("k=40");
    page.finish_map();
    let layout = page.session.shown_layout().unwrap().clone();
    page.input(Input::Place(" Zn2O ".into()));
    assert!(page.url.ends_with("place=Zn2O"), "{}", page.url);
    assert!(
        page.sent(Role::Reduce).is_empty() && page.sent(Role::Data).is_empty(),
        "nothing is recomputed"
    );
    let [
        Request::Place {
            formulas,
            on_map,
            map,
            rows,
            cols,
            ..
        },
    ] = &page.sent(Role::Place)[..]
    else {
        panic!("one placing request: {:?}", page.sent(Role::Place));
    };
    assert_eq!(
        (formulas.as_slice(), on_map.as_slice()),
        (&["Zn2O".to_string()][..], &[false][..])
    );
    assert_eq!(
        (map.key.as_str(), *rows, *cols),
        (layout.key.as_str(), 160, 200)
    );
    assert_eq!(
        page.session.place_status().unwrap().1,
        "Placing 1 formula on the UMAP of mat2vec map…"
    );
    page.run(Role::Place);
    assert!(
        Rc::ptr_eq(page.session.shown_layout().unwrap(), &layout),
        "the same map stays on screen"
    );
    let want = reference_placement(&page, "mat2vec", &["Zn2O"]);
    assert_eq!(
        marks(&page),
        [(want[[0, 0]], want[[0, 1]])],
        "placed as umap-learn's transform places it"
    );
    let mark = page.session.map_model().placed[0];
    assert_eq!(mark.colour, Category::Missing.paper_colour());
    let list = page.session.placed_list();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].state, PlacedState::Placed);
    let (category, summary) = list[0].label.unwrap();
    assert_eq!(category, Category::Missing);
    assert!(summary.contains("Zn(+1)x2 + O(-2)"), "{summary}");
    assert_eq!(page.session.place_status().unwrap().0, Tone::Success);

    // A sampled composition is marked at its own point, not placed twice;
    // what is not a formula is said beside the field and stays in it.
    let sampled = layout.sample.formulas[layout.kept[5] as usize].clone();
    page.input(Input::Place(format!("Qq2, {sampled}")));
    let note = page.session.field_note(Field::Place).unwrap();
    assert_eq!(note.tone, Tone::Warning);
    assert_eq!(
        note.text,
        "1 formula added; 1 entry is not a formula: line 1: 'Qq2': column 1: 'Qq' is not an element symbol."
    );
    assert_eq!(note.typed.as_deref(), Some("Qq2"));
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Place { on_map, .. }] if on_map == &[false, true]
    ));
    page.run(Role::Place);
    let (x, y) = layout.xy(5).unwrap();
    assert_eq!(page.session.placed_list()[1].state, PlacedState::InSample);
    assert_eq!(marks(&page)[1], (x as f32, y as f32));

    // A placed formula is focused, shown on the map and taken off again.
    page.input(Input::LocateOnMap("Zn2O".into()));
    assert!(page.session.map_model().placed[0].focus);
    assert!(page.session.on_map(&formula("Zn2O")));
    let v = page.session.state().view.unwrap();
    assert_eq!((v.cx as f32, v.cy as f32), (want[[0, 0]], want[[0, 1]]));
    page.input(Input::Unplace("Zn2O".into()));
    assert_eq!(page.session.state().place, std::slice::from_ref(&sampled));
    assert!(!page.session.on_map(&formula("Zn2O")));
    assert!(page.url.contains(&format!("place={sampled}")));
    let effects = page.input(Input::ClearPlaced);
    assert!(page.session.map_model().placed.is_empty() && !page.url.contains("place="));
    let rendered = |effects: &[Effect], panel| {
        effects
            .iter()
            .any(|e| matches!(e, Effect::Render(p) if *p == panel))
    };
    assert!(
        rendered(&effects, Panel::Placed),
        "the emptied list is shown"
    );
    let effects = page.input(Input::CloseDetails);
    assert!(
        rendered(&effects, Panel::Neighbours),
        "the neighbours go with the focus"
    );
    assert!(page.session.nearby().is_none());
    // A new map on screen: the list says its formulas wait for it.
    page.input(Input::Place("Zn2O".into()));
    page.run(Role::Place);
    page.field("nn", "10");
    assert_eq!(
        page.session.placed_list()[0].state,
        PlacedState::Placed,
        "on the old map meanwhile"
    );
    let answers = page.answers(Role::Reduce);
    let preview = answers.into_iter().next().unwrap();
    let effects = page.feed(Role::Reduce, vec![preview]);
    assert!(rendered(&effects, Panel::Placed));
    assert_eq!(page.session.placed_list()[0].state, PlacedState::Waiting);
}

#[test]
fn a_shared_link_places_its_formulas_again_on_the_same_bits() {
    let mut page = Page::open("red=pca&k=20&place=Zn2O,LiZnO");
    assert!(
        page.sent(Role::Place).is_empty(),
        "placed when the map is finished"
    );
    assert_eq!(
        page.session.place_status().unwrap().1,
        "2 formulas to place: they are placed when the map is finished."
    );
    page.finish_map();
    page.run(Role::Place);
    let want = reference_placement(&page, "mat2vec", &["Zn2O", "LiZnO"]);
    assert_eq!(
        marks(&page),
        [(want[[0, 0]], want[[0, 1]]), (want[[1, 0]], want[[1, 1]])],
        "PCA places exactly by the fitted projection"
    );
    let mut again = Page::open(&page.url);
    again.finish_map();
    again.run(Role::Place);
    assert_eq!(again.url, page.url);
    assert_eq!(
        again.session.map_model().placed,
        page.session.map_model().placed
    );
}

#[test]
fn placed_formulas_follow_the_map_when_the_settings_change() {
    let mut page = Page::open("red=pca&k=20&place=Zn2O,CfO2");
    page.finish_map();
    page.run(Role::Place);
    let before = marks(&page);
    assert_eq!(before.len(), 2);
    page.field("emb", "magpie");
    // While the new map computes, the old one keeps its formulas.
    assert_eq!(marks(&page), before);
    assert!(page.sent(Role::Place).is_empty());
    assert!(
        page.session
            .place_status()
            .unwrap()
            .1
            .contains("placed when the map is finished")
    );
    page.finish_map();
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Place { map, .. }] if map.embedding == "magpie"
    ));
    page.run(Role::Place);
    let list = page.session.placed_list();
    assert_eq!(list[0].state, PlacedState::Placed);
    assert_eq!(
        list[1].state,
        PlacedState::NotPlaced("not placed: magpie has no vector for Cf".into())
    );
    let want = reference_placement(&page, "magpie", &["Zn2O"]);
    assert_eq!(marks(&page), [(want[[0, 0]], want[[0, 1]])]);
}

#[test]
fn more_formulas_than_a_link_carries_are_refused_with_a_message() {
    let mut page = Page::open("red=pca&k=20");
    let many: Vec<String> = (1..=101).map(|i| format!("Li{i}O{}", i + 1)).collect();
    page.input(Input::Place(many.join("\n")));
    let note = page.session.field_note(Field::Place).unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(
        note.text.starts_with(
            "Nothing placed: that would make 101 formulas, and at most 100 can be placed"
        ),
        "{}",
        note.text
    );
    assert_eq!(note.typed.as_deref(), Some(many.join("\n").as_str()));
    assert!(page.session.state().place.is_empty());
    page.input(Input::Place("  ".into()));
    assert!(
        page.session
            .field_note(Field::Place)
            .unwrap()
            .text
            .starts_with("Type or paste")
    );
}

/// 40 oxides, one per metal and stoichiometry, as a researcher's CSV.
fn forty() -> Vec<String> {
    let metals = ["Li", "Na", "K", "Mg", "Ca", "Zn", "Fe", "Cu", "Al", "Ti"];
    metals
        .iter()
        .flat_map(|m| [(2, 1), (1, 2), (3, 4), (2, 5)].map(|(a, b)| format!("{m}{a}O{b}")))
        .map(|f| formula(&f).to_string())
        .collect()
}

#[test]
fn an_uploaded_list_of_40_is_placed_listed_and_exported_with_provenance() {
    let mut page = Page::open("red=pca&k=50");
    page.finish_map();
    let formulas = forty();
    let csv: String = std::iter::once("formula,energy_above_hull".to_string())
        .chain(formulas.iter().map(|f| format!("{f},0.1")))
        .collect::<Vec<_>>()
        .join("\n");
    page.input(Input::PlaceFile {
        name: "mine.csv".into(),
        text: Ok(csv),
    });
    assert_eq!(page.session.state().place, formulas);
    assert_eq!(
        page.session.field_note(Field::Place).unwrap().text,
        "40 formulas added from 'mine.csv'; 40 on the list."
    );
    page.run(Role::Place);
    let list = page.session.placed_list();
    assert_eq!(list.len(), 40);
    assert!(
        list.iter()
            .all(|i| matches!(i.state, PlacedState::Placed | PlacedState::InSample))
    );
    let placed: Vec<String> = list
        .iter()
        .filter(|i| i.state == PlacedState::Placed)
        .map(|i| i.formula.to_string())
        .collect();
    let placed: Vec<&str> = placed.iter().map(String::as_str).collect();

    let link = format!("https://example.org/atlas/#{}", page.url);
    let effects = page.input(Input::ExportCsv {
        what: CsvExport::Map { vectors: true },
        link: link.clone(),
    });
    let Some(Effect::Download { name, text, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Download { .. }))
    else {
        panic!("a file: {effects:?}");
    };
    assert_eq!(name, "crystal-atlas-n2-mat2vec-pca-vectors.csv");
    let comments: Vec<&str> = text.lines().filter(|l| l.starts_with('#')).collect();
    for line in [
        format!("# Crystal Atlas {}", env!("CARGO_PKG_VERSION")),
        format!("# link: {link}"),
        "# seed: 42".into(),
        "# setting element embedding: mat2vec".into(),
        "# setting samples per category: 50".into(),
        "# setting reducer: pca".into(),
        "# data smact: 4.0.2 (elements, oxidation-state sets, filter)".into(),
    ] {
        assert!(comments.contains(&line.as_str()), "{line} in {comments:?}");
    }
    let data: Vec<Vec<&str>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(
        data[0][..7],
        [
            "formula",
            "category",
            "pca_1",
            "pca_2",
            "source",
            "selected",
            "mat2vec_1"
        ]
    );
    assert_eq!(data[0].len(), 6 + 200);
    let layout = page.session.shown_layout().unwrap().clone();
    let sampled = data.iter().filter(|r| r[4] == "sample").count();
    assert_eq!(sampled, layout.sample.formulas.len());
    let rows: Vec<&Vec<&str>> = data.iter().filter(|r| r[4] == "placed").collect();
    assert_eq!(rows.iter().map(|r| r[0]).collect::<Vec<_>>(), placed);
    let at = reference_placement(&page, "mat2vec", &placed);
    for (k, row) in rows.iter().enumerate() {
        assert_eq!(row.len(), 206);
        let xy: (f32, f32) = (row[2].parse().unwrap(), row[3].parse().unwrap());
        assert_eq!(xy, (at[[k, 0]], at[[k, 1]]), "{}", row[0]);
        assert_eq!(row[5], "false");
        // The vector is ElementEmbeddings' mean-pooled feature vector, rounded once.
        let want =
            feature_vector(&formula(row[0]), table("mat2vec"), &[PoolingStat::Mean]).unwrap();
        for (got, want) in row[6..].iter().zip(&want) {
            assert_eq!(got.parse::<f32>().unwrap(), *want as f32);
        }
    }

    // Selected everything: the selection's file holds the placed rows too.
    page.input(Input::Select(
        SelectionOp::Replace,
        Selection::Box {
            x0: -1e6,
            y0: -1e6,
            x1: 1e6,
            y1: 1e6,
        },
    ));
    let effects = page.input(Input::ExportCsv {
        what: CsvExport::Selection,
        link,
    });
    let Some(Effect::Download { name, text, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Download { .. }))
    else {
        panic!("a file");
    };
    assert_eq!(name, "crystal-atlas-n2-mat2vec-pca-selection.csv");
    let data: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .collect();
    assert_eq!(
        data.len(),
        page.session.map_model().shown_total() + placed.len()
    );
    assert!(data.iter().all(|l| l.ends_with(",true")));
    assert_eq!(page.session.selection_view().unwrap().placed, 40);
}

/// Distances from row `q` of `rows` to every row, in f64, nearest first
/// (ties by index), `q` itself left out.
fn brute_force(rows: &Array2<f32>, q: usize) -> Vec<(f64, usize)> {
    let query = rows.row(q);
    let mut d: Vec<(f64, usize)> = rows
        .rows()
        .into_iter()
        .enumerate()
        .filter(|&(i, _)| i != q)
        .map(|(i, r)| {
            let s: f64 = r
                .iter()
                .zip(query.iter())
                .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
                .sum();
            (s.sqrt(), i)
        })
        .collect();
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    d
}

#[test]
fn neighbours_of_the_composition_in_focus_in_the_sample_and_the_database() {
    let mut page = Page::open("red=pca&k=30");
    page.finish_map();
    let (layout, rows) = fitted_rows(&page);
    let focus = layout.sample.formulas[layout.kept[7] as usize].clone();
    page.input(Input::Focus(focus.clone()));
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Neighbours { formula, embedding, k: 10, .. }] if *formula == focus && embedding == "mat2vec"
    ));
    assert_eq!(page.session.nearby().unwrap().sample, NearbyList::Searching);
    page.run(Role::Place);
    let view = page.session.nearby().unwrap();
    assert_eq!(view.space, "mat2vec vectors (mean pooling)");
    let NearbyList::Ready(sample) = view.sample else {
        panic!("{:?}", view.sample)
    };
    let want = brute_force(&rows, 7);
    assert_eq!(sample.len(), 10);
    for (got, (d, i)) in sample.iter().zip(&want) {
        let row = layout.kept[*i] as usize;
        assert_eq!(got.formula, layout.sample.formulas[row]);
        assert_eq!(got.category, layout.sample.categories[row]);
        assert!((f64::from(got.distance) - d).abs() <= 1e-4 * d.max(1.0));
    }
    let NearbyList::Ready(known) = view.known else {
        panic!("{:?}", view.known)
    };
    assert_eq!(known.len(), 10);
    assert!(
        view.known_title.starts_with("the Materials Project: ")
            && view.known_title.ends_with(" compositions searched"),
        "{}",
        view.known_title
    );
    assert!(
        known
            .iter()
            .all(|n| n.category.known() && n.formula != focus)
    );
    assert!(known.windows(2).all(|w| w[0].distance <= w[1].distance));
    // The nearest known composition, by brute force over the whole database in f64.
    let mp = crate::data::KnownSource::MaterialsProject
        .embedded()
        .unwrap();
    let q = feature_vector(&formula(&focus), table("mat2vec"), &[PoolingStat::Mean]).unwrap();
    let q: Vec<f64> = q.iter().map(|&v| f64::from(v as f32)).collect();
    let (best, best_d) = mp
        .compositions()
        .filter(|c| c.to_string() != focus)
        .filter_map(|c| {
            let v = feature_vector(&c, table("mat2vec"), &[PoolingStat::Mean]).ok()?;
            let d: f64 = v
                .iter()
                .zip(&q)
                .map(|(a, b)| (f64::from(*a as f32) - b).powi(2))
                .sum();
            Some((c.to_string(), d.sqrt()))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap();
    assert_eq!(known[0].formula, best);
    assert!((f64::from(known[0].distance) - best_d).abs() <= 1e-4 * best_d.max(1.0));

    // Choosing a neighbour focuses it and asks for its neighbours.
    let next = sample[0].formula.clone();
    page.input(Input::LocateOnMap(next.clone()));
    assert_eq!(page.session.state().focus.as_deref(), Some(next.as_str()));
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Neighbours { formula, .. }] if *formula == next
    ));

    // A placed formula has neighbours too, and one without a vector says why.
    page.input(Input::Place("Zn2O".into()));
    page.input(Input::Focus("Zn2O".into()));
    page.run(Role::Place);
    let view = page.session.nearby().unwrap();
    assert!(matches!(view.sample, NearbyList::Ready(rows) if rows.len() == 10));
    page.field("emb", "magpie");
    page.finish_map();
    page.input(Input::Focus("CfO2".into()));
    page.run(Role::Place);
    let view = page.session.nearby().unwrap();
    let why =
        "CfO2 has no magpie vector: magpie has none for Cf; choose an embedding that covers it";
    assert_eq!(view.known, NearbyList::Unavailable(why.into()));
    assert_eq!(view.sample, NearbyList::Unavailable(why.into()));
}

#[test]
fn a_selection_is_summarised_and_exported() {
    let mut page = Page::open("red=pca&k=20");
    page.finish_map();
    assert!(page.session.selection_view().is_none());
    page.input(Input::Select(
        SelectionOp::Replace,
        Selection::Box {
            x0: -1e6,
            y0: -1e6,
            x1: 1e6,
            y1: 1e6,
        },
    ));
    let view = page.session.selection_view().unwrap().clone();
    let model = page.session.map_model().clone();
    assert_eq!(view.summary.points, model.shown_total());
    for (k, (category, n)) in view.summary.per_category.iter().enumerate() {
        assert_eq!((*category, *n), (Category::ALL[k], model.shown[k]));
    }
    // Everything selected: half the sample is known (standard and interesting).
    let known = model.shown[0] + model.shown[2];
    assert_eq!(
        view.summary.known_share,
        Some(known as f64 / model.shown_total() as f64)
    );
    let o = view
        .summary
        .top_elements
        .iter()
        .find(|(e, _)| e.symbol() == "O");
    let with_o = page
        .session
        .shown_layout()
        .unwrap()
        .sample
        .compositions
        .iter()
        .filter(|c| c.contains(crate::chem::Element::from_symbol("O").unwrap()))
        .count();
    if let Some((_, n)) = o {
        assert_eq!(*n, with_o);
    }
    let effects = page.input(Input::ExportCsv {
        what: CsvExport::Summary,
        link: String::new(),
    });
    let Some(Effect::Download { name, text, .. }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Download { .. }))
    else {
        panic!("a file");
    };
    assert_eq!(name, "crystal-atlas-n2-mat2vec-pca-selection-summary.csv");
    let data: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(data[0], "part,name,count,share");
    assert_eq!(data[1], format!("points,selected,{},", model.shown_total()));
    page.input(Input::ClearSelection);
    assert!(page.session.selection_view().is_none());
    let effects = page.input(Input::ExportCsv {
        what: CsvExport::Summary,
        link: String::new(),
    });
    assert!(!effects.iter().any(|e| matches!(e, Effect::Download { .. })));
    assert!(
        page.session.banners()[0]
            .text
            .starts_with("Select points on the map first")
    );
}

#[test]
fn density_contours_follow_the_switch_and_the_legend() {
    let mut page = Page::open("red=pca&k=30&dens=1");
    assert_eq!(
        page.session.density_note(),
        Some("Contours are drawn when the map is finished.")
    );
    page.finish_map();
    let categories: Vec<Category> = page.session.contours().iter().map(|c| c.category).collect();
    assert_eq!(categories, Category::ALL);
    assert!(
        page.session
            .contours()
            .iter()
            .all(|c| c.isolines.len() == 3)
    );
    page.input(Input::ToggleCategory(Category::Unlikely));
    let categories: Vec<Category> = page.session.contours().iter().map(|c| c.category).collect();
    assert_eq!(categories, Category::ALL[..3]);
    assert!(page.url.contains("dens=1"));
    page.field("dens", "0");
    assert!(page.session.contours().is_empty() && !page.url.contains("dens"));
}

#[test]
fn a_small_multiple_opened_large_gets_its_matrix_from_the_placing_worker() {
    let mut page = Page::open("tab=grid&k=8&perp=5&nn=5");
    page.run(Role::Grid);
    page.input(Input::OpenGridCell {
        embedding: "megnet16".into(),
        method: Method::Pca,
    });
    assert!(page.session.shown_layout().is_some_and(|l| l.last));
    page.input(Input::Place("Zn2O".into()));
    // The page never held this map's matrix: the placing worker makes it again.
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Embed { .. }]
    ));
    page.run(Role::Place);
    assert!(matches!(
        page.sent(Role::Place)[..],
        [Request::Place { .. }]
    ));
    page.run(Role::Place);
    assert_eq!(page.session.placed_list()[0].state, PlacedState::Placed);
    let want = reference_placement(&page, "megnet16", &["Zn2O"]);
    assert_eq!(marks(&page), [(want[[0, 0]], want[[0, 1]])]);
    assert!(matches!(
        page.session.placed_list()[0].label,
        Some((Category::Missing, _))
    ));
}
