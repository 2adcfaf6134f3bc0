//! The page's worker module: sampling, embedding, reducing and counting off
//! the main thread (built by Trunk from index.html).

#[cfg(target_arch = "wasm32")]
fn main() {
    crystal_atlas::web::start_worker();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("worker is the web page's Web Worker module: build it with `trunk build --release`.");
    std::process::exit(2);
}
