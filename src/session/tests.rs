//! The page's flows, driven input by input with real workers: every request
//! the session sends is answered by a real [`Runner`], as the page's Web
//! Workers answer it, and the effects are checked as the shell would carry
//! them out.

use std::rc::Rc;

use super::*;
use crate::pipeline::Runner;
use crate::plot::Selection;

/// A page without a browser: the session, the URL it writes, the views it
/// asks the canvas for, and one real [`Runner`] per worker.
pub(super) struct Page {
    pub session: Session,
    pub now: f64,
    pub url: String,
    /// Requests posted and not yet answered, per worker.
    pub outbox: Vec<Posted>,
    pub views: Vec<Option<View>>,
    pub stopped: Vec<Role>,
    runners: Vec<(Role, Runner)>,
}

pub(super) type Answer = (Response, Option<Vec<f32>>);

/// A request posted to a worker, with its matrix.
pub(super) type Posted = (Role, Request, Option<Rc<[f32]>>);

impl Page {
    pub(super) fn open(fragment: &str) -> Page {
        let mut page = Page {
            session: Session::new(),
            now: 0.0,
            url: String::new(),
            outbox: Vec::new(),
            views: Vec::new(),
            stopped: Vec::new(),
            runners: Vec::new(),
        };
        page.input(Input::Open {
            fragment: fragment.into(),
        });
        page
    }

    pub(super) fn input(&mut self, input: Input) -> Vec<Effect> {
        self.now += 1.0;
        let effects = self.session.update(self.now, input);
        for e in &effects {
            match e {
                Effect::Send {
                    role,
                    request,
                    payload,
                } => self
                    .outbox
                    .push((*role, (**request).clone(), payload.clone())),
                Effect::Stop(role) => {
                    self.outbox.retain(|(r, _, _)| r != role);
                    self.runners.retain(|(r, _)| r != role);
                    self.stopped.push(*role);
                }
                Effect::WriteUrl(f) => self.url = f.clone(),
                Effect::SetView(v) => self.views.push(*v),
                _ => {}
            }
        }
        effects
    }

    pub(super) fn field(&mut self, key: &str, value: &str) -> Vec<Effect> {
        self.input(Input::Field {
            key: key.into(),
            value: value.into(),
        })
    }

    /// Runs the requests waiting for `role` in its worker; returns the answers.
    pub(super) fn answers(&mut self, role: Role) -> Vec<Answer> {
        let (mine, rest) = std::mem::take(&mut self.outbox)
            .into_iter()
            .partition(|(r, _, _)| *r == role);
        self.outbox = rest;
        if !self.runners.iter().any(|(r, _)| *r == role) {
            self.runners.push((role, Runner::new()));
        }
        let runner = &mut self
            .runners
            .iter_mut()
            .find(|(r, _)| *r == role)
            .expect("added")
            .1;
        let mut out = Vec::new();
        for (_, request, payload) in mine {
            runner.handle(request, payload.map(|p| p.to_vec()), &mut |r, p| {
                out.push((r, p.map(<[f32]>::to_vec)))
            });
        }
        out
    }

    pub(super) fn feed(&mut self, role: Role, answers: Vec<Answer>) -> Vec<Effect> {
        let mut effects = Vec::new();
        for (response, payload) in answers {
            effects.extend(self.input(Input::Response {
                role,
                response,
                payload,
            }));
        }
        effects
    }

    pub(super) fn run(&mut self, role: Role) -> Vec<Effect> {
        let answers = self.answers(role);
        self.feed(role, answers)
    }

    /// Runs the map's workers until the map is finished.
    pub(super) fn finish_map(&mut self) {
        for _ in 0..4 {
            self.run(Role::Data);
            self.run(Role::Reduce);
        }
        assert!(
            self.session
                .shown_layout()
                .is_some_and(|l| l.last && l.key == self.session.layout_key()),
            "the map is finished: {:?}",
            self.session.map_status()
        );
    }

    pub(super) fn sent(&self, role: Role) -> Vec<&Request> {
        self.outbox
            .iter()
            .filter(|(r, _, _)| *r == role)
            .map(|(_, q, _)| q)
            .collect()
    }

    pub(super) fn status(&self) -> MapStatus {
        self.session.map_status().expect("a status line")
    }
}

fn view_in(url: &str) -> Option<String> {
    url.split('&')
        .find_map(|p| p.strip_prefix("v=").map(str::to_string))
}

/// A zoomed map's link, opened fresh: the previews and snapshots are fitted,
/// and the finished map goes to the link's view; the link keeps the view
/// throughout (a reload mid-computation resumes it).
fn a_zoomed_link_restores_its_view(method: &str) {
    let link = format!("red={method}&k=25&perp=10&v=0.5,-0.25,4");
    let mut page = Page::open(&link);
    let wanted = View {
        cx: 0.5,
        cy: -0.25,
        zoom: 4.0,
    };
    assert_eq!(view_in(&page.url).as_deref(), Some("0.5,-0.25,4"));
    page.run(Role::Data);
    let answers = page.answers(Role::Reduce);
    if method == "pca" {
        assert_eq!(answers.len(), 1, "PCA comes in one piece");
    } else {
        assert!(answers.len() > 3, "a preview, snapshots and the map");
    }
    for (response, payload) in answers {
        let last = matches!(response, Response::Layout { last: true, .. });
        let preview = matches!(
            response,
            Response::Layout {
                method: Method::Pca,
                ..
            }
        ) && method != "pca";
        page.views.clear();
        page.feed(Role::Reduce, vec![(response, payload)]);
        assert_eq!(view_in(&page.url).as_deref(), Some("0.5,-0.25,4"));
        if last {
            assert_eq!(
                page.views,
                [Some(wanted)],
                "the finished map goes to the link's view"
            );
        } else {
            assert!(
                page.views.iter().all(Option::is_none),
                "previews and snapshots are fitted: {:?}",
                page.views
            );
            if preview {
                assert_eq!(page.views, [None], "the preview is fitted");
            }
        }
    }
    assert!(page.session.map_status().is_none());
}

#[test]
fn a_zoomed_umap_link_restores_its_view() {
    a_zoomed_link_restores_its_view("umap");
}

#[test]
fn a_zoomed_tsne_link_restores_its_view() {
    a_zoomed_link_restores_its_view("tsne");
}

#[test]
fn a_zoomed_pca_link_restores_its_view() {
    a_zoomed_link_restores_its_view("pca");
}

#[test]
fn a_view_chosen_on_the_preview_is_dropped_when_the_map_arrives() {
    let mut page = Page::open("k=25");
    page.run(Role::Data);
    let answers = page.answers(Role::Reduce);
    let mut answers = answers.into_iter();
    let preview = answers.next().unwrap();
    page.feed(Role::Reduce, vec![preview]);
    let v = View {
        cx: 1.0,
        cy: 2.0,
        zoom: 3.0,
    };
    page.input(Input::ViewMoved(Some(v)));
    assert_eq!(view_in(&page.url).as_deref(), Some("1,2,3"));
    page.views.clear();
    page.feed(Role::Reduce, answers.collect());
    assert_eq!(view_in(&page.url), None, "a PCA view means nothing on UMAP");
    assert_eq!(page.views.first(), Some(&None));
}

#[test]
fn a_search_and_show_on_the_map_reach_the_link() {
    let mut page = Page::open("red=pca&k=25");
    page.finish_map();
    let layout = page.session.shown_layout().unwrap().clone();
    let formula = layout.sample.formulas[layout.kept[3] as usize].clone();
    let (x, y) = layout.xy(3).unwrap();
    page.views.clear();
    page.input(Input::Search(formula.clone()));
    let expected = View {
        cx: x,
        cy: y,
        zoom: map::LOCATE_ZOOM,
    }
    .rounded();
    assert_eq!(page.views, [Some(expected)]);
    assert_eq!(page.session.state().view, Some(expected));
    assert!(page.url.contains(&format!("q={formula}")));
    assert!(page.url.contains(&format!("sel={formula}")), "{}", page.url);
    assert_eq!(
        view_in(&page.url),
        Some(format!("{},{},3", x as f32, y as f32))
    );
    let note = page.session.field_note(Field::Search).unwrap();
    assert_eq!(note.tone, Tone::Success);
    assert_eq!(page.session.map_model().focus, Some(3));

    // "Show on the map" of another point moves the view, and the link.
    let other = layout.sample.formulas[layout.kept[7] as usize].clone();
    let (x7, y7) = layout.xy(7).unwrap();
    page.input(Input::LocateOnMap(other.clone()));
    let v = page.session.state().view.unwrap();
    assert_eq!((v.cx, v.cy), (f64::from(x7 as f32), f64::from(y7 as f32)));
    assert!(page.url.contains(&format!("sel={other}")));

    // A link edited to another view of the same map moves it.
    page.views.clear();
    page.input(Input::LinkEdited {
        fragment: "#red=pca&k=25&v=0,0,2".into(),
    });
    assert_eq!(
        page.views,
        [Some(View {
            cx: 0.0,
            cy: 0.0,
            zoom: 2.0
        })]
    );
}

#[test]
fn captions_describe_the_map_on_screen_not_the_settings() {
    let mut page = Page::open("red=pca&k=20");
    page.finish_map();
    let labels = page.session.map_labels();
    assert_eq!(labels.title, "PCA of mat2vec");
    assert!(
        labels.subtitle.contains("binaries shown of 80 sampled"),
        "{}",
        labels.subtitle
    );

    page.field("n", "3");
    let labels = page.session.map_labels();
    assert!(
        labels.subtitle.contains("binaries") && labels.subtitle.ends_with("· earlier settings"),
        "{}",
        labels.subtitle
    );
    assert!(!labels.subtitle.contains("ternar"));
    let status = page.status();
    assert_eq!(status.text, "Sampling and embedding…");
    assert_eq!(
        status.action,
        Some(MapAction::Cancel),
        "never 'Run again' while sampling"
    );

    page.finish_map();
    let labels = page.session.map_labels();
    assert!(
        labels.subtitle.contains("ternaries shown"),
        "{}",
        labels.subtitle
    );
    assert!(!labels.subtitle.contains("earlier"));
}

#[test]
fn a_first_visit_shows_the_shipped_default_map_without_reducing() {
    let mut page = Page::open("");
    page.run(Role::Data);
    assert!(page.sent(Role::Reduce).is_empty(), "no reducer runs");
    let shown = page.session.shown_layout().expect("a map");
    assert!(shown.last && shown.key == page.session.layout_key());
    assert_eq!(shown.coords.len(), 2 * shown.kept.len());
    assert_eq!(page.session.map_labels().title, "UMAP of mat2vec");
    // Any other setting is computed.
    page.field("seed", "7");
    page.run(Role::Data);
    assert_eq!(page.sent(Role::Reduce).len(), 1);
}

#[test]
fn the_whole_space_is_said_on_the_map() {
    // With factors up to 1 the binaries are the C(103, 2) = 5,253 AB pairs.
    let mut page = Page::open("red=pca&k=all&ms=1");
    page.finish_map();
    assert_eq!(page.session.map_labels().subtitle, "all 5,253 binaries");
    let notes = page.session.legend_notes();
    assert!(
        notes.contains(
            &"The whole space: every one of the 5,253 binaries with factors up to 1.".to_string()
        ),
        "{notes:?}"
    );
    assert!(!notes.iter().any(|n| n.starts_with("Only")), "{notes:?}");
    assert!(page.session.state().to_fragment().contains("k=all"));

    // Choosing it in the form says what it costs, beside the field.
    let mut page = Page::open("red=pca&k=20");
    page.field("k", "all");
    let note = page.session.field_note(Field::Param("k")).expect("a note");
    assert_eq!(note.tone, Tone::Info);
    assert!(
        note.text.contains("minutes and about 3 GB"),
        "{}",
        note.text
    );
}

#[test]
fn cancelling_says_what_the_map_shows() {
    // Before any layout.
    let mut page = Page::open("k=20");
    assert_eq!(page.status().action, Some(MapAction::Cancel));
    page.input(Input::Cancel);
    assert!(page.stopped.contains(&Role::Data));
    let status = page.status();
    assert_eq!(
        status.text,
        "Stopped before the first layout. Nothing to show yet."
    );
    assert_eq!(status.action, Some(MapAction::RunAgain));
    assert_eq!(page.session.map_labels().title, "No map yet");
    page.input(Input::RunAgain);
    assert_eq!(page.status().action, Some(MapAction::Cancel));

    // During t-SNE's preview.
    let mut page = Page::open("red=tsne&k=20&perp=8");
    page.run(Role::Data);
    let mut answers = page.answers(Role::Reduce).into_iter();
    page.feed(Role::Reduce, vec![answers.next().unwrap()]);
    assert_eq!(
        page.session.map_labels().title,
        "PCA of mat2vec (preview while t-SNE computes)"
    );
    page.input(Input::Cancel);
    assert!(page.stopped.contains(&Role::Reduce));
    assert_eq!(
        page.session.map_labels().title,
        "PCA of mat2vec (preview; t-SNE was stopped)"
    );
    assert_eq!(
        page.status().text,
        "Stopped before t-SNE had a layout. The map shows its PCA preview."
    );
    // Answers of the stopped worker that were already on their way are ignored.
    page.feed(Role::Reduce, answers.collect());
    assert!(page.session.shown_layout().unwrap().is_preview());
    page.input(Input::RunAgain);
    assert_eq!(page.sent(Role::Reduce).len(), 1);
    page.finish_map();
}

#[test]
fn a_failed_sample_is_said_on_the_map_not_left_sampling() {
    let mut page = Page::open("k=20");
    let Some(Request::Embed { id, .. }) = page.sent(Role::Data).first().cloned().cloned() else {
        panic!("the map's sample is asked for");
    };
    page.outbox.clear();
    page.feed(
        Role::Data,
        vec![(
            Response::Error {
                id,
                message: "could not load data/known/oqmd.bin: the server answered 404".into(),
            },
            None,
        )],
    );
    let status = page.status();
    assert_eq!(
        status.text,
        "The map could not be computed: could not load data/known/oqmd.bin: the server answered 404"
    );
    assert_eq!(
        (status.action, status.tone),
        (Some(MapAction::RunAgain), Tone::Error)
    );
    page.input(Input::RunAgain);
    assert_eq!(page.status().text, "Sampling and embedding…");
}

#[test]
fn a_worker_that_dies_is_reported_where_its_work_was_shown() {
    let mut page = Page::open("k=20");
    page.run(Role::Data);
    assert!(page.status().text.starts_with("UMAP: starting"));
    page.input(Input::WorkerDied {
        role: Role::Reduce,
        message: "out of memory".into(),
        resent: false,
    });
    assert!(
        page.session.banners()[0]
            .text
            .contains("The map worker stopped (out of memory)")
    );
    let status = page.status();
    assert_eq!(status.tone, Tone::Error);
    assert!(
        status
            .text
            .contains("the map worker stopped (out of memory)"),
        "{}",
        status.text
    );
    assert_eq!(status.action, Some(MapAction::RunAgain));

    // A worker that falls silent is noticed.
    let mut page = Page::open("k=20");
    page.now += SILENT_MS + 5_000.0;
    let effects = page.input(Input::Tick);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Render(Panel::Map)))
    );
    assert!(
        page.status()
            .text
            .contains("No word from the worker for 35 s"),
        "{}",
        page.status().text
    );
}

#[test]
fn uploads_stay_chosen_and_survive_link_edits() {
    let mut page = Page::open("red=pca&k=20");
    page.input(Input::UploadRead {
        kind: UploadKind::OxidationStates,
        name: "mine.txt".into(),
        text: Ok("Zn +2\nO -2\nNa +1\nCl -1\n".into()),
    });
    assert!(matches!(
        page.sent(Role::Chem)[..],
        [Request::CheckUpload { .. }]
    ));
    assert_eq!(
        page.session.chem_settings().ox,
        OxSource::Builtin {
            name: "smact14".into()
        },
        "not used before it is read"
    );
    page.run(Role::Chem);
    let note = page.session.field_note(Field::OxFile).unwrap();
    assert_eq!(
        (note.tone, note.text.as_str()),
        (Tone::Success, "Using 'mine.txt' (4 species).")
    );
    assert!(matches!(
        page.session.chem_settings().ox,
        OxSource::Uploaded { .. }
    ));
    assert!(page.url.contains("ox=upload"));
    // Counting with it carries its text.
    let counts = page.sent(Role::Counts);
    assert!(
        counts
            .iter()
            .any(|r| matches!(r, Request::Counts { uploads, .. } if uploads.len() == 1))
    );

    page.field("ox", "wiki");
    assert_eq!(
        page.session.chem_settings().ox,
        OxSource::Builtin {
            name: "wiki".into()
        }
    );
    page.field("ox", "upload");
    assert!(
        matches!(page.session.chem_settings().ox, OxSource::Uploaded { .. }),
        "choosing the upload again uses it"
    );
    assert!(page.session.field_note(Field::Param("ox")).is_none());

    // Editing the link keeps the upload in memory.
    page.input(Input::LinkEdited {
        fragment: "#red=pca&k=20&ox=upload&n=3".into(),
    });
    assert!(
        page.session.banners().is_empty(),
        "{:?}",
        page.session.banners()
    );
    assert!(matches!(
        page.session.chem_settings().ox,
        OxSource::Uploaded { .. }
    ));
    assert_eq!(page.session.state().order, 3);

    // A known list, alone or added to the Materials Project.
    page.input(Input::UploadRead {
        kind: UploadKind::KnownList,
        name: "known.csv".into(),
        text: Ok("formula\nZn2O\n".into()),
    });
    page.run(Role::Chem);
    assert!(matches!(
        page.session.chem_settings().known,
        KnownChoice::Uploaded { added_to: None, .. }
    ));
    page.field("db", "mp,upload");
    assert!(matches!(
        &page.session.chem_settings().known,
        KnownChoice::Uploaded { added_to: Some(d), .. } if d == "mp"
    ));
    assert_eq!(
        page.session.known_title(),
        "the Materials Project or your list known.csv"
    );

    // Sharing says the link cannot carry the files.
    page.input(Input::Shared {
        copied: true,
        url: "x".into(),
    });
    let note = page.session.field_note(Field::Share).unwrap();
    assert_eq!(note.tone, Tone::Warning);
    assert!(
        note.text
            .contains("cannot carry your uploaded mine.txt and known.csv"),
        "{}",
        note.text
    );
}

#[test]
fn a_bad_upload_is_refused_beside_its_field_and_changes_nothing() {
    let mut page = Page::open("k=20");
    let before = page.session.chem_settings();
    page.input(Input::UploadRead {
        kind: UploadKind::OxidationStates,
        name: "bad.txt".into(),
        text: Ok("Fe +2\nXx 3\n".into()),
    });
    page.run(Role::Chem);
    let note = page.session.field_note(Field::OxFile).unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(
        note.text
            .starts_with("'bad.txt' was not used: oxidation-state file 'bad.txt': line 2"),
        "{}",
        note.text
    );
    assert_eq!(page.session.chem_settings(), before);
    // An upload option that is not there is refused beside its field.
    page.field("ox", "upload");
    let note = page.session.field_note(Field::Param("ox")).unwrap();
    assert!(
        note.text
            .starts_with("upload an oxidation-state file first"),
        "{}",
        note.text
    );
}

#[test]
fn a_refused_value_is_said_beside_its_field_until_fixed() {
    let mut page = Page::open("k=20");
    page.field("ms", "99");
    let note = page.session.field_note(Field::Param("ms")).unwrap().clone();
    assert_eq!(note.tone, Tone::Error);
    assert_eq!(
        note.typed.as_deref(),
        Some("99"),
        "the typed value stays to be fixed"
    );
    assert_eq!(
        note.text,
        "Largest stoichiometric factor must be a whole number from 1 to 16. The map still uses 8."
    );
    assert_eq!(page.session.state().max_stoich, 8);
    assert!(page.session.banners().is_empty(), "not a banner far away");
    page.field("ms", "6");
    assert!(page.session.field_note(Field::Param("ms")).is_none());
    assert_eq!(page.session.state().max_stoich, 6);
    assert!(page.url.contains("ms=6"));

    page.field("seed", "1152921504606846976");
    let note = page.session.field_note(Field::Param("seed")).unwrap();
    assert!(
        note.text.contains("from 0 to 9007199254740991"),
        "{}",
        note.text
    );
    // Going back to the value in force clears the note too.
    page.field("seed", "42");
    assert!(page.session.field_notes().is_empty());
}

#[test]
fn every_bad_link_parameter_is_reported_in_one_group() {
    let bad: Vec<String> = (0..21).map(|i| format!("x{i}=1")).collect();
    let page = Page::open(&format!("{}&n=3", bad.join("&")));
    let banners = page.session.banners();
    assert_eq!(banners.len(), 1);
    assert_eq!(
        banners[0].text,
        "21 settings of this link could not be used; the others apply:"
    );
    assert_eq!(banners[0].items.len(), 21);
    assert_eq!(banners[0].tone, Tone::Warning);
    assert_eq!(page.session.state().order, 3);
    // A link naming an upload the page does not have says so.
    let page = Page::open("ox=upload&db=oqmd,upload");
    let items = &page.session.banners()[0].items;
    assert_eq!(items.len(), 2);
    assert!(items[0].contains("upload it again; using smact14 meanwhile"));
    assert!(items[1].contains("using oqmd meanwhile"), "{}", items[1]);
    assert_eq!(page.url, "db=oqmd");
}

#[test]
fn searches_say_what_they_found_without_alarm() {
    let mut page = Page::open("red=pca&k=20");
    page.finish_map();
    page.input(Input::Search("Zn".into()));
    let note = page.session.field_note(Field::Search).unwrap();
    assert_eq!(note.tone, Tone::Success);
    assert!(
        note.text
            .ends_with("compositions containing Zn are ringed on the map.")
    );
    page.input(Input::Search("Zn2Qq".into()));
    let note = page.session.field_note(Field::Search).unwrap();
    assert_eq!(note.tone, Tone::Error);
    assert!(note.text.contains("'Qq' is not an element symbol"));
    assert_eq!(
        page.session.state().search,
        "Zn",
        "the search in force stays"
    );
    page.input(Input::Search("Zn2O".into()));
    let note = page.session.field_note(Field::Search).unwrap();
    assert_ne!(note.tone, Tone::Error);
    assert_eq!(page.session.state().focus.as_deref(), Some("Zn2O"));
    assert!(matches!(
        page.sent(Role::Chem)[..],
        [Request::Explain { .. }]
    ));
    page.run(Role::Chem);
    let DetailsView::Ready(e) = page.session.details() else {
        panic!("explained")
    };
    assert_eq!(e.formula, "Zn2O");
}

#[test]
fn the_grid_fills_in_and_its_progress_never_goes_back() {
    let mut page = Page::open("tab=grid&k=8&perp=5&nn=5");
    assert_eq!(page.sent(Role::Grid).len(), 1);
    let mut last = 0.0;
    for answer in page.answers(Role::Grid) {
        page.feed(Role::Grid, vec![answer]);
        let status = page.session.grid_status();
        assert!(status.fraction >= last, "{} then {}", last, status.fraction);
        last = status.fraction;
    }
    let status = page.session.grid_status();
    assert!(status.complete && !status.running, "{status:?}");
    let cells = page.session.grid_cells();
    assert_eq!(cells.len(), 18);
    // magpie lacks some elements but every panel is drawn or says why.
    assert!(cells.iter().all(|c| c.state == CellState::Ready
        || matches!(&c.state, CellState::Failed(m) if !m.is_empty())));
    // Choosing a panel opens it large, at once.
    let ready = cells
        .iter()
        .find(|c| c.state == CellState::Ready && c.params.method() == Method::Tsne)
        .unwrap();
    page.input(Input::OpenGridCell {
        embedding: ready.embedding.into(),
        method: Method::Tsne,
    });
    assert_eq!(page.session.state().tab, Tab::Map);
    assert!(
        page.session
            .shown_layout()
            .is_some_and(|l| l.last && l.method == Method::Tsne)
    );
    assert!(page.sent(Role::Reduce).is_empty());
}

#[test]
fn a_map_left_and_returned_to_keeps_its_view() {
    let mut page = Page::open("red=pca&k=20");
    page.finish_map();
    let v = View {
        cx: 0.25,
        cy: 0.5,
        zoom: 2.0,
    };
    page.input(Input::ViewMoved(Some(v)));
    page.field("emb", "magpie");
    assert_eq!(page.session.state().view, None, "a new map starts whole");
    page.finish_map();
    page.views.clear();
    page.field("emb", "mat2vec");
    assert_eq!(page.session.state().view, Some(v));
    assert_eq!(
        page.views,
        [Some(v)],
        "the cached map comes back at its view"
    );
    assert!(page.sent(Role::Reduce).is_empty() && page.sent(Role::Data).is_empty());
}

#[test]
fn answers_for_settings_left_behind_are_ignored() {
    let mut page = Page::open("red=pca&k=20");
    let old = page.answers(Role::Data);
    page.field("seed", "7");
    assert!(
        page.stopped.contains(&Role::Data),
        "the old sample is stopped"
    );
    page.feed(Role::Data, old);
    assert!(
        page.sent(Role::Reduce).is_empty(),
        "nothing reduced for the old seed"
    );
    page.finish_map();
    assert_eq!(page.session.shown_layout().unwrap().embed.sample.seed, 7);
}

#[test]
fn filters_and_selections_are_in_the_link_and_the_counts() {
    let mut page = Page::open("red=pca&k=20");
    page.finish_map();
    let total = page.session.map_model().shown_total();
    page.input(Input::ToggleCategory(Category::Unlikely));
    assert!(page.url.contains("hide=unlikely"));
    assert_eq!(page.session.map_model().shown[3], 0);
    page.input(Input::FilterElement(Element::from_symbol("O").ok()));
    let with_o = page.session.map_model().shown_total();
    assert!(with_o < total && with_o > 0);
    assert!(
        page.session
            .map_labels()
            .subtitle
            .starts_with(&format!("{with_o} binaries shown"))
    );
    page.input(Input::FilterElement(Element::from_symbol("O").ok()));
    assert_eq!(
        page.session.state().element,
        None,
        "choosing it again clears it"
    );
    page.input(Input::Select(
        SelectionOp::Replace,
        Selection::Box {
            x0: -100.0,
            y0: -100.0,
            x1: 100.0,
            y1: 100.0,
        },
    ));
    assert!(page.url.contains("area=b:-100,-100,100,100"));
    assert_eq!(
        page.session.map_model().selected.len(),
        page.session.map_model().shown_total()
    );
    page.input(Input::ClearSelection);
    assert!(!page.url.contains("area="));
}

#[test]
fn the_quiz_is_the_same_sequence_for_the_same_link_and_keeps_score() {
    let sequence = |link: &str| {
        let mut page = Page::open(link);
        page.run(Role::Data);
        let mut seen = Vec::new();
        for _ in 0..5 {
            let QuizView::Question { formula, .. } = page.session.quiz() else {
                panic!("the sample is there");
            };
            seen.push(formula);
            page.input(Input::QuizNext);
        }
        seen
    };
    let a = sequence("tab=quiz&quiz=7&k=30");
    assert_eq!(
        a,
        sequence("tab=quiz&quiz=7&k=30"),
        "a class meets the same compositions"
    );
    assert_ne!(a, sequence("tab=quiz&quiz=8&k=30"));

    let mut page = Page::open("tab=quiz&quiz=7&k=30");
    assert_eq!(page.session.quiz(), QuizView::Preparing);
    page.run(Role::Data);
    let QuizView::Question {
        formula, elements, ..
    } = page.session.quiz()
    else {
        panic!("a question")
    };
    assert_eq!(formula, a[0]);
    assert!(
        elements.iter().all(|(_, states)| !states.is_empty()),
        "smact14's states to pick from"
    );
    let truth = page
        .session
        .caches
        .sample(&page.session.sample_settings())
        .map(|s| s.categories[s.formulas.iter().position(|f| *f == formula).unwrap()])
        .unwrap();
    page.input(Input::QuizAnswer {
        allowed: truth.allowed(),
        charges: None,
    });
    assert_eq!(
        page.session.state().focus.as_deref(),
        Some(formula.as_str()),
        "it is explained"
    );
    page.input(Input::QuizNext);
    page.input(Input::QuizAnswer {
        allowed: true,
        charges: None,
    });
    let QuizView::Question {
        right,
        asked,
        number,
        answered,
        ..
    } = page.session.quiz()
    else {
        panic!()
    };
    assert_eq!((number, asked), (2, 2));
    assert_eq!(right, 1 + usize::from(answered.unwrap().right()));
    assert!(page.url.contains("quiz=7"));
}

#[test]
fn ternary_and_quaternary_counts_wait_for_the_first_map() {
    let mut page = Page::open("red=pca&k=20");
    let orders = |page: &Page| -> Vec<usize> {
        page.sent(Role::Counts)
            .iter()
            .filter_map(|r| match r {
                Request::Counts { order, .. } => Some(*order),
                _ => None,
            })
            .collect()
    };
    assert_eq!(orders(&page), [2], "only the binary row at first");
    assert_eq!(page.session.counts_row(3), CountsRow::Queued);
    page.finish_map();
    assert_eq!(orders(&page), [2, 3, 4], "the rest once the map is drawn");
    // Opening on Table 2 counts everything at once.
    let page = Page::open("tab=counts&k=20");
    assert_eq!(orders(&page), [2, 3, 4]);
}
