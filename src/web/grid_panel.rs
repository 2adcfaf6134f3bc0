//! Small multiples: the paper's grid of six element embeddings by three
//! reducers for the current sample, filled in by a worker of its own as each
//! panel finishes. Finished panels join the map's layout cache, so clicking
//! one opens it large at once.

use std::rc::Rc;

use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use super::app::{App, InFlight, LayoutData, SampleData, with_app};
use super::dom::{self, append, by_id, make};
use super::workers::{self, Role};
use crate::chem::Composition;
use crate::label::Category;
use crate::pipeline::settings::cache_key;
use crate::pipeline::{EmbedSettings, ReducerParams, Request};
use crate::plot::{Bounds, MapScene, MapStyle, Viewport, category_layer};
use crate::view_state::{Reducer, Tab, paper_embeddings};

thread_local! {
    /// The grid's sample (it may differ from the map's while both compute).
    static SAMPLE: std::cell::RefCell<Option<Rc<SampleData>>> = const { std::cell::RefCell::new(None) };
    /// Panels that failed, by layout key, with the reason.
    static FAILED: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn reducers(app: &App) -> [ReducerParams; 3] {
    let s = &app.state;
    [
        ReducerParams::Pca,
        ReducerParams::Tsne {
            perplexity: s.perplexity,
            seed: s.seed,
        },
        ReducerParams::Umap {
            n_neighbors: s.n_neighbors,
            min_dist: s.min_dist,
            seed: s.seed,
        },
    ]
}

fn embed_settings(app: &App, embedding: &str) -> EmbedSettings {
    EmbedSettings {
        sample: app.sample_settings(),
        embedding: embedding.into(),
        pooling: app.state.pooling.clone(),
    }
}

fn grid_key(app: &App) -> String {
    cache_key(&(app.sample_settings(), &app.state.pooling, reducers(app)))
}

/// Starts computing the grid for the current settings, unless it is done or running.
pub fn ensure(app: &mut App) {
    let key = grid_key(app);
    if app.grid_req.key == key {
        return;
    }
    if app.grid_req.id.is_some() {
        workers::cancel(Role::Grid);
    }
    let params = reducers(app);
    let missing: Vec<String> = paper_embeddings()
        .into_iter()
        .filter(|e| {
            params.iter().any(|p| {
                app.cached_layout(&App::layout_key(&embed_settings(app, e), p))
                    .is_none()
            })
        })
        .map(|e| e.to_string())
        .collect();
    if missing.is_empty() {
        app.grid_req = InFlight {
            id: None,
            key,
            started: dom::now(),
        };
        return render(app);
    }
    let id = app.new_id();
    app.grid_req = InFlight {
        id: Some(id),
        key,
        started: dom::now(),
    };
    let request = Request::Grid {
        id,
        sample: app.sample_settings(),
        pooling: app.state.pooling.clone(),
        embeddings: missing,
        reducers: params.to_vec(),
    };
    workers::send(Role::Grid, &request, None);
    render(app);
}

pub fn on_sample(
    formulas: Vec<String>,
    categories: Vec<Category>,
    shortfalls: Vec<(Category, usize)>,
) {
    let compositions = formulas
        .iter()
        .filter_map(|f| Composition::parse(f).ok())
        .collect();
    SAMPLE.with(|s| {
        *s.borrow_mut() = Some(Rc::new(SampleData {
            formulas,
            compositions,
            categories,
            shortfalls,
        }))
    });
}

/// One finished cell of the grid.
pub struct Panel {
    pub embedding: String,
    pub params: ReducerParams,
    pub kept: Vec<u32>,
    pub coords: Vec<f32>,
    pub non_finite: usize,
}

pub fn on_panel(app: &mut App, panel: Panel) {
    let Some(sample) = SAMPLE.with(|s| s.borrow().clone()) else {
        return;
    };
    let key = App::layout_key(&embed_settings(app, &panel.embedding), &panel.params);
    let layout = LayoutData {
        key,
        sample,
        kept: Rc::new(panel.kept),
        coords: panel.coords,
        method: panel.params.title().into(),
        embedding: panel.embedding,
        last: true,
        non_finite: panel.non_finite,
    };
    app.cache_layout(Rc::new(layout));
    render(app);
}

pub fn on_failed(app: &mut App, embedding: &str, params: &ReducerParams, message: String) {
    let key = App::layout_key(&embed_settings(app, embedding), params);
    FAILED.with(|f| f.borrow_mut().push((key, message)));
    render(app);
}

fn failure(key: &str) -> Option<String> {
    FAILED.with(|f| {
        f.borrow()
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, m)| m.clone())
    })
}

pub fn progress(app: &App, stage: &str, fraction: f64) {
    if app.state.tab != Tab::Grid {
        return;
    }
    dom::set_text("grid-status-text", &format!("Computing {stage}…"));
    let _ = by_id::<HtmlElement>("grid-progress").set_attribute("value", &fraction.to_string());
}

pub fn show_error(app: &App, message: &str) {
    render(app);
    dom::set_text("grid-status-text", &format!("Stopped: {message}"));
}

/// Draws every finished panel and labels the rest.
pub fn render(app: &App) {
    if app.state.tab != Tab::Grid {
        return;
    }
    let host: HtmlElement = by_id("small-multiples");
    if host.child_element_count() == 0 {
        build(&host);
    }
    let params = reducers(app);
    let mut done = 0;
    for (r, p) in params.iter().enumerate() {
        for e in paper_embeddings() {
            let Some(panel) = host
                .query_selector(&format!("[data-cell='{r}-{e}']"))
                .ok()
                .flatten()
            else {
                continue;
            };
            let canvas: web_sys::HtmlCanvasElement = panel
                .query_selector("canvas")
                .ok()
                .flatten()
                .expect("built")
                .unchecked_into();
            let state: HtmlElement = panel
                .query_selector(".sm-state")
                .ok()
                .flatten()
                .expect("built")
                .unchecked_into();
            let key = App::layout_key(&embed_settings(app, e), p);
            match app.cached_layout(&key) {
                Some(layout) => {
                    done += 1;
                    dom::set_hidden(&state, true);
                    draw_panel(&canvas, &layout, app);
                    dom::set_attr(
                        &panel,
                        "aria-label",
                        &format!("{} of {e}: open large", p.title()),
                    );
                }
                None => {
                    dom::set_hidden(&state, false);
                    let (text, why) = match failure(&key) {
                        Some(message) => ("not available", message),
                        None if app.grid_req.id.is_some() => ("waiting…", String::new()),
                        None => ("not computed", String::new()),
                    };
                    state.set_text_content(Some(text));
                    dom::set_attr(&panel, "title", &why);
                    let _ = canvas.get_context("2d").ok().flatten().map(|c| {
                        c.unchecked_into::<web_sys::CanvasRenderingContext2d>()
                            .clear_rect(
                                0.0,
                                0.0,
                                f64::from(canvas.width()),
                                f64::from(canvas.height()),
                            )
                    });
                }
            }
        }
    }
    let total = params.len() * paper_embeddings().len();
    let running = app.grid_req.id.is_some();
    if !running {
        dom::set_text(
            "grid-status-text",
            &format!("{done} of {total} panels ready."),
        );
    }
    let _ = by_id::<HtmlElement>("grid-progress")
        .set_attribute("value", &(done as f64 / total as f64).to_string());
    let stop: HtmlElement = by_id("grid-stop");
    stop.set_text_content(Some(if running { "Stop" } else { "Compute" }));
    dom::set_hidden(&stop, done == total);
}

fn build(host: &HtmlElement) {
    append(host, make("span", "", ""));
    for e in paper_embeddings() {
        append(host, make("span", "col-head", e));
    }
    for (r, reducer) in [Reducer::Pca, Reducer::Tsne, Reducer::Umap]
        .into_iter()
        .enumerate()
    {
        append(host, make("span", "row-head", ["PCA", "t-SNE", "UMAP"][r]));
        for e in paper_embeddings() {
            let panel = append(host, make("button", "sm-panel", ""));
            dom::set_attr(&panel, "type", "button");
            dom::set_attr(&panel, "data-cell", &format!("{r}-{e}"));
            append(&panel, make("canvas", "", ""));
            append(&panel, make("span", "sm-state", ""));
            let embedding = e.to_string();
            dom::on::<web_sys::Event>(&panel, "click", move |_| {
                let embedding = embedding.clone();
                with_app(|app| {
                    app.set_state(|s| {
                        s.embedding = embedding;
                        s.reducer = reducer;
                        s.tab = Tab::Map;
                        s.view = None;
                    })
                });
            });
        }
    }
    dom::on::<web_sys::Event>(&by_id::<web_sys::EventTarget>("grid-stop"), "click", |_| {
        with_app(|app| {
            if app.grid_req.id.take().is_some() {
                workers::cancel(Role::Grid);
                app.grid_req.key.clear();
                app.grid_req.key.push_str("stopped");
                render(app);
            } else {
                app.grid_req.key.clear();
                ensure(app);
            }
        });
    });
}

fn draw_panel(canvas: &web_sys::HtmlCanvasElement, layout: &LayoutData, app: &App) {
    let ratio = dom::window().device_pixel_ratio().clamp(1.0, 2.0);
    let side = (f64::from(canvas.client_width().max(60)) * ratio) as u32;
    canvas.set_width(side);
    canvas.set_height(side);
    let Some(bounds) = Bounds::of(&layout.coords) else {
        return;
    };
    let category = |i: u32| layout.sample.categories[layout.kept[i as usize] as usize];
    let colours: Vec<[u8; 4]> = (0..layout.kept.len() as u32)
        .map(|i| {
            let c = app.state.palette.category(category(i));
            [c[0], c[1], c[2], 170]
        })
        .collect();
    let mut order: Vec<u32> = (0..layout.kept.len() as u32)
        .filter(|&i| !app.state.hidden.contains(&category(i)))
        .collect();
    order.sort_by_key(|&i| category_layer(category(i)));
    let scene = MapScene {
        coords: &layout.coords,
        colours: &colours,
        order: &order,
        highlighted: &[],
        focus: None,
        hover: None,
        selection: None,
    };
    // Single pixels (radius 0) at this size, so dense regions show density.
    let style = MapStyle {
        radius: (ratio - 1.0).round().max(0.0) as u32,
        pixel_ratio: ratio,
        ..MapStyle::default()
    };
    let view = Viewport::fit(bounds, side, side, 6.0 * ratio);
    super::map_view::paint_points(canvas, &scene, &view, &style);
}
