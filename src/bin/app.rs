//! The page's wasm module (built by Trunk from index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    crystal_atlas::web::start_app();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "app is the web page's wasm module: build and serve it with `trunk serve` (or `trunk build --release`)."
    );
    std::process::exit(2);
}
