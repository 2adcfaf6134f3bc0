//! The page's worker module: sampling, embedding, reducing and counting off
//! the main thread (built by Trunk from index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    crystal_atlas::web::start_worker();
}

/// Entered by `www/thread.js`: runs one of the map worker's threads (the
/// threaded build only).
#[cfg(all(target_arch = "wasm32", target_feature = "atomics"))]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn crystal_atlas_thread(address: u32) {
    crystal_atlas::web::threads::run_thread(address);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("worker is the web page's Web Worker module: build it with `trunk build --release`.");
    std::process::exit(2);
}
