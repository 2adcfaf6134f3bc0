//! The debug panel in the footer: draw times, timings of the first results,
//! sizes. The end-to-end tests read it; people curious about speed can too.

use super::app::App;
use super::dom;

pub fn render(app: &App) {
    let debug: web_sys::HtmlElement = dom::by_id("debug");
    let map = &app.map;
    let counts: Vec<String> = app
        .counts_ms
        .iter()
        .enumerate()
        .map(|(i, ms)| {
            format!(
                "n={}: {}",
                i + 2,
                ms.map_or("–".into(), |ms| format!("{ms:.0} ms"))
            )
        })
        .collect();
    // Times are from performance.now(): milliseconds since the page began loading.
    let first_counts = app.counts_ms[0].map(|ms| ms + app.counts_req[0].started);
    let lines = [
        format!(
            "draw: last {:.2} ms, slowest {:.2} ms, {} draws",
            map.last_draw_ms, map.slowest_draw_ms, map.draws
        ),
        format!("points drawn: {}", map.order.len()),
        format!("Table 2 counting time: {}", counts.join(", ")),
        format!(
            "binary counts shown at: {}",
            first_counts.map_or("–".into(), |ms| format!(
                "{ms:.0} ms after the page began loading"
            ))
        ),
        format!(
            "first map on screen at: {}",
            app.first_layout_ms.map_or("–".into(), |ms| format!(
                "{ms:.0} ms after the page began loading"
            ))
        ),
        format!(
            "first finished map at: {}",
            app.first_map_ms.map_or("–".into(), |ms| format!(
                "{ms:.0} ms after the page began loading"
            ))
        ),
        format!(
            "map: {}",
            map.layout.as_ref().map_or("none".into(), |l| format!(
                "{} of {}, {} points{}",
                l.method,
                l.embedding,
                l.kept.len(),
                if l.last { "" } else { " (in progress)" }
            ))
        ),
    ];
    dom::set_text("debug-text", &lines.join("\n"));
    let _ = debug.set_attribute("data-draw-ms", &format!("{:.3}", map.last_draw_ms));
    let _ = debug.set_attribute(
        "data-slowest-draw-ms",
        &format!("{:.3}", map.slowest_draw_ms),
    );
    if let Some(ms) = app.first_layout_ms {
        let _ = debug.set_attribute("data-first-layout-ms", &format!("{ms:.0}"));
    }
    if let Some(ms) = app.first_map_ms {
        let _ = debug.set_attribute("data-first-map-ms", &format!("{ms:.0}"));
    }
    if let Some(ms) = first_counts {
        let _ = debug.set_attribute("data-binary-counts-ms", &format!("{ms:.0}"));
    }
}
